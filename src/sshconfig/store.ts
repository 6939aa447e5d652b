import type { Stats } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { TunnelError } from '../errors.js';
import { decodeExactly, ensureDirectory, fingerprintOf, isRoot, lockTarget, removeQuietly, syncDirectory, writeBackup } from './store-io.js';
import { describePath, editProblem, errnoCode, fsError, notEditable, resolveTarget, type Resolved } from './store-paths.js';

export { INCLUDE_ALTERNATIVE } from './store-paths.js';

/** An ssh_config file as read: its exact text and a fingerprint to notice edits made after this read. */
export interface ConfigFile {
  /** As given. */
  path: string;
  /** Absolute, through every symbolic link: the file that is read and written. */
  target: string;
  /** The exact UTF-8 text, BOM and line endings included; '' when the file does not exist. */
  text: string;
  exists: boolean;
  /** Permission bits, e.g. 0o600, when the file exists. */
  mode?: number;
  /** `sha256:<hex>` of the bytes, or `absent`. */
  fingerprint: string;
}

export interface UpdateOptions {
  /** From an earlier `readConfig`: refuse (code 'conflict') if the file has changed since. */
  expectedFingerprint?: string;
  /** Names the backup; defaults to the current time. */
  now?: Date;
  /** Compute before/after only: no lock, no backup, no write, no directory created. */
  dryRun?: boolean;
  /** How long to wait for another run's lock (default 12 s, beyond the 10 s after which a dead run's lock is stale). */
  lockTimeoutMs?: number;
}

export interface UpdateResult {
  changed: boolean;
  /** Where the previous bytes were copied; undefined for a new file, a dry run, or no change. */
  backup?: string;
  before: string;
  after: string;
  target: string;
  /** The fingerprint of `after`, for a following update. */
  fingerprint: string;
}

export function defaultConfigPath(home: string): string {
  return join(home, '.ssh', 'config');
}

interface Snapshot {
  bytes?: Buffer;
  stats?: Stats;
}

async function readSnapshot(path: string, resolved: Resolved): Promise<Snapshot> {
  if (resolved.kind === 'dangling') return {};
  const where = describePath(path, resolved.target);
  try {
    const stats = await stat(resolved.target);
    if (stats.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    if (!stats.isFile()) throw new TunnelError('usage', `${where} is not a regular file`);
    return { bytes: await readFile(resolved.target), stats };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return {};
    throw fsError(error, 'read', where);
  }
}

export async function readConfig(path: string): Promise<ConfigFile> {
  const resolved = await resolveTarget(path);
  const { bytes, stats } = await readSnapshot(path, resolved);
  return {
    path,
    target: resolved.target,
    text: bytes === undefined ? '' : decodeExactly(bytes, path),
    exists: bytes !== undefined,
    ...(stats && { mode: stats.mode & 0o7777 }),
    fingerprint: fingerprintOf(bytes),
  };
}

/** Throws the error `updateConfig` would for a config it cannot edit in place; call it before asking questions. */
export async function assertEditable(path: string): Promise<void> {
  const problem = await editProblem(await resolveTarget(path));
  if (problem !== undefined) throw notEditable(path, problem);
}

function changedSinceRead(path: string): TunnelError {
  return new TunnelError('conflict', `${path} changed since it was read (edited by something else meanwhile); nothing was written, run the command again`);
}

function encodeExactly(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.toString('utf8') !== text) throw new TunnelError('internal', 'the new config text has unpaired UTF-16 surrogates');
  return bytes;
}

/**
 * Locks the target, re-reads it, lets `change` compute the new text, checks nothing changed since
 * `expectedFingerprint`, backs the old bytes up next to the target and writes the new ones atomically
 * (temp file in the target's directory, fsync, rename), keeping mode and owner; a new file is 0600.
 */
export async function updateConfig(path: string, change: (text: string) => string, options: UpdateOptions = {}): Promise<UpdateResult> {
  const resolved = await resolveTarget(path);
  const { target } = resolved;
  const compute = (snapshot: Snapshot) => {
    const fingerprint = fingerprintOf(snapshot.bytes);
    if (options.expectedFingerprint !== undefined && options.expectedFingerprint !== fingerprint) throw changedSinceRead(path);
    const before = snapshot.bytes === undefined ? '' : decodeExactly(snapshot.bytes, path);
    const after = change(before);
    const bytes = encodeExactly(after);
    return { bytes, result: { changed: after !== before, before, after, target, fingerprint: fingerprintOf(bytes) } };
  };
  if (options.dryRun) return compute(await readSnapshot(path, resolved)).result;

  const problem = await editProblem(resolved);
  if (problem !== undefined) throw notEditable(path, problem);
  if (resolved.kind === 'missing') await ensureDirectory(dirname(target));
  const lock = await lockTarget(path, target, options.lockTimeoutMs ?? 12_000);
  try {
    // Another run may have created the file, or the links been repointed, while we waited for the lock.
    const locked = await resolveTarget(path);
    if (locked.target !== target || locked.kind === 'dangling') throw changedSinceRead(path);
    const snapshot = await readSnapshot(path, locked);
    const { bytes, result } = compute(snapshot);
    if (!result.changed) return result;

    const old = snapshot.stats;
    const backup = snapshot.bytes && old ? await writeBackup(target, snapshot.bytes, old, options.now ?? new Date(), path) : undefined;
    const owner = old ?? (isRoot() ? await stat(dirname(target)) : undefined);
    try {
      await writeFileAtomic(target, bytes, {
        mode: old ? old.mode & 0o7777 : 0o600,
        chown: owner && { uid: owner.uid, gid: owner.gid },
        fsync: true,
        tmpfileCreated: async (tmpfile) => {
          // write-file-atomic 7 ignores short writes (a nearly full disk) and would rename a truncated file
          // over the config; writing it all here first makes its own write an overwrite with the same bytes.
          await writeFile(tmpfile, bytes);
          // The last look before the rename: an editor that saved while we held the lock wins.
          lock.check();
          const now = await readFile(target).catch((error: unknown) => (errnoCode(error) === 'ENOENT' ? undefined : Promise.reject(error)));
          if (fingerprintOf(now) !== fingerprintOf(snapshot.bytes)) throw changedSinceRead(path);
        },
      });
    } catch (error) {
      if (backup !== undefined) await removeQuietly(backup);
      throw fsError(error, 'write', describePath(path, target));
    }
    if (!bytes.equals(await readFile(target))) {
      const previous = backup === undefined ? '' : `; the previous content is in ${backup}`;
      throw new TunnelError('internal', `${describePath(path, target)} reads back different from what was written${previous}`);
    }
    await syncDirectory(dirname(target)).catch((error: unknown) => {
      throw fsError(error, 'sync the directory of', describePath(path, target));
    });
    return { ...result, ...(backup !== undefined && { backup }) };
  } finally {
    await lock.release();
  }
}
