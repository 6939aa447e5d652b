import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chown, mkdir, open, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { TunnelError } from '../errors.js';
import { errnoCode, fsError, notEditable } from './store-paths.js';

/** Content only: a touch or a re-save of the same bytes is not an edit worth refusing over. */
export function fingerprintOf(bytes: Buffer | undefined): string {
  return bytes === undefined ? 'absent' : `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Exact text of the bytes, a BOM included; refuses anything that would not survive a round trip. */
export function decodeExactly(bytes: Buffer, path: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TunnelError('usage', `${path} is not valid UTF-8, so tunnel-config will not edit it`);
  }
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/** Creates the missing directories down to `dir` with mode 0700, owned (when we are root) like their parent. */
export async function ensureDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  let parent: Stats | undefined;
  for (let current = dir; parent === undefined; current = dirname(current)) {
    try {
      parent = await stat(current);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || current === dirname(current)) throw fsError(error, 'create', dir);
      missing.unshift(current);
    }
  }
  for (const created of missing) {
    try {
      await mkdir(created, { mode: 0o700 });
      if (isRoot()) await chown(created, parent.uid, parent.gid);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw fsError(error, 'create', created);
    }
  }
}

export interface Lock {
  /** Throws if the lock was lost while held (its directory removed or taken as stale). */
  check(): void;
  release(): Promise<void>;
}

/** proper-lockfile's `TARGET.lock` directory next to the target, waited for up to `timeoutMs`. */
export async function lockTarget(path: string, target: string, timeoutMs: number): Promise<Lock> {
  const lockPath = `${target}.lock`;
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false,
      lockfilePath: lockPath,
      stale: 10_000,
      retries: { retries: Math.ceil(timeoutMs / 100) + 1, maxRetryTime: timeoutMs, factor: 1, minTimeout: 100, maxTimeout: 200, randomize: true },
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ELOCKED') {
      throw new TunnelError(
        'conflict',
        `${path} is locked by another tunnel-config run (${lockPath}); try again when it has finished, or remove ${lockPath} if none is running`,
      );
    }
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') throw notEditable(path, `is in a directory we cannot write (${dirname(target)})`);
    throw fsError(error, 'lock', path);
  }
  return {
    check() {
      if (compromised) throw new TunnelError('conflict', `lost the lock on ${path} (${lockPath}) while editing it; nothing was written, run the command again`);
    },
    async release() {
      // A lock we cannot remove goes stale and is taken over after 10 s; the edit itself is done.
      await release().catch(() => {});
    },
  };
}

function backupStamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** Copies `bytes` to `TARGET.tunnel-config-backup-<UTC stamp>[-n]` (0600, owner kept, fsynced); returns its path. */
export async function writeBackup(target: string, bytes: Buffer, owner: Stats, now: Date, path: string): Promise<string> {
  const base = join(dirname(target), `${basename(target)}.tunnel-config-backup-${backupStamp(now)}`);
  for (let n = 1; n < 1000; n++) {
    const backup = n === 1 ? base : `${base}-${n}`;
    let handle;
    try {
      handle = await open(backup, 'wx', 0o600);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') continue;
      throw fsError(error, 'back up', `${path} to ${backup}`);
    }
    try {
      await handle.writeFile(bytes);
      await handle.chmod(0o600);
      if (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.()) {
        await handle.chown(owner.uid, owner.gid).catch((error: unknown) => {
          if (isRoot()) throw error;
        });
      }
      await handle.sync();
      await handle.close();
      return backup;
    } catch (error) {
      await handle.close().catch(() => {});
      await removeQuietly(backup);
      throw fsError(error, 'back up', `${path} to ${backup}`);
    }
  }
  throw new TunnelError('usage', `cannot back up ${path}: too many backups named ${base}-*`);
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => {});
}

/** Makes a rename in `dir` durable; write-file-atomic fsyncs the file but not its directory. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EBADF', 'EPERM'].includes(errnoCode(error) ?? '')) throw error;
  }
}
