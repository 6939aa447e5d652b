import { readdirSync, readFileSync } from 'node:fs';
import { isAlive } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { tunnelConfigBin, type World } from '../world.js';

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Live `tunnel-config proxy` processes of this world (what `pgrep -f` on its socket dir would find). */
export function proxyPids(world: World): number[] {
  const matching = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const args = commandLine(pid);
      return args.includes(tunnelConfigBin) && args.includes('proxy') && args.includes(world.sockDir) && isAlive(pid);
    });
  // a child the proxy has forked but not yet exec'd (its `ssh -G`) still shows the proxy's command line
  const proxies = new Set(matching);
  return matching.filter((pid) => !proxies.has(parentPid(pid) ?? 0));
}

/** VmHWM: the most resident memory the process has had so far, in bytes. */
function peakRss(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples the peak RSS of the processes `find` returns until stopped; the kernel keeps the peak,
 * so only growth in a process's last interval before it exits can be missed.
 */
export function watchPeakRss(find: () => number[], intervalMs = 50): { stop(): Map<number, number> } {
  const peaks = new Map<number, number>();
  const sample = (): void => {
    for (const pid of find()) {
      const peak = peakRss(pid);
      if (peak !== undefined) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, peak));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peaks;
    },
  };
}

export const MB = 1_000_000;

/** Resolves once this world has no proxy process left; ssh does not wait for its ProxyCommand, so allow a moment. */
export async function noProxiesLeft(world: World, timeoutMs = 5000): Promise<void> {
  await waitFor(() => (proxyPids(world).length === 0 ? true : undefined), {
    timeoutMs,
    what: () => `proxies still running: ${proxyPids(world).map((pid) => `${pid} ${commandLine(pid).join(' ')}`).join('; ')}`,
  });
}
