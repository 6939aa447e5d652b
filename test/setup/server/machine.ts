import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerLayout } from '../../../src/setup/server/layout.js';
import { registerCleanup } from '../../support/cleanup.js';
import { ProcessTracker, startTime } from '../../support/process.js';

/**
 * A scratch corner of this machine for jumphost setups: a root-owned directory /tc-setup-ID (not under
 * /tmp: sshd's ChrootDirectory wants root's, non-writable directories all the way up) and accounts and
 * groups named tcsID-*. Everything is removed on close, on process exit, and by the next run if this
 * process was killed first.
 */
export interface Machine {
  id: string;
  root: string;
  /** tcsID- */
  prefix: string;
  layout: ServerLayout;
  tracker: ProcessTracker;
  close(): Promise<void>;
}

const rootFor = (id: string): string => `/tc-setup-${id}`;
const ourName = /^tcs([0-9a-f]{6})-/;

export const isRoot = (): boolean => process.getuid?.() === 0;

function entries(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.split(':')[0] ?? '')
    .filter((name) => name !== '');
}

function quiet(command: string, args: string[]): number | null {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 }).status;
}

/** Deletes the accounts, then the groups, of one id, and its directory. */
function removeAll(id: string): void {
  for (const user of entries('/etc/passwd').filter((name) => ourName.exec(name)?.[1] === id)) {
    // processes of the account (an sshd session we failed to kill) make a plain userdel fail
    if (quiet('userdel', [user]) !== 0) quiet('userdel', ['--force', user]);
  }
  for (const group of entries('/etc/group').filter((name) => ourName.exec(name)?.[1] === id)) quiet('groupdel', [group]);
  rmSync(rootFor(id), { recursive: true, force: true });
}

function ownerAlive(id: string): boolean {
  const dir = rootFor(id);
  if (!existsSync(dir)) return false;
  try {
    const [pid, start] = readFileSync(join(dir, 'owner'), 'utf8').trim().split(' ');
    return startTime(Number(pid)) === start;
  } catch {
    // being created right now, or long abandoned
    return Date.now() - statSync(dir).mtimeMs < 60_000;
  }
}

/** Leftovers of runs that were killed before they could clean up. */
function sweepAbandoned(): void {
  const ids = new Set<string>();
  for (const name of [...entries('/etc/passwd'), ...entries('/etc/group')]) {
    const id = ourName.exec(name)?.[1];
    if (id) ids.add(id);
  }
  for (const entry of readdirSync('/')) {
    const id = /^tc-setup-([0-9a-f]{6})$/.exec(entry)?.[1];
    if (id) ids.add(id);
  }
  for (const id of ids) if (!ownerAlive(id)) removeAll(id);
}

export function testLayout(root: string, prefix: string): ServerLayout {
  return {
    hostsDir: `${root}/srv/tunnel-config/hosts`,
    authorizedKeysDir: `${root}/etc/ssh/tunnel-config/authorized_keys`,
    dropIn: `${root}/etc/ssh/sshd_config.d/tunnel-config.conf`,
    sshdConfig: `${root}/etc/ssh/sshd_config`,
    sshd: '/usr/sbin/sshd',
    privsepDir: '/run/sshd',
    nologin: '/usr/sbin/nologin',
    hostAccountPrefix: prefix,
    hostsGroup: `${prefix}hosts`,
    clientsGroup: `${prefix}clients`,
    sharedAccount: `${prefix}host`,
    reloadSshd: false,
  };
}

export function createMachine(): Machine {
  if (!isRoot()) throw new Error('jumphost setup tests need root: they add accounts and run sshd with ChrootDirectory');
  sweepAbandoned();
  const id = randomBytes(3).toString('hex');
  const root = rootFor(id);
  mkdirSync(root, { mode: 0o755 });
  writeFileSync(join(root, 'owner'), `${process.pid} ${startTime(process.pid) ?? ''}\n`);
  const prefix = `tcs${id}-`;
  const tracker = new ProcessTracker();
  const unregister = registerCleanup(() => {
    tracker.killAllSync();
    removeAll(id);
  });
  let closing: Promise<void> | undefined;
  return {
    id,
    root,
    prefix,
    layout: testLayout(root, prefix),
    tracker,
    close() {
      closing ??= (async () => {
        await tracker.close();
        removeAll(id);
        unregister();
      })();
      return closing;
    },
  };
}

/** A test-owned login account (a client, or a stranger): no password, keys from KEYS/NAME; its home is not created. */
export function addUser(machine: Machine, suffix: string, groups: string[] = [], home = '/nonexistent'): string {
  const name = `${machine.prefix}${suffix}`;
  const result = spawnSync(
    'useradd',
    ['--system', '--no-user-group', '--gid', 'nogroup', ...(groups.length ? ['--groups', groups.join(',')] : []), '--home-dir', home, '--no-create-home', '--shell', '/bin/sh', '--password', '*', name],
    { encoding: 'utf8', timeout: 20_000 },
  );
  if (result.status !== 0) throw new Error(`useradd ${name}: ${result.stderr}`);
  return name;
}

/** Every account and group of this machine, for assertions that nothing leaked. */
export function namesOf(machine: Machine): { users: string[]; groups: string[] } {
  const mine = (name: string): boolean => name.startsWith(machine.prefix);
  return { users: entries('/etc/passwd').filter(mine), groups: entries('/etc/group').filter(mine) };
}
