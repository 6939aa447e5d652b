import { constants } from 'node:fs';
import { access, lstat, readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { TunnelError } from '../errors.js';

/** The line offered when the config cannot be edited in place. */
export const INCLUDE_ALTERNATIVE = 'Include ~/.ssh/tunnel-config.conf';

/** Where a config path leads: an existing file, nothing yet, or a symbolic link to nothing. */
export interface Resolved {
  kind: 'file' | 'missing' | 'dangling';
  /** Absolute, with every symbolic link resolved; for 'dangling', where the last link points. */
  target: string;
}

const MAX_LINK_HOPS = 40;

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
};

export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `~/.ssh/config` or `~/.ssh/config (-> /real/file)` when the path goes through links. */
export function describePath(path: string, target?: string): string {
  return target === undefined || target === resolve(path) ? path : `${path} (-> ${target})`;
}

/** A file system failure as one line naming the path: `cannot write PATH: no space left on device`. */
export function fsError(error: unknown, action: string, where: string): TunnelError {
  if (error instanceof TunnelError) return error;
  const code = errnoCode(error);
  const reason = (code && REASONS[code]) ?? (code ?? String((error as Error)?.message ?? error)).replace(/\s+/g, ' ');
  return new TunnelError('usage', `cannot ${action} ${where}: ${reason}`, { cause: error });
}

export function changedSinceRead(path: string): TunnelError {
  return new TunnelError('conflict', `${path} changed since it was read (edited by something else meanwhile); nothing was written, run the command again`);
}

export function notEditable(path: string, problem: string): TunnelError {
  return new TunnelError(
    'usage',
    `${path} ${problem}, so tunnel-config will not edit it; keep the tunnel blocks in a file of their own instead: ` +
      `add the line "${INCLUDE_ALTERNATIVE}" at the top of the real config (or of whatever generates it) ` +
      'and run tunnel-config again with --config ~/.ssh/tunnel-config.conf',
  );
}

async function realpathOfParent(path: string): Promise<string> {
  try {
    return join(await realpath(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

/** Follows `path` through any chain of symbolic links; a loop is refused, a dangling link reported. */
export async function resolveTarget(path: string): Promise<Resolved> {
  const absolute = resolve(path);
  try {
    return { kind: 'file', target: await realpath(absolute) };
  } catch (error) {
    if (errnoCode(error) === 'ELOOP') throw notEditable(path, 'is a symbolic link loop');
    if (errnoCode(error) !== 'ENOENT') throw fsError(error, 'resolve', path);
  }
  // realpath only says ENOENT: walk the links by hand to tell "no file yet" from "link to nothing".
  let current = absolute;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw fsError(error, 'resolve', path);
      return { kind: hops === 0 ? 'missing' : 'dangling', target: await realpathOfParent(current) };
    }
    if (!isLink) return { kind: 'file', target: await realpathOfParent(current) };
    current = resolve(dirname(current), await readlink(current));
  }
  throw notEditable(path, 'is a symbolic link loop');
}

async function isWritable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
  } catch {
    return false;
  }
  // root passes access() on any mode, so a file or directory with no write bit at all counts as read-only.
  return ((await stat(path)).mode & 0o222) !== 0;
}

async function nearestExisting(path: string): Promise<string> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      await stat(dir);
      return dir;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || dir === dirname(dir)) throw fsError(error, 'resolve', path);
    }
  }
}

/** Why the resolved file cannot be edited in place (a dangling link, a read-only file or directory), or undefined. */
export async function editProblem(resolved: Resolved): Promise<string | undefined> {
  const { kind, target } = resolved;
  if (kind === 'dangling') return `is a symbolic link to ${target}, which does not exist`;
  if (kind === 'file' && !(await isWritable(target))) return `is read-only (${target})`;
  const dir = kind === 'file' ? dirname(target) : await nearestExisting(dirname(target));
  if (!(await isWritable(dir))) return `is in a read-only directory (${dir})`;
  return undefined;
}
