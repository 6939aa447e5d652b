import type { Stats } from 'node:fs';
import { readFile, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TunnelError } from '../errors.js';
import { pruneBackups, writeBackup } from './store-backup.js';
import { readInPlace } from './store-dir.js';
import { decodeExactly, fingerprintOf, isRoot } from './store-io.js';
import { lockFile } from './store-lock.js';
import { changedSinceRead, describePath, editProblem, errnoCode, fsError, notEditable, resolveTarget, type Resolved } from './store-paths.js';
import { checkTrust, fileProblem, openConfigDirectory } from './store-trust.js';
import { removeStaleTemps, replaceFile } from './store-write.js';

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
  /** How long to wait for another run's lock (default 12 s, beyond the 10 s after which a silent run's lock is stale). */
  lockTimeoutMs?: number;
  /** Where to say that the run waits for, or took over, another run's lock; default stderr. */
  notify?: (message: string) => void;
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

/** Throws the error `updateConfig` would for a config it cannot or will not edit in place; call it before asking questions. */
export async function assertEditable(path: string): Promise<void> {
  const resolved = await resolveTarget(path);
  const problem = await editProblem(resolved);
  if (problem !== undefined) throw notEditable(path, problem);
  await checkTrust(path, resolved);
}

function encodeExactly(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.toString('utf8') !== text) throw new TunnelError('internal', 'the new config text has unpaired UTF-16 surrogates');
  return bytes;
}

const toStderr = (message: string): void => {
  process.stderr.write(`tunnel-config: ${message}\n`);
};

/**
 * Checks the config is the owner's alone, locks it, re-reads it, lets `change` compute the new text, checks
 * nothing changed since `expectedFingerprint`, backs the old bytes up next to the target (keeping the newest
 * five) and replaces it atomically, keeping mode and owner; a new file is 0600. Every file is made in the
 * target's directory as opened, with O_EXCL and never through a link.
 */
export async function updateConfig(path: string, change: (text: string) => string, options: UpdateOptions = {}): Promise<UpdateResult> {
  const resolved = await resolveTarget(path);
  const { target } = resolved;
  const where = describePath(path, target);
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
  const trusted = await checkTrust(path, resolved);
  const name = basename(target);
  const dir = await openConfigDirectory(path, target, trusted);
  try {
    const lock = await lockFile(dir, name, { path, timeoutMs: options.lockTimeoutMs ?? 12_000, notify: options.notify ?? toStderr }).catch((error: unknown) => {
      const code = errnoCode(error);
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') throw notEditable(path, `is in a directory we cannot write (${dir.path})`);
      throw fsError(error, 'lock', path);
    });
    try {
      // Another run may have created the file, or the links been repointed, while we waited for the lock.
      const locked = await resolveTarget(path);
      if (locked.target !== target || locked.kind === 'dangling') throw changedSinceRead(path);
      await removeStaleTemps(dir, name, trusted.owner).catch(() => {});
      const snapshot = await readInPlace(dir, name, path, where);
      const changedHands = snapshot.stats && trusted.owner !== undefined && fileProblem(where, target, snapshot.stats, trusted.owner);
      if (changedHands) throw changedHands;
      const { bytes, result } = compute(snapshot);
      if (!result.changed) return result;

      const old = snapshot.stats;
      const backup = snapshot.bytes && old ? await writeBackup(dir, name, snapshot.bytes, old, options.now ?? new Date(), path) : undefined;
      const owner = old ?? (isRoot() ? dir.stats : undefined);
      let lastLookDone = false;
      try {
        await replaceFile(dir, name, bytes, { mode: old ? old.mode & 0o7777 : 0o600, ...(owner && { owner: { uid: owner.uid, gid: owner.gid } }) }, async () => {
          // The last look before the rename: an editor that saved while we held the lock wins.
          await lock.check();
          const now = await readInPlace(dir, name, path, where);
          if (fingerprintOf(now.bytes) !== fingerprintOf(snapshot.bytes)) throw changedSinceRead(path);
          lastLookDone = true;
        });
      } catch (error) {
        if (backup === undefined) throw fsError(error, 'write', where);
        // Once renamed, the previous bytes may be nowhere but in the backup.
        if (!lastLookDone) await unlink(dir.at(basename(backup))).catch(() => {});
        else if (error instanceof TunnelError) throw new TunnelError(error.code, `${error.message}; the previous content is in ${backup}`);
        throw fsError(error, 'write', where);
      }
      await dir.sync().catch((error: unknown) => {
        throw fsError(error, 'sync the directory of', where);
      });
      await pruneBackups(dir, name).catch(() => {});
      return { ...result, ...(backup !== undefined && { backup }) };
    } finally {
      await lock.release();
    }
  } finally {
    await dir.close();
  }
}
