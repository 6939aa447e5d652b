import type { ProcessTracker } from '../test/support/process.js';
import type { World } from '../test/world.js';
import type { CpuMeter } from './cpu.js';
import { Session } from './session.js';
import { MiB } from './stats.js';

const READY_MS = 60_000;
/** A transfer slower than this is broken, not slow. */
const boundMs = (bytes: number): number => 30_000 + (bytes / MiB) * 500;
const zeros = Buffer.alloc(MiB);

/** `ssh host-1 true` with this config: its wall time in ms. */
export async function connectOnce(world: World, config: string, extraArgs: string[] = []): Promise<{ ms: number; stderr: string }> {
  const result = await world.ssh([...extraArgs, 'host-1', 'true'], { configPath: config, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`ssh -F ${config} host-1 true exited ${result.code}: ${result.stderr}`);
  return { ms: result.ms, stderr: result.stderr };
}

/** A session whose remote waits for one line from us before it sends `bytes` zeros: ready once it says R. */
export async function openDownload(world: World, tracker: ProcessTracker, config: string, bytes: number): Promise<Session> {
  const session = new Session(world, tracker, config, `echo R; read go; exec head -c ${bytes} /dev/zero`);
  await session.waitFor('R\n', READY_MS);
  session.count();
  return session;
}

/** Starts the download of an open session; resolves with when it was started and when the last byte came. */
export async function runDownload(session: Session, bytes: number, meter?: CpuMeter): Promise<{ startedAt: number; endedAt: number }> {
  meter?.start();
  const startedAt = performance.now();
  await session.write('\n');
  session.endInput();
  const { bytes: got, endedAt } = await session.drain(boundMs(bytes));
  meter?.stop();
  const code = await session.close();
  if (got !== bytes || code !== 0) throw new Error(`download: got ${got} of ${bytes} bytes, ssh exited ${code}: ${session.tracked.stderr()}`);
  return { startedAt, endedAt };
}

/** MiB/s host → client, from the moment the remote is told to start to the last byte (login excluded). */
export async function download(world: World, tracker: ProcessTracker, config: string, bytes: number, meter?: CpuMeter): Promise<number> {
  const session = await openDownload(world, tracker, config, bytes);
  const { startedAt, endedAt } = await runDownload(session, bytes, meter);
  return bytes / MiB / ((endedAt - startedAt) / 1000);
}

/** MiB/s client → host, from our first byte to the remote's count of them (login excluded). */
export async function upload(world: World, tracker: ProcessTracker, config: string, bytes: number, meter?: CpuMeter): Promise<number> {
  const session = new Session(world, tracker, config, 'echo R; exec wc -c');
  await session.waitFor('R\n', READY_MS);
  meter?.start();
  const startedAt = performance.now();
  for (let sent = 0; sent < bytes; sent += zeros.length) await session.write(sent + zeros.length <= bytes ? zeros : zeros.subarray(0, bytes - sent));
  session.endInput();
  await session.waitFor(`${bytes}\n`, boundMs(bytes));
  const endedAt = performance.now();
  meter?.stop();
  const code = await session.close();
  if (code !== 0) throw new Error(`upload: ssh exited ${code}: ${session.tracked.stderr()}`);
  return bytes / MiB / ((endedAt - startedAt) / 1000);
}

/** n downloads of `bytes` each, all told to start at once: aggregate MiB/s from the start to the last byte of all. */
export async function parallelDownload(world: World, tracker: ProcessTracker, config: string, n: number, bytes: number): Promise<number> {
  const sessions = await Promise.all(Array.from({ length: n }, () => openDownload(world, tracker, config, bytes)));
  const runs = await Promise.all(sessions.map((session) => runDownload(session, bytes)));
  const startedAt = Math.min(...runs.map((run) => run.startedAt));
  const endedAt = Math.max(...runs.map((run) => run.endedAt));
  return (n * bytes) / MiB / ((endedAt - startedAt) / 1000);
}
