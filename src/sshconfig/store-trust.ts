import { readFileSync, type Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TunnelError } from '../errors.js';
import { type Directory, makeDirectories, openDirectory } from './store-dir.js';
import { changedSinceRead, describePath, errnoCode, fsError, type Resolved } from './store-paths.js';

// Like OpenSSH's StrictModes: a file that anyone but its owner and root could change or replace, or reach
// through a link or directory of someone else's, is not written; as root, a file is written only for its owner.

const OTHERS_WRITE = 0o022;
const STICKY = 0o1000;
const MAX_LINK_HOPS = 40;

/** `root`, `alice (uid 1000)`, or `uid 1000` when the user database does not know it. */
export function describeUser(uid: number): string {
  if (uid === 0) return 'root';
  try {
    const name = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.split(':')[2] === String(uid))
      ?.split(':')[0];
    if (name) return `${name} (uid ${uid})`;
  } catch {
    // No user database to ask: the number alone.
  }
  return `uid ${uid}`;
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');
const refused = (message: string) => new TunnelError('usage', message);

/** What deciding which file `path` names depends on: every link followed and every directory looked in. */
interface Walk {
  links: { path: string; uid: number }[];
  /** Real paths, in the order looked in; the last is the file's own directory, or the nearest one that exists. */
  dirs: { path: string; stats: Stats }[];
  /** The final stats when the file exists. */
  file?: Stats;
  /** The directories still to be made below the last of `dirs` for the file to be created. */
  missing: string[];
}

/** Resolves `path` one name at a time, as the kernel does, noting each link and directory on the way. */
async function walk(path: string): Promise<Walk> {
  const result: Walk = { links: [], dirs: [], missing: [] };
  let pending = resolve(path).split('/').filter((part) => part !== '' && part !== '.');
  let current = '/';
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    if (result.dirs.at(-1)?.path !== current) result.dirs.push({ path: current, stats: await lstat(current) });
    const next = join(current, part);
    const stats = await lstat(next).catch((error: unknown) => (errnoCode(error) === 'ENOENT' ? undefined : Promise.reject(error)));
    if (stats === undefined) return { ...result, missing: [part, ...pending].slice(0, -1) };
    if (stats.isSymbolicLink()) {
      if (++hops > MAX_LINK_HOPS) throw Object.assign(new Error('ELOOP'), { code: 'ELOOP' });
      result.links.push({ path: next, uid: stats.uid });
      const to = await readlink(next);
      pending = [...to.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
      if (to.startsWith('/')) current = '/';
      continue;
    }
    current = next;
    if (pending.length === 0) result.file = stats;
  }
  return result;
}

/**
 * Why the directory `dir` lets others than `owner` and root change what is in it. `last`: the config's own
 * directory (or the nearest one that exists); the others are those the path goes through on the way.
 */
export function directoryProblem(where: string, dir: string, stats: Stats, owner: number, last: boolean, own = last): TunnelError | undefined {
  const inDir = `${where} ${last ? 'is in' : 'is reached through'} ${dir}`;
  if (stats.uid !== owner && stats.uid !== 0) {
    const name = describeUser(owner);
    return refused(
      `${inDir}, which belongs to ${describeUser(stats.uid)}, not to the config's owner${owner === 0 ? ' (root)' : `, ${name}, or root`}; nothing was written: ` +
        `keep the config in a directory of its owner's (or run \`chown ${name.split(' ')[0]} ${dir}\` if that directory is theirs)`,
    );
  }
  if ((stats.mode & OTHERS_WRITE) === 0) return undefined;
  // On the way, a sticky directory (like /tmp) is fine: nobody else can rename or remove what is ours in it.
  if (stats.mode & STICKY) {
    if (!own) return undefined;
    return refused(
      `${inDir}, where every user can create files (mode ${octal(stats.mode)}); nothing was written: keep the config in a directory only its owner can write, such as ~/.ssh`,
    );
  }
  return refused(`${inDir}, which is writable by others than its owner (mode ${octal(stats.mode)}); nothing was written: run \`chmod go-w ${dir}\` and try again`);
}

