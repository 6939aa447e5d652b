import { readFileSync } from 'node:fs';
import { processTree } from '../test/support/process.js';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms, or undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/**
 * CPU time spent by every process under `roots` (ssh, ProxyCommand, shared process, both sshds and the tunnel)
 * while it runs: a figure other work on the machine barely changes, unlike MiB/s. Processes are read every
 * `intervalMs`, so one that ends loses at most its last interval.
 */
export function watchCpu(roots: () => number[], intervalMs = 50): { stop(): number } {
  // Processes alive at the start count from where they were; later ones from zero.
  const started = processTree(roots());
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let pids = started;
  let sinceScan = 0;
  const sample = (): void => {
    // The tree changes rarely once a transfer runs: scanning /proc every time would cost more than it measures.
    if (sinceScan++ >= 10) {
      pids = processTree(roots());
      sinceScan = 0;
    }
    for (const pid of pids) {
      const ms = cpuMs(pid);
      if (ms === undefined) continue;
      if (!first.has(pid)) first.set(pid, started.has(pid) ? ms : 0);
      last.set(pid, ms);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sinceScan = Number.POSITIVE_INFINITY;
      sample();
      let total = 0;
      for (const [pid, ms] of last) total += ms - (first.get(pid) ?? 0);
      return total;
    },
  };
}

/** Measures the CPU time of one transfer, from its start to its last byte. */
export class CpuMeter {
  #watch: { stop(): number } | undefined;
  ms = NaN;
  readonly #roots: () => number[];

  constructor(roots: () => number[]) {
    this.#roots = roots;
  }

  start(): void {
    this.#watch = watchCpu(this.#roots);
  }

  stop(): void {
    this.ms = this.#watch?.stop() ?? NaN;
    this.#watch = undefined;
  }
}
