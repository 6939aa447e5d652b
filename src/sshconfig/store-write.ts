import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TunnelError } from '../errors.js';
import { CREATE_NEW, type Directory } from './store-dir.js';
import { errnoCode } from './store-paths.js';

/** A temporary file left longer than this is stale even if a process of its pid is running. */
const STALE_TEMP_MS = 60_000;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `.config.tunnel-config-<pid>-<16 random hex>.tmp`: unguessable, and recognisably ours and whose. */
function tempName(name: string): string {
  return `.${name}.tunnel-config-${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
}

const tempPattern = (name: string) => new RegExp(`^\\.${escapeRegExp(name)}\\.tunnel-config-(\\d+)-[0-9a-f]{16}\\.tmp$`);

/** False only when no process of that pid exists (EPERM: it exists, as another user's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== 'ESRCH';
  }
}

/**
 * Removes temporary files of `name` that a killed run left behind: only regular files with our name
 * pattern, owned by us or by `owner`, whose writer is gone or that are older than a minute.
 */
export async function removeStaleTemps(dir: Directory, name: string, owner: number | undefined): Promise<void> {
  const pattern = tempPattern(name);
  const owners = [process.getuid?.(), owner];
  for (const entry of await readdir(dir.at('.'))) {
    const pid = pattern.exec(entry)?.[1];
    if (pid === undefined) continue;
    const stats = await lstat(dir.at(entry)).catch(() => undefined);
    if (!stats?.isFile() || !owners.includes(stats.uid)) continue;
    if (isRunning(Number(pid)) && Date.now() - stats.mtimeMs < STALE_TEMP_MS) continue;
    await unlink(dir.at(entry)).catch(() => {});
  }
}

/** A file system without owners, or a user who may not give files away: the file stays ours, as it was. */
export function chownFailureIsFine(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOSYS' || (process.getuid?.() !== 0 && (code === 'EINVAL' || code === 'EPERM'));
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, offset);
    // A write that makes no progress is a full disk that did not say so.
    if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    offset += bytesWritten;
  }
}

async function readsBackAs(handle: FileHandle, bytes: Buffer): Promise<boolean> {
  const back = Buffer.alloc(bytes.length + 1);
  let length = 0;
  for (;;) {
    const { bytesRead } = await handle.read(back, length, back.length - length, length);
    length += bytesRead;
    if (bytesRead === 0 || length === back.length) break;
  }
  return length === bytes.length && back.subarray(0, length).equals(bytes);
}

export interface Attributes {
  mode: number;
  /** Set when the file should belong to someone else than whoever we run as. */
  owner?: { uid: number; gid: number };
}

/**
 * Replaces `name` in `dir` with `bytes`: a new temporary file (O_EXCL, O_NOFOLLOW, unguessable name), written,
 * owned, moded and synced through its descriptor only, then renamed over `name`. `beforeRename` is the last
 * chance to call it off. Throws 'conflict' if what ends up at `name` is not the file written.
 */
export async function replaceFile(dir: Directory, name: string, bytes: Buffer, attributes: Attributes, beforeRename: () => Promise<void>): Promise<void> {
  let temp = tempName(name);
  let handle: FileHandle | undefined;
  for (let tries = 1; handle === undefined; tries++) {
    try {
      handle = await open(dir.at(temp), CREATE_NEW | constants.O_RDWR, 0o600);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST' || tries === 5) throw error;
      temp = tempName(name);
    }
  }
  let renamed = false;
  try {
    await writeAll(handle, bytes);
    const { owner } = attributes;
    if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
      // Chown before chmod: chown clears set-id bits.
      await handle.chown(owner.uid, owner.gid).catch((error: unknown) => {
        if (!chownFailureIsFine(error)) throw error;
      });
    }
    await handle.chmod(attributes.mode);
    await handle.sync();
    if (!(await readsBackAs(handle, bytes))) throw new TunnelError('internal', `the temporary file for ${name} reads back different from what was written`);
    const written = await handle.stat();
    await beforeRename();
    await rename(dir.at(temp), dir.at(name));
    renamed = true;
    const now = await lstat(dir.at(name));
    if (now.ino !== written.ino || now.dev !== written.dev) {
      throw new TunnelError('conflict', `${join(dir.path, name)} was replaced by something else while it was being written; check it, then run the command again`);
    }
  } finally {
    await handle.close().catch(() => {});
    // Whatever is at the temporary name now, unlink removes only that entry: it never follows a link.
    if (!renamed) await unlink(dir.at(temp)).catch(() => {});
  }
}