/** Why the file itself cannot be trusted to stay what was read: others can write to it, or it is not the owner's. */
export function fileProblem(where: string, target: string, stats: Stats, owner: number): TunnelError | undefined {
  if (stats.uid !== owner) return refused(`${where} belongs to ${describeUser(stats.uid)}, not to ${describeUser(owner)}; nothing was written: run tunnel-config as its owner`);
  if ((stats.mode & OTHERS_WRITE) === 0) return undefined;
  return refused(
    `${where} is writable by others than its owner (mode ${octal(stats.mode)}), so they could change it while it is edited; nothing was written: run \`chmod go-w ${target}\` and try again`,
  );
}

/** Who the config is edited for (undefined where there are no owners), and where it goes. */
export interface Trusted {
  owner?: number;
  /** The directory checked last: the file's own, or the nearest existing one above it. */
  dir: { path: string; stats: Stats };
  /** The directories to make in `dir`, one in another, for a file not there yet. */
  missing: string[];
}

/**
 * Checks that only the config's owner and root can change the file, the links to it and the directories on
 * the way, and returns that owner: the file's, who must also own every link followed (or root own it) and,
 * when we are not root, be us. For a file not there yet: the owner of the nearest directory (root), or us.
 */
export async function checkTrust(path: string, resolved: Resolved): Promise<Trusted> {
  const { target } = resolved;
  const where = describePath(path, target);
  try {
    const { links, dirs, file, missing } = await walk(path);
    const last = dirs.at(-1);
    if (last === undefined || missing.includes('..')) throw refused(`${where} is not a path tunnel-config can create`);
    const caller = process.getuid?.();
    // Windows has no owners or modes to check.
    if (caller === undefined) return { dir: last, missing };
    const owner = file?.uid ?? (caller === 0 ? last.stats.uid : caller);
    for (const link of links) {
      if (link.uid === owner || link.uid === 0) continue;
      const whose = describeUser(link.uid);
      throw refused(
        `${link.path} is a symbolic link of ${whose} that leads to ${target}, which ${file ? 'belongs' : 'would belong'} to ${describeUser(owner)}; nothing was written: ` +
          `tunnel-config writes a file only for its owner, so point the link at a file of ${whose}'s, or pass --config ${target} to edit that file itself`,
      );
    }
    if (owner !== caller && caller !== 0) throw refused(`${where} belongs to ${describeUser(owner)}, not to you (${describeUser(caller)}); nothing was written: run tunnel-config as its owner`);
    const problem =
      (file && fileProblem(where, target, file, owner)) ??
      dirs.map((dir) => directoryProblem(where, dir.path, dir.stats, owner, dir === last, dir === last && dir.path === dirname(target))).find((found) => found !== undefined);
    if (problem !== undefined) throw problem;
    return { owner, dir: last, missing };
  } catch (error) {
    throw fsError(error, 'check who can change', where);
  }
}

/** Opens the directory that was checked (the very same one), makes what is missing below it, and checks the result. */
export async function openConfigDirectory(path: string, target: string, trusted: Trusted): Promise<Directory> {
  const where = describePath(path, target);
  const checked = await openDirectory(trusted.dir.path).catch((error: unknown) => Promise.reject(fsError(error, 'open the directory of', where)));
  let dir = checked;
  let opened = false;
  try {
    if (checked.stats.ino !== trusted.dir.stats.ino || checked.stats.dev !== trusted.dir.stats.dev) throw changedSinceRead(path);
    dir = await makeDirectories(checked, trusted.missing).catch((error: unknown) => Promise.reject(fsError(error, 'create the directory of', where)));
    const problem = trusted.owner === undefined ? undefined : directoryProblem(where, dir.path, dir.stats, trusted.owner, true);
    if (problem !== undefined) throw problem;
    opened = true;
    return dir;
  } finally {
    if (!opened && dir !== checked) await dir.close();
    if (!opened || dir !== checked) await checked.close();
  }
}
