import { constants, type Stats } from 'node:fs';
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TunnelError } from '../errors.js';
import { changedSinceRead, errnoCode, fsError } from './store-paths.js';

/** Flags for a file of our own: created here and now, never through a link. */
export const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
/** Flags to read what is there without following a link or blocking on a FIFO. */
export const READ_IN_PLACE = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The directory of the config, held open so that every file operation lands in this very directory. */
export interface Directory {
  /** Its real path, for messages. */
  readonly path: string;
  /** Of the open directory itself, not of whatever its path leads to now. */
  readonly stats: Stats;
  /** A path to `name` in this directory, even if the path to the directory has been repointed since it was opened. */
  at(name: string): string;
  /** Makes renames and removals in it durable. */
  sync(): Promise<void>;
  chown(uid: number, gid: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens `dir` and, where the system has /proc/self/fd (Linux), names files through the open descriptor:
 * whoever owns a directory above cannot swap it for a link to somewhere else between our check and our
 * write. Elsewhere the path is used as it is.
 */
export async function openDirectory(dir: string, shownAs = dir): Promise<Directory> {
  const handle: FileHandle = await open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    let stats = await handle.stat();
    const pinned = `/proc/self/fd/${handle.fd}`;
    const same = await stat(pinned).then(
      (seen) => seen.ino === stats.ino && seen.dev === stats.dev,
      () => false,
    );
    const base = same ? pinned : dir;
    return {
      path: shownAs,
      get stats() {
        return stats;
      },
      at: (name) => join(base, name),
      async sync() {
        try {
          await handle.sync();
        } catch (error) {
          // Some file systems cannot sync a directory; the rename is then as durable as they make it.
          if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EBADF', 'EPERM'].includes(errnoCode(error) ?? '')) throw error;
        }
      },
      async chown(uid, gid) {
        await handle.chown(uid, gid);
        stats = await handle.stat();
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Makes the directories `names` one in another in `dir` (0700; as root, owned like `dir`) and returns the last
 * one open (or `dir` itself); each is made and opened through its parent, never through a link.
 */
export async function makeDirectories(dir: Directory, names: string[]): Promise<Directory> {
  let current = dir;
  try {
    for (const name of names) {
      let made = true;
      await mkdir(current.at(name), { mode: 0o700 }).catch((error: unknown) => {
        if (errnoCode(error) !== 'EEXIST') throw error;
        made = false;
      });
      const next = await openDirectory(current.at(name), join(current.path, name));
      if (current !== dir) await current.close();
      current = next;
      if (made && process.getuid?.() === 0) await current.chown(dir.stats.uid, dir.stats.gid);
    }
    return current;
  } catch (error) {
    if (current !== dir) await current.close();
    throw error;
  }
}

/** Reads `name` in `dir` as it is now: not through a link (a config turned into one has changed), never blocking on a FIFO. */
export async function readInPlace(dir: Directory, name: string, path: string, where: string): Promise<{ bytes?: Buffer; stats?: Stats }> {
  let handle: FileHandle;
  try {
    handle = await open(dir.at(name), READ_IN_PLACE);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return {};
    if (errnoCode(error) === 'ELOOP') throw changedSinceRead(path);
    throw fsError(error, 'read', where);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    if (!stats.isFile()) throw new TunnelError('usage', `${where} is not a regular file`);
    return { bytes: await handle.readFile(), stats };
  } catch (error) {
    throw fsError(error, 'read', where);
  } finally {
    await handle.close();
  }
}
