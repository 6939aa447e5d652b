import { readdirSync, readFileSync } from 'node:fs';
import { isAlive } from '../test/support/process.js';

/** VmRSS and VmHWM of a process in MiB, or undefined once it is gone. */
export function memory(pid: number): { rss: number; hwm: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(text);
  if (!rss || !hwm) return undefined; // a zombie has no memory lines
  return { rss: Number(rss[1]) / 1024, hwm: Number(hwm[1]) / 1024 };
}

/** The live children of `parent` (for the jump sshd's listener: one per connection it accepted). */
export function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent && fields[0] !== 'Z') children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The live ProxyCommand processes that the pid-recording wrapper wrote into `dir`. */
export function recordedPids(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => /^\d+$/.test(name)).map(Number).filter(isAlive);
}

export interface Peaks {
  /** The highest VmHWM of any one proxy process seen. */
  proxyHwm: number;
  /** The highest sum of VmRSS over all proxy processes plus the shared process at one sample. */
  totalRss: number;
  /** The shared process's highest VmRSS. */
  sharedRss: number;
  /** The most connection processes the jump's listener had at one sample. */
  jumpChildren: number;
  /** The most proxy processes alive at one sample. */
  proxies: number;
}

/** Samples memory and the jump's connection processes until stopped. */
export function watchPeaks(options: { pidDir: string; sharedPid?: number; jumpPid: number; intervalMs?: number }): { stop(): Peaks } {
  const peaks: Peaks = { proxyHwm: 0, totalRss: 0, sharedRss: 0, jumpChildren: 0, proxies: 0 };
  const sample = (): void => {
    const pids = recordedPids(options.pidDir);
    let total = 0;
    for (const pid of pids) {
      const mem = memory(pid);
      if (!mem) continue;
      peaks.proxyHwm = Math.max(peaks.proxyHwm, mem.hwm);
      total += mem.rss;
    }
    if (options.sharedPid !== undefined) {
      const shared = memory(options.sharedPid)?.rss ?? 0;
      peaks.sharedRss = Math.max(peaks.sharedRss, shared);
      total += shared;
    }
    peaks.totalRss = Math.max(peaks.totalRss, total);
    peaks.proxies = Math.max(peaks.proxies, pids.length);
    peaks.jumpChildren = Math.max(peaks.jumpChildren, childrenOf(options.jumpPid).length);
  };
  sample();
  const timer = setInterval(sample, options.intervalMs ?? 50);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}
