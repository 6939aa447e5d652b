import { authorizedKeyLine } from './keys.js';
import type { ServerPlan } from './plan.js';
import type { SetupRunner } from './runner.js';
import { checkSshd } from './check-sshd.js';

interface Ids {
  users: Map<string, { uid: number; gid: number; home: string; shell: string }>;
  groups: Map<string, number>;
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

async function lookUp(runner: SetupRunner, names: { users: string[]; groups: string[] }): Promise<Ids> {
  const ids: Ids = { users: new Map(), groups: new Map() };
  for (const name of names.users) {
    const { code, stdout } = await runner.run('getent', ['passwd', name], { timeoutMs: 10_000 });
    const [, , uid, gid, , home = '', shell = ''] = stdout.trim().split(':');
    if (code === 0) ids.users.set(name, { uid: Number(uid), gid: Number(gid), home, shell });
  }
  for (const name of names.groups) {
    const { code, stdout } = await runner.run('getent', ['group', name], { timeoutMs: 10_000 });
    if (code === 0) ids.groups.set(name, Number(stdout.split(':')[2]));
  }
  return ids;
}

async function accountProblems(plan: ServerPlan, runner: SetupRunner, ids: Ids): Promise<string[]> {
  const problems: string[] = [];
  for (const group of plan.groups) if (!ids.groups.has(group)) problems.push(`group ${group} does not exist`);
  for (const account of plan.accounts) {
    const found = ids.users.get(account.name);
    if (!found) {
      problems.push(`account ${account.name} does not exist`);
      continue;
    }
    if (found.shell !== plan.layout.nologin) problems.push(`account ${account.name} has the shell ${found.shell}, not ${plan.layout.nologin}`);
    if (found.home !== account.home) problems.push(`account ${account.name} has the home ${found.home}, not ${account.home}`);
    if (found.gid !== ids.groups.get(account.group)) problems.push(`account ${account.name} is not in group ${account.group} (its primary group)`);
    const shadow = await runner.run('getent', ['shadow', account.name], { timeoutMs: 10_000 });
    if (shadow.code === 0 && (shadow.stdout.split(':')[1] ?? '').startsWith('!')) {
      problems.push(`account ${account.name} is locked: sshd refuses its keys when UsePAM is off (usermod --password '*' ${account.name})`);
    }
  }
  for (const user of plan.clientUsers) {
    const { code, stdout } = await runner.run('id', ['-nG', '--', user], { timeoutMs: 10_000 });
    if (code !== 0) problems.push(`client account ${user} does not exist`);
    else if (!stdout.trim().split(/\s+/).includes(plan.layout.clientsGroup)) problems.push(`client account ${user} is not in group ${plan.layout.clientsGroup}`);
  }
  return problems;
}

async function fileProblems(plan: ServerPlan, runner: SetupRunner, ids: Ids): Promise<string[]> {
  const problems: string[] = [];
  for (const dir of plan.parents) {
    const facts = await runner.stat(dir, true);
    if (!facts) problems.push(`${dir} does not exist`);
    else if (facts.uid !== 0 || (facts.mode & 0o022) !== 0) problems.push(`${dir} must be root's and writable by root only (sshd refuses a chroot or key file below it)`);
  }
  for (const dir of plan.dirs) {
    const facts = await runner.stat(dir.path);
    const want = `${dir.owner}:${dir.group} ${octal(dir.mode)}`;
    if (!facts) problems.push(`${dir.path} does not exist (want a directory, ${want})`);
    else if (facts.kind !== 'directory') problems.push(`${dir.path} is a ${facts.kind}, not a directory`);
    else if (facts.uid !== ids.users.get(dir.owner)?.uid || facts.gid !== ids.groups.get(dir.group) || facts.mode !== dir.mode) {
      problems.push(`${dir.path} has uid ${facts.uid}, gid ${facts.gid}, mode ${octal(facts.mode)}; want ${want}`);
    }
  }
  for (const link of plan.links) {
    const target = await runner.readLink(link.path);
    if (target !== link.target) problems.push(`${link.path} ${target === undefined ? 'is not a symbolic link' : `links to ${target}`}; want a link to ${link.target}`);
  }
  for (const file of plan.keyFiles) {
    const [facts, text = ''] = [await runner.stat(file.path), await runner.readFile(file.path)];
    if (!facts) {
      problems.push(`${file.path} does not exist`);
      continue;
    }
    if (facts.kind !== 'file' || facts.uid !== 0 || (facts.mode & 0o022) !== 0) problems.push(`${file.path} must be a file of root's, writable by root only`);
    const lines = text.split('\n').map((line) => line.trim());
    for (const { host, keys } of file.entries) {
      if (keys.some((key) => !lines.includes(authorizedKeyLine(key, host)))) problems.push(`${file.path} lacks the --key of ${host}`);
    }
    if (!lines.some((line) => line !== '' && !line.startsWith('#'))) problems.push(`${file.path} has no key yet: add the hidden host's public key`);
  }
  return problems;
}

/**
 * Everything that would keep the setup from working or from being safe, one line each; empty when
 * all is in place. It reads, and never changes, the system.
 */
export async function checkServer(plan: ServerPlan, dropIn: string, runner: SetupRunner): Promise<string[]> {
  const users = [...new Set(['root', ...plan.accounts.map((account) => account.name), ...plan.dirs.map((dir) => dir.owner)])];
  const ids = await lookUp(runner, { users, groups: [...new Set(['root', ...plan.groups, ...plan.dirs.map((dir) => dir.group)])] });
  return [
    ...(await accountProblems(plan, runner, ids)),
    ...(await fileProblems(plan, runner, ids)),
    ...(await checkSshd(plan, dropIn, runner, [...ids.users.keys()].filter((user) => plan.accounts.some((account) => account.name === user)))),
  ];
}
