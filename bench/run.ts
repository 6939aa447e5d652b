import type { ProcessTracker } from '../test/support/process.js';
import type { World } from '../test/world.js';
import { jumpConnectionsSoFar, parallelSessions, probe, rotate, type ParallelPeak, type Probe, type ProxyKey } from './phases.js';
import { memory, watchPeaks } from './procs.js';
import { roundTrips } from './roundtrip.js';
import { catOverSshfs, makeSmallFiles } from './sshfs.js';
import { CpuMeter } from './cpu.js';
import { GiB, MiB, round } from './stats.js';
import { connectOnce, download, parallelDownload, upload } from './transfer.js';
import { clearPids, makeVariants, sharedPid, type VariantKey } from './variants.js';

export interface Settings {
  connects: number;
  rounds: number;
  transferMiB: number;
  roundTrips: number;
  files: number;
  sessions: number;
  bulkStreams: number;
  bulkMiB: number;
  bulkRounds: number;
  sshfsRounds: number;
  rssMiB: [number, number];
}

export interface Results {
  probes: Record<VariantKey, Probe>;
  connectMs: Record<VariantKey, number[]>;
  /** Jump TCP connections over `connects` sequential connects; (d)'s include its first, untimed one. */
  jumpConnections: Record<ProxyKey, number>;
  roundTripMs: Record<VariantKey, number[]>;
  sshfsMs: Record<VariantKey, number[]> | { skipped: string };
  downMiBs: Record<VariantKey, number[]>;
  upMiBs: Record<VariantKey, number[]>;
  /** CPU seconds per GiB moved, summed over every process on the path (ssh, proxy, shared process, sshds, tunnel). */
  cpuDown: Record<VariantKey, number[]>;
  cpuUp: Record<VariantKey, number[]>;
  /** ProxyCommand peak RSS (VmHWM, MiB) during a download of each of settings.rssMiB. */
  proxyRss: Record<ProxyKey, number[]>;
  /** The shared process's highest RSS during each of those downloads, and its VmHWM at the end. */
  sharedRss: number[];
  sharedHwm: number;
  parallel: Record<ProxyKey, ParallelPeak>;
  /** Aggregate MiB/s of the parallel bulk downloads, cold and warm: does one shared Node thread slow them? */
  bulkMiBs: Record<'c' | 'd', number[]>;
}

const all: VariantKey[] = ['a', 'b', 'c', 'd'];
const proxies: ProxyKey[] = ['b', 'c', 'd'];
const per = <K extends string, T>(keys: readonly K[], make: () => T): Record<K, T> => Object.fromEntries(keys.map((k) => [k, make()])) as Record<K, T>;

