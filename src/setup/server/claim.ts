import { normalize } from 'node:path/posix';
import { quoteForMessage } from '../../ssh/hostname.js';
import type { DirSpec, ServerPlan } from './plan.js';
import type { SetupRunner } from './runner.js';

/**
 * The system's own directories, sorted so a directory comes before those it holds: a directory given on the
 * command line may be none of them, nor hold one of them.
 */
export const systemDirs: readonly string[] = [
  '/bin', '/boot', '/dev', '/dev/shm', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc',
  '/root', '/run', '/run/lock', '/run/sshd', '/run/user', '/sbin', '/snap', '/srv', '/sys', '/tmp', '/usr', '/var', '/var/backups',
  '/var/cache', '/var/empty', '/var/lib', '/var/local', '/var/lock', '/var/log', '/var/mail', '/var/opt', '/var/run', '/var/spool',
  '/var/tmp', '/var/www',
];

/** Trees that belong to the system as a whole: nothing under them is a directory of ours either. */
export const systemTrees: readonly string[] = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run/sshd', '/sbin', '/sys', '/usr'];

/** Why `path` (absolute) is no place for a directory of ours, by its name alone; undefined when it may be. */
export function systemDirProblem(path: string): string | undefined {
  const clean = normalize(path).replace(/(.)\/+$/, '$1');
  if (clean === '/') return 'is the root directory';
  const system = systemDirs.find((dir) => dir === clean || dir.startsWith(`${clean}/`));
  if (system === clean) return `is the system directory ${system}`;
  if (system !== undefined) return `holds the system directory ${system}`;
  const tree = systemTrees.find((dir) => clean.startsWith(`${dir}/`));
  return tree === undefined ? undefined : `is inside the system directory ${tree}`;
}

interface Passwd {
  name: string;
  uid: number;
  home: string;
}

async function accounts(runner: SetupRunner): Promise<Passwd[] | string> {
  const listed = await runner.run('getent', ['passwd'], { timeoutMs: 20_000 });
  if (listed.code !== 0) return `cannot be checked against the accounts' homes: getent passwd failed (${listed.stderr.trim() || `exit ${String(listed.code)}`})`;
  return listed.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name = '', , uid = '', , , home = ''] = line.split(':');
      return { name, uid: Number(uid), home };
    });
}

/** Whose home `dir` (also as `real`, its links resolved) is, or holds; our own accounts' planned homes do not count. */
async function homeProblem(dir: string, real: string, plan: ServerPlan, passwd: Passwd[], runner: SetupRunner): Promise<string | undefined> {
  const ours = new Set(plan.accounts.map((account) => `${account.name}:${account.home}`));
  for (const { name, home } of passwd) {
    if (home === '' || !home.startsWith('/') || ours.has(`${name}:${home}`)) continue;
    const homes = [normalize(home), await runner.realPath(home)];
    for (const candidate of [dir, real]) {
      if (homes.includes(candidate)) return `is the home directory of the account ${name}`;
      const held = homes.find((path) => path.startsWith(`${candidate}/`));
      if (held !== undefined) return `holds ${held}, the home directory of the account ${name}`;
    }
  }
  return undefined;
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

/**
 * Why server-setup may not take `dir`, a directory named on the command line, or undefined when it may. It takes
 * only a directory that is missing (it creates it), empty, or already exactly as it leaves it (an earlier run);
 * never a system directory, an account's home or a parent of one, a link, or a shared (sticky) directory.
 * The script checks all this again when it runs: the directory may change in between.
 */
export async function claimProblem(dir: DirSpec, plan: ServerPlan, runner: SetupRunner): Promise<string | undefined> {
  const path = normalize(dir.path);
  const real = await runner.realPath(path);
  const byName = systemDirProblem(path);
  if (byName !== undefined) return byName;
  const resolved = systemDirProblem(real);
  if (resolved !== undefined) return `${resolved} (it resolves to ${real})`;
  const passwd = await accounts(runner);
  if (typeof passwd === 'string') return passwd;
  const home = await homeProblem(path, real, plan, passwd, runner);
  if (home !== undefined) return home;
  const facts = await runner.stat(path);
  if (facts === undefined) return undefined;
  if (facts.kind === 'symlink') return `is a symbolic link (to ${(await runner.readLink(path)) ?? '?'}): give the directory itself`;
  if (facts.kind !== 'directory') return `exists and is a ${facts.kind}, not a directory`;
  if ((facts.mode & 0o1000) !== 0) return `has the sticky bit (mode ${octal(facts.mode)}): a directory shared by several accounts, like /tmp, is not one to take`;
  const group = await runner.run('getent', ['group', dir.group], { timeoutMs: 10_000 });
  const owner = passwd.find((account) => account.name === dir.owner);
  const gid = group.code === 0 ? Number(group.stdout.split(':')[2]) : undefined;
  if (facts.uid === owner?.uid && facts.gid === gid && facts.mode === dir.mode) return undefined;
  const entries = (await runner.readDir(path)) ?? [];
  if (entries.length === 0) return undefined;
  const example = quoteForMessage([...entries].sort()[0] ?? '');
  return `is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. ${example}) and is uid ${facts.uid}, gid ${facts.gid}, mode ${octal(facts.mode)}, not ${dir.owner}:${dir.group} ${octal(dir.mode)} as server-setup leaves it`;
}
