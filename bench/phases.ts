import type { ProcessTracker } from '../test/support/process.js';
import type { World } from '../test/world.js';
import { childrenOf, recordedPids, watchPeaks } from './procs.js';
import { Session } from './session.js';
import { MiB } from './stats.js';
import { connectOnce } from './transfer.js';
import { clearPids, type Variant, type VariantKey } from './variants.js';

export type ProxyKey = Exclude<VariantKey, 'a'>;
export type PerVariant<K extends string, T> = Record<K, T>;

/** The variants in round `round`'s order: each round starts one further along, so none always goes first. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** TCP connections the jump's sshd accepted so far (one DEBUG1 line each). */
export const jumpConnectionsSoFar = (world: World): number => (world.jump.currentLog().match(/^Connection from 127\.0\.0\.1 port \d+/gm) ?? []).length;

/** A cipher named in `text` by ssh -v (`kex: server->client cipher: X MAC: Y`) or by sshd's DEBUG1 log. */
export function cipherIn(text: string, direction: 'server->client' | 'client->server'): string {
  const match = new RegExp(`kex: ${direction} cipher: (\\S+) MAC: (\\S+)`).exec(text);
  if (!match) return 'unknown';
  return match[2] === '<implicit>' ? (match[1] ?? 'unknown') : `${match[1]} + ${match[2]}`;
}

export interface Probe {
  endToEnd: string;
  /** The jump hop's cipher as the jump's sshd logged it; undefined for direct ssh. */
  jumpHop: string | undefined;
  jumpConnections: number;
}

/** `ssh -v host-1 true` once: the ciphers used end to end and on the jump hop (for (d), this starts the shared process). */
export async function probe(world: World, variant: Variant): Promise<Probe> {
  const before = world.jump.currentLog().length;
  const connections = jumpConnectionsSoFar(world);
  const { stderr } = await connectOnce(world, variant.config, ['-v']);
  const jumpLog = world.jump.currentLog().slice(before);
  const jumpConnections = jumpConnectionsSoFar(world) - connections;
  return { endToEnd: cipherIn(stderr, 'server->client'), jumpHop: jumpConnections > 0 ? cipherIn(jumpLog, 'client->server') : undefined, jumpConnections };
}

export interface ParallelPeak {
  /** Sum of the RSS of every proxy process, plus the shared process, at the highest sample (MiB). */
  totalRss: number;
  /** Jump sshd connection processes carrying these sessions at the peak. */
  jumpConnections: number;
  /** TCP connections the jump accepted during the phase. */
  acceptedConnections: number;
  /** Proxy processes still alive 1 s after their ssh exited. */
  lingering: number;
}

/**
 * `count` sessions open at once (each waits until all are logged in), then each reads 1 MiB and ends.
 * Peaks are sampled while all are open; the shared process's connection counts for (d).
 */
export async function parallelSessions(world: World, tracker: ProcessTracker, variant: Variant, count: number, sharedPid: number | undefined): Promise<ParallelPeak> {
  clearPids(variant);
  const jumpPid = world.jump.pid;
  if (jumpPid === undefined) throw new Error('the jump sshd is not running');
  const baseline = childrenOf(jumpPid).length;
  const accepted = jumpConnectionsSoFar(world);
  const watch = watchPeaks({ pidDir: variant.pidDir, sharedPid: variant.key === 'd' ? sharedPid : undefined, jumpPid, intervalMs: 100 });
  const command = `echo R; read go; exec head -c ${MiB} /dev/zero`;
  const sessions = Array.from({ length: count }, () => new Session(world, tracker, variant.recordedConfig, command));
  await Promise.all(sessions.map((session) => session.waitFor('R\n', 120_000)));
  for (const session of sessions) session.count();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const peaks = watch.stop();
  const acceptedConnections = jumpConnectionsSoFar(world) - accepted;
  await Promise.all(sessions.map((session) => session.write('\n').then(() => session.endInput())));
  const drained = await Promise.all(sessions.map((session) => session.drain(60_000)));
  const codes = await Promise.all(sessions.map((session) => session.close()));
  const bad = drained.findIndex((d, i) => d.bytes !== MiB || codes[i] !== 0);
  if (bad >= 0) throw new Error(`parallel session ${bad} (${variant.name}): ${drained[bad]?.bytes} bytes, exit ${codes[bad]}: ${sessions[bad]?.tracked.stderr()}`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const lingering = recordedPids(variant.pidDir).length;
  const sharedCarrier = variant.key === 'd' ? 1 : 0;
  return { totalRss: peaks.totalRss, jumpConnections: peaks.jumpChildren - baseline + sharedCarrier, acceptedConnections, lingering };
}