/** Every measurement of issue 9, phase by phase, each phase round-robin over the variants. */
export async function runAll(world: World, tracker: ProcessTracker, settings: Settings, onShared: (pid: number) => void, log: (line: string) => void): Promise<Results> {
  const variants = makeVariants(world);
  const jumpPid = world.jump.pid;
  if (jumpPid === undefined) throw new Error('the jump sshd is not running');

  log('probe: ssh -v once each (the warm one starts the shared process)');
  const probes = {} as Record<VariantKey, Probe>;
  for (const key of all) probes[key] = await probe(world, variants[key]);
  const shared = await sharedPid(world);
  if (shared === undefined) throw new Error('no shared process after the first warm connect');
  onShared(shared);

  log(`connects: ${settings.connects} rounds of ssh host-1 true`);
  const connectMs = per(all, (): number[] => []);
  const jumpConnections: Record<ProxyKey, number> = { b: 0, c: 0, d: probes.d.jumpConnections };
  for (let i = 0; i < settings.connects; i++) {
    for (const key of rotate(all, i)) {
      const before = jumpConnectionsSoFar(world);
      connectMs[key].push((await connectOnce(world, variants[key].config)).ms);
      if (key !== 'a') jumpConnections[key] += jumpConnectionsSoFar(world) - before;
    }
  }

  log(`round trips: ${settings.roundTrips} on one session each, interleaved`);
  const rtt = await roundTrips(world, tracker, all.map((key) => variants[key].config), settings.roundTrips);
  const roundTripMs = per(all, (): number[] => []);
  all.forEach((key, index) => roundTripMs[key].push(...(rtt[index] ?? [])));

  log(`sshfs: cat of ${settings.files} small files`);
  const sshfsMs = await sshfsPhase(world, tracker, settings, variants, log);

  log(`throughput: ${settings.rounds} rounds of ${settings.transferMiB} MiB down and up`);
  const downMiBs = per(all, (): number[] => []);
  const upMiBs = per(all, (): number[] => []);
  const bytes = settings.transferMiB * MiB;
  const cpuDown = per(all, (): number[] => []);
  const cpuUp = per(all, (): number[] => []);
  const meter = new CpuMeter(() => [...world.pids(), ...tracker.pids(), shared]);
  const perGiB = (ms: number): number => ms / 1000 / (bytes / GiB);
  for (let i = 0; i < settings.rounds; i++) {
    for (const key of rotate(all, i)) {
      downMiBs[key].push(await download(world, tracker, variants[key].config, bytes, meter));
      cpuDown[key].push(perGiB(meter.ms));
    }
    for (const key of rotate(all, i + 1)) {
      upMiBs[key].push(await upload(world, tracker, variants[key].config, bytes, meter));
      cpuUp[key].push(perGiB(meter.ms));
    }
    log(`  round ${i + 1}: down ${all.map((k) => `${k} ${round(downMiBs[k].at(-1) ?? NaN)}`).join(', ')}; up ${all.map((k) => `${k} ${round(upMiBs[k].at(-1) ?? NaN)}`).join(', ')} MiB/s`);
  }

  log(`memory: ProxyCommand peak RSS during ${settings.rssMiB.join(' and ')} MiB downloads`);
  const proxyRss = per(proxies, (): number[] => []);
  const sharedRss: number[] = [];
  for (const [index, mib] of settings.rssMiB.entries()) {
    for (const key of rotate(proxies, index)) {
      const variant = variants[key];
      clearPids(variant);
      const watch = watchPeaks({ pidDir: variant.pidDir, sharedPid: key === 'd' ? shared : undefined, jumpPid });
      await download(world, tracker, variant.recordedConfig, mib * MiB);
      const peaks = watch.stop();
      proxyRss[key].push(peaks.proxyHwm);
      if (key === 'd') sharedRss.push(peaks.sharedRss);
    }
  }
  const sharedHwm = memory(shared)?.hwm ?? NaN;

  log(`parallel: ${settings.sessions} sessions open at once`);
  const parallel = {} as Record<ProxyKey, ParallelPeak>;
  for (const key of proxies) parallel[key] = await parallelSessions(world, tracker, variants[key], settings.sessions, shared);

  log(`bulk: ${settings.bulkStreams} × ${settings.bulkMiB} MiB downloads at once, ${settings.bulkRounds} rounds`);
  const bulkMiBs = per(['c', 'd'] as const, (): number[] => []);
  for (let i = 0; i < settings.bulkRounds; i++) {
    for (const key of rotate(['c', 'd'] as const, i)) bulkMiBs[key].push(await parallelDownload(world, tracker, variants[key].config, settings.bulkStreams, settings.bulkMiB * MiB));
  }
  if ((await sharedPid(world)) !== shared) log('note: the shared process was replaced during the run');
  return { probes, connectMs, jumpConnections, roundTripMs, sshfsMs, downMiBs, upMiBs, cpuDown, cpuUp, proxyRss, sharedRss, sharedHwm, parallel, bulkMiBs };
}

async function sshfsPhase(
  world: World,
  tracker: ProcessTracker,
  settings: Settings,
  variants: ReturnType<typeof makeVariants>,
  log: (line: string) => void,
): Promise<Results['sshfsMs']> {
  const files = makeSmallFiles(world, settings.files);
  const times = per(all, (): number[] => []);
  for (let i = 0; i < settings.sshfsRounds; i++) {
    for (const key of rotate(all, i)) {
      try {
        times[key].push(await catOverSshfs(world, tracker, variants[key].config, files, `${world.dir}/mnt-${key}`));
      } catch (error) {
        if (i === 0 && key === rotate(all, 0)[0]) {
          const why = (error as Error).message.split('\n')[0] ?? 'unknown';
          log(`  sshfs skipped: ${why}`);
          return { skipped: why };
        }
        throw error;
      }
    }
  }
  return times;
}
