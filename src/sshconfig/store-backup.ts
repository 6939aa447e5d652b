import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { lstat, open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TunnelError } from '../errors.js';
import { CREATE_NEW, type Directory } from './store-dir.js';
import { errnoCode, fsError } from './store-paths.js';
import { chownFailureIsFine } from './store-write.js';

/** How many backups of a file are kept: enough to go back a few edits, not a pile. */
export const BACKUPS_KEPT = 5;

function backupStamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** Copies `bytes` to `NAME.tunnel-config-backup-<UTC stamp>[-n]` in `dir` (0600, owner kept, synced); returns its path. */
export async function writeBackup(dir: Directory, name: string, bytes: Buffer, owner: Stats, now: Date, path: string): Promise<string> {
  const base = `${name}.tunnel-config-backup-${backupStamp(now)}`;
  // Numbered after the highest of this second, not in the first gap: pruned ones leave gaps.
  let highest = 0;
  for (const entry of await readdir(dir.at('.')).catch(() => [])) {
    const n = entry === base ? 1 : entry.startsWith(`${base}-`) ? Number(entry.slice(base.length + 1)) : 0;
    if (Number.isSafeInteger(n)) highest = Math.max(highest, n);
  }
  for (let n = highest + 1; n < highest + 1000; n++) {
    const backup = n === 1 ? base : `${base}-${n}`;
    const where = join(dir.path, backup);
    let handle;
    try {
      handle = await open(dir.at(backup), CREATE_NEW | constants.O_WRONLY, 0o600);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') continue;
      throw fsError(error, 'back up', `${path} to ${where}`);
    }
    try {
      await handle.writeFile(bytes);
      if (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.()) {
        await handle.chown(owner.uid, owner.gid).catch((error: unknown) => {
          if (!chownFailureIsFine(error)) throw error;
        });
      }
      await handle.chmod(0o600);
      await handle.sync();
      await handle.close();
      return where;
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(dir.at(backup)).catch(() => {});
      throw fsError(error, 'back up', `${path} to ${where}`);
    }
  }
  throw new TunnelError('usage', `cannot back up ${path}: too many backups named ${join(dir.path, base)}-*`);
}

/** Removes all but the newest `BACKUPS_KEPT` backups of `name`: regular files only, by stamp then number. */
export async function pruneBackups(dir: Directory, name: string): Promise<void> {
  const prefix = `${name}.tunnel-config-backup-`;
  const backups: { entry: string; key: string }[] = [];
  for (const entry of await readdir(dir.at('.'))) {
    const match = /^(\d{8}T\d{6}Z)(?:-(\d+))?$/.exec(entry.startsWith(prefix) ? entry.slice(prefix.length) : '');
    if (!match) continue;
    if (!(await lstat(dir.at(entry)).catch(() => undefined))?.isFile()) continue;
    backups.push({ entry, key: `${match[1]}-${(match[2] ?? '1').padStart(4, '0')}` });
  }
  backups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { entry } of backups.slice(0, -BACKUPS_KEPT)) await unlink(dir.at(entry)).catch(() => {});
}
