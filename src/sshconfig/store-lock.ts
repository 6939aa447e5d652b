import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TunnelError } from '../errors.js';
import { CREATE_NEW, type Directory, READ_IN_PLACE } from './store-dir.js';
import { errnoCode } from './store-paths.js';
import { isRunning } from './store-write.js';

/** A lock nobody has touched for this long is taken over: its run is on another machine and gone, or hung. */
export const LOCK_STALE_MS = 10_000;
const TOUCH_EVERY_MS = 2_000;

export interface Lock {
  /** Throws 'conflict' if the lock is no longer ours (taken over, removed). */
  check(): Promise<void>;
  release(): Promise<void>;
}

export interface LockOptions {
  /** The config as given, for messages. */
  path: string;
  timeoutMs: number;
  /** Tells the user, on stderr, what the run is waiting for. */
  notify: (message: string) => void;
}

/** Who holds the lock, as its file says (`<pid> <host>`), and its inode so that a takeover removes only that one. */
interface Holder {
  stats: Stats;
  pid?: number;
  host?: string;
}

async function readHolder(dir: Directory, name: string): Promise<Holder | undefined> {
  const stats = await lstat(dir.at(name)).catch((error: unknown) => (errnoCode(error) === 'ENOENT' ? undefined : Promise.reject(error)));
  // A directory is the lock of an older tunnel-config (proper-lockfile), which says nothing of its holder.
  if (stats === undefined || !stats.isFile()) return stats && { stats };
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir.at(name), READ_IN_PLACE);
    const text = (await handle.readFile('utf8')).slice(0, 300);
    const match = /^(\d+) (\S+)\n/.exec(text);
    return match ? { stats, pid: Number(match[1]), host: match[2] } : { stats };
  } catch (error) {
    if (['ENOENT', 'ELOOP'].includes(errnoCode(error) ?? '')) return { stats };
    throw error;
  } finally {
    await handle?.close();
  }
}

/** Why the holder's lock may be taken over, or undefined while it is alive. */
function staleness(holder: Holder): string | undefined {
  if (holder.pid !== undefined && holder.host === hostname() && !isRunning(holder.pid)) return 'is no longer running';
  if (Date.now() - holder.stats.mtimeMs > LOCK_STALE_MS) return `has not touched it for ${LOCK_STALE_MS / 1000} s`;
  return undefined;
}

/** Moves the stale lock aside and removes it, unless another run took it over first (then it is put back). */
async function takeOver(dir: Directory, name: string, holder: Holder): Promise<boolean> {
  const aside = `${name}.${randomBytes(8).toString('hex')}.stale`;
  try {
    await rename(dir.at(name), dir.at(aside));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
  const moved = await lstat(dir.at(aside));
  const same = moved.ino === holder.stats.ino && moved.dev === holder.stats.dev;
  if (!same && moved.isFile()) await link(dir.at(aside), dir.at(name)).catch(() => {});
  await rm(dir.at(aside), { recursive: true, force: true });
  return same;
}

function waitingMessage(options: LockOptions, lockPath: string, holder: Holder): string {
  const seconds = LOCK_STALE_MS / 1000;
  if (holder.pid === undefined) {
    return `waiting for the lock on ${options.path} (${lockPath}), held by an unknown process; it is taken over after ${seconds} s without a sign of life`;
  }
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return `waiting for process ${holder.pid}${where}, another tunnel-config run, to release its lock on ${options.path} (${lockPath}); if that process is gone, the lock is taken over within ${seconds} s`;
}

/** Holds the lock while the handle is open: touches it so waiters know we are alive. */
function held(dir: Directory, name: string, handle: FileHandle, ours: Stats, options: LockOptions, lockPath: string): Lock {
  const timer = setInterval(() => {
    const now = new Date();
    handle.utimes(now, now).catch(() => {});
  }, TOUCH_EVERY_MS);
  timer.unref();
  const isOurs = async () => {
    const now = await lstat(dir.at(name)).catch(() => undefined);
    return now !== undefined && now.ino === ours.ino && now.dev === ours.dev;
  };
  return {
    async check() {
      if (!(await isOurs())) throw new TunnelError('conflict', `lost the lock on ${options.path} (${lockPath}) while editing it; nothing was written, run the command again`);
    },
    async release() {
      clearInterval(timer);
      // A lock we cannot remove is taken over by the next run, since our process will be gone.
      if (await isOurs()) await rm(dir.at(name), { force: true }).catch(() => {});
      await handle.close().catch(() => {});
    },
  };
}

/**
 * Takes `NAME.lock` in `dir`: a file made with O_EXCL holding `<pid> <host>`. A lock whose process is gone
 * (on this host) or that has not been touched for 10 s is taken over; otherwise the wait is said on stderr.
 */
export async function lockFile(dir: Directory, name: string, options: LockOptions): Promise<Lock> {
  const lockName = `${name}.lock`;
  const lockPath = join(dir.path, lockName);
  const deadline = Date.now() + options.timeoutMs;
  let told = false;
  for (;;) {
    try {
      const handle = await open(dir.at(lockName), CREATE_NEW | constants.O_WRONLY, 0o644);
      try {
        await handle.write(`${process.pid} ${hostname()}\n`);
        return held(dir, lockName, handle, await handle.stat(), options, lockPath);
      } catch (error) {
        await handle.close().catch(() => {});
        await rm(dir.at(lockName), { force: true }).catch(() => {});
        throw error;
      }
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
    const holder = await readHolder(dir, lockName);
    if (holder === undefined) continue;
    const stale = staleness(holder);
    if (stale !== undefined) {
      if (await takeOver(dir, lockName, holder)) {
        const whose = holder.pid === undefined ? 'an unknown process' : `process ${holder.pid}`;
        options.notify(`took over the lock on ${options.path} (${lockPath}) from ${whose}, which ${stale}`);
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new TunnelError(
        'conflict',
        `${options.path} is locked by another tunnel-config run (${lockPath}); try again when it has finished, or remove ${lockPath} if none is running`,
      );
    }
    // A lock file just made may not say its holder yet: give it a moment before saying who it is.
    if (!told && (holder.pid !== undefined || Date.now() - holder.stats.mtimeMs > 1000)) {
      options.notify(waitingMessage(options, lockPath, holder));
      told = true;
    }
    await sleep(100 + Math.random() * 100);
  }
}
