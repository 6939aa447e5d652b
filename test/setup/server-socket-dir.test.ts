import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runServerSetup, serverSetupCommand, type ServerSetupArgs } from '../../src/commands/server-setup.js';
import { TunnelError } from '../../src/errors.js';
import type { ServerMode } from '../../src/setup/server/layout.js';
import { systemRunner } from '../../src/setup/server/runner.js';
import { tunnelConfigBin } from '../world.js';
import { ownerMode, stateOf } from './server/checks.js';
import { captureIo } from './server/golden.js';
import { makeKeys, serverSetup, socketDir, writeBaseConfig } from './server/jump.js';
import { addUser, createMachine, isRoot, namesOf, type Machine } from './server/machine.js';

const skip = isRoot() ? false : 'needs root: adds accounts, chowns directories to them and runs the setup script';

let machine: Machine;
let stranger: string;
let strangerUid: number;
let strangerHome: string;
let stickyTmp: string;

const uidOf = (name: string): number => Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
const gidOf = (name: string): number => Number(spawnSync('getent', ['group', name], { encoding: 'utf8' }).stdout.split(':')[2] ?? 'NaN');
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ownerModeIfAny = (path: string): string | undefined => (existsSync(path) ? ownerMode(path) : undefined);

/** A directory of the stranger's, mode `mode`, holding a file of the stranger's. */
function strangersDir(path: string, mode: number): string {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'notes'), 'the stranger\'s\n');
  chownSync(join(path, 'notes'), strangerUid, 65534);
  chownSync(path, strangerUid, 65534);
  chmodSync(path, mode);
  return path;
}

/** Why each directory is refused, as the message says it; `make` builds it on this machine first. */
const refusals: Array<{ label?: string; dir: () => string; why: () => RegExp; mode?: ServerMode; make?: () => void }> = [
  ...['/tmp', '/tmp/', '//tmp', '/home', '/root', '/var', '/var/tmp', '/var/run', '/run', '/run/sshd', '/bin', '/boot', '/dev', '/dev/shm', '/lib', '/lib64', '/media', '/mnt', '/opt', '/proc', '/sbin', '/sys', '/usr', '/var/lib', '/var/log'].map(
    (dir) => ({ label: dir, dir: () => dir, why: () => new RegExp(`it is the system directory ${escape(dir.replace(/\/+$/, '').replace(/^\/+/, '/'))};`) }),
  ),
  ...['/usr/bin', '/usr/local', '/usr/local/share/x', '/etc/tunnel', '/run/sshd/x', '/proc/self', '/lib/x'].map((dir) => ({
    label: dir,
    dir: () => dir,
    why: () => new RegExp(`it is inside the system directory /(usr|etc|run/sshd|proc|lib);`),
  })),
  { dir: () => '/', why: () => /it may not be \// },
  { dir: () => '/etc', why: () => /overlaps \/etc\/ssh\// },
  { dir: () => '/srv', why: () => /overlaps \/srv\/tunnel-config\/hosts/ },
  { dir: () => '/var/lib/../tmp', why: () => /may not contain "\." or "\.\." components/ },
  { dir: () => '/tmp', mode: 'shared', why: () => /it is the system directory \/tmp;/ },
  { dir: () => '/run/sshd', mode: 'shared', why: () => /it is the system directory \/run\/sshd;/ },
  { dir: () => strangerHome, why: () => new RegExp(`it is the home directory of the account ${stranger};`) },
  { dir: () => strangerHome, mode: 'shared', why: () => new RegExp(`it is the home directory of the account ${stranger};`) },
  { dir: () => `${machine.root}/people`, why: () => new RegExp(`it holds ${escape(strangerHome)}, the home directory of the account ${stranger};`) },
  { dir: () => stickyTmp, why: () => /it has the sticky bit \(mode 1777\): a directory shared by several accounts, like \/tmp, is not one to take;/ },
  { dir: () => stickyTmp, mode: 'shared', why: () => /it has the sticky bit \(mode 1777\)/ },
  {
    dir: () => `${machine.root}/theirs`,
    make: () => void strangersDir(`${machine.root}/theirs`, 0o755),
    why: () => new RegExp(`it is not empty \\(1 entry, e\\.g\\. "notes"\\) and is uid ${strangerUid}, gid 65534, mode 0755, not root:tunnel-clients 0750 as server-setup leaves it;`),
  },
  {
    dir: () => `${machine.root}/theirs`,
    mode: 'shared',
    why: () => new RegExp(`it is not empty .* not host:tunnel-clients 0750 as server-setup leaves it;`),
  },
  { dir: () => `${machine.root}/to-tmp`, make: () => symlinkSync('/tmp', `${machine.root}/to-tmp`), why: () => /it is the system directory \/tmp \(it resolves to \/tmp\);/ },
  { dir: () => `${machine.root}/to-usr/share`, make: () => symlinkSync('/usr', `${machine.root}/to-usr`), why: () => /it is inside the system directory \/usr \(it resolves to \/usr\/share\);/ },
  {
    dir: () => `${machine.root}/link`,
    make: () => (mkdirSync(`${machine.root}/empty-target`), symlinkSync(`${machine.root}/empty-target`, `${machine.root}/link`)),
    why: () => new RegExp(`it is a symbolic link \\(to ${escape(machine.root)}/empty-target\\): give the directory itself;`),
  },
  { dir: () => `${machine.root}/file`, make: () => writeFileSync(`${machine.root}/file`, ''), why: () => /it exists and is a file, not a directory;/ },
];

const argvFor = (dir: string, mode: ServerMode = 'per-host'): string[] => ['--mode', mode, '--hosts', 'host-a', '--socket-dir', dir];

async function printScript(mode: ServerMode, dir: string): Promise<string> {
  const args: ServerSetupArgs = { mode, socketDir: dir, hosts: ['host-a'], clientUsers: [], keyFiles: {}, print: true, apply: false, check: false, help: false };
  const { io, out } = captureIo();
  const code = await runServerSetup(args, io, { runner: systemRunner, layout: machine.layout, readKeyFile: async () => '' });
  assert.equal(code, 0, out.stderr.join('\n'));
  return out.stdout;
}

let runs = 0;
function runScript(script: string): { code: number | null; stderr: string } {
  mkdirSync(`${machine.root}/scripts`, { recursive: true, mode: 0o700 });
  const file = `${machine.root}/scripts/${++runs}.sh`;
  writeFileSync(file, script, { mode: 0o600 });
  const result = spawnSync('bash', [file], { encoding: 'utf8', timeout: 120_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' } });
  return { code: result.status, stderr: result.stderr };
}

const ourGroups = (): string[] => namesOf(machine).groups.filter((group) => group === machine.layout.hostsGroup || group === machine.layout.clientsGroup);

describe('server-setup --socket-dir takes nothing over', { skip }, () => {
  before(async () => {
    machine = createMachine();
    strangerHome = `${machine.root}/people/stranger`;
    stranger = addUser(machine, 's', [], strangerHome);
    strangerUid = uidOf(stranger);
    strangersDir(strangerHome, 0o700);
    stickyTmp = strangersDir(mkdtempSync(join(tmpdir(), 'tc-sticky-')), 0o1777);
    writeBaseConfig(machine, (await makeKeys(machine, ['jump_host'])).jump_host);
  });

  after(async () => {
    if (stickyTmp) rmSync(stickyTmp, { recursive: true, force: true });
    await machine?.close();
  });

  describe('refused before anything is printed: exit 2, the directory and why', () => {
    for (const { label, dir, why, mode, make } of refusals) {
      test(`${mode ?? 'per-host'}: ${label ?? dir.toString().replace(/^\(\) => /, '')}`, async () => {
        make?.();
        const path = dir();
        const { io, out } = captureIo();
        const before = ownerModeIfAny(path);
        await assert.rejects(serverSetupCommand(argvFor(path, mode), io), (error: unknown) => {
          assert.ok(error instanceof TunnelError, String(error));
          assert.equal(error.exitCode, 2);
          assert.match(error.message, new RegExp(`^--socket-dir ${escape(path.replace(/(.)\/+$/, '$1'))}(:| overlaps)|^--socket-dir "`));
          assert.match(error.message, why());
          assert.match(error.message, /^[^\n]*$/, 'one line');
          return true;
        });
        assert.equal(out.stdout, '');
        assert.equal(ownerModeIfAny(path), before);
      });
    }

    test('the binary: exit 2, one line on stderr, nothing on stdout', () => {
      for (const [dir, why] of [['/tmp', 'is the system directory /tmp'], [strangerHome, `is the home directory of the account ${stranger}`], [stickyTmp, 'has the sticky bit']] as const) {
        const result = spawnSync(process.execPath, [tunnelConfigBin, 'server-setup', ...argvFor(dir)], { encoding: 'utf8', timeout: 20_000 });
        assert.equal(result.status, 2, result.stderr);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, new RegExp(`^tunnel-config: --socket-dir ${escape(dir)}: it ${escape(why)}[^\\n]*\\n$`));
      }
    });

    test('--check alone reports it as a problem: exit 9, one line naming it', async () => {
      const dir = strangersDir(`${machine.root}/checked`, 0o755);
      const args: ServerSetupArgs = { mode: 'per-host', socketDir: dir, hosts: ['host-a'], clientUsers: [], keyFiles: {}, print: false, apply: false, check: true, help: false };
      const { io, out } = captureIo();
      assert.equal(await runServerSetup(args, io, { runner: systemRunner, layout: machine.layout, readKeyFile: async () => '' }), 9);
      assert.equal(out.stdout, '');
      assert.equal(out.stderr.filter((line) => line.startsWith(`tunnel-config: check: --socket-dir ${dir}: it is not empty (1 entry, e.g. "notes")`)).length, 1, out.stderr.join('\n'));
    });

    test('a missing directory, and an empty one of someone else\'s, are accepted', async () => {
      mkdirSync(`${machine.root}/empty`, { mode: 0o777 });
      chownSync(`${machine.root}/empty`, strangerUid, 65534);
      for (const dir of [`${machine.root}/missing/sockets`, `${machine.root}/empty`]) {
        const { io, out } = captureIo();
        assert.equal(await serverSetupCommand(argvFor(dir), io), 0, out.stderr.join('\n'));
        assert.match(out.stdout, new RegExp(`^claim_dir ${escape(dir)} root tunnel-clients 00750$`, 'm'));
      }
    });
  });

  describe('the printed script checks again when it runs, and changes nothing of a directory that is not its own', () => {
    const cases: Array<{ name: string; change: (dir: string) => void; why: (dir: string) => RegExp; guarded?: string }> = [
      {
        name: 'another account\'s files',
        change: (dir) => void strangersDir(dir, 0o755),
        why: () => new RegExp(`it is not empty and is uid ${strangerUid}, gid 65534, mode 755, not root:${machine.layout.clientsGroup} 00750 as this script leaves it`),
      },
      { name: 'a shared sticky directory', change: (dir) => void strangersDir(dir, 0o1777), why: () => /it has the sticky bit \(mode 1777\)/ },
      {
        name: 'a link to a directory',
        change: (dir) => symlinkSync(strangersDir(`${dir}-target`, 0o755), dir),
        why: (dir) => new RegExp(`it is a symbolic link \\(to ${escape(dir)}-target\\)`),
        guarded: '-target',
      },
      { name: 'a link to /tmp', change: (dir) => symlinkSync('/tmp', dir), why: () => /it is the system directory \/tmp \(it resolves to \/tmp\)/ },
      {
        name: 'an account\'s (empty) home',
        change: (dir) => {
          mkdirSync(dir, { mode: 0o700 });
          chownSync(dir, uidOf(addUser(machine, 'h', [], dir)), 65534);
        },
        why: () => new RegExp(`it is the home directory of the account ${machine.prefix}h`),
      },
    ];
    for (const [index, { name, change, why, guarded }] of cases.entries()) {
      test(`printed while missing, then ${name}`, async () => {
        const dir = `${machine.root}/later/d${index}`;
        mkdirSync(`${machine.root}/later`, { recursive: true, mode: 0o755 });
        const script = await printScript('per-host', dir);
        change(dir);
        const state = stateOf(dir);
        const target = guarded ? stateOf(dir + guarded) : {};
        const tmp = ownerMode('/tmp');
        const run = runScript(script);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, new RegExp(`^server-setup: refusing ${escape(dir)}: ${why(dir).source}[^\\n]*has changed nothing of ${escape(dir)}\\n$`));
        assert.deepEqual(stateOf(dir), state);
        if (guarded) assert.deepEqual(stateOf(dir + guarded), target);
        assert.equal(ownerMode('/tmp'), tmp);
        assert.deepEqual(ourGroups(), [], 'the script stopped before it changed anything');
      });
    }

    test('a directory that appears between the first check and the chown is checked again', async () => {
      const dir = `${machine.root}/later/race`;
      const script = await printScript('per-host', dir);
      const claim = `claim_dir ${dir} root ${machine.layout.clientsGroup} 00750\n`;
      assert.ok(script.includes(claim));
      // what another process could do while the script adds groups and accounts
      const raced = script.replace(claim, `mkdir -m 0755 ${dir}; echo theirs > ${dir}/notes; chown -R ${stranger} ${dir}\n${claim}`);
      const run = runScript(raced);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`^server-setup: refusing ${escape(dir)}: it is not empty and is uid ${strangerUid}`));
      assert.equal(ownerMode(dir), `${strangerUid}:0 0755`);
    });
  });

  describe('its own directory: taken, and taken again on every run', () => {
    test('per-host: the script, run twice, and --apply after it', async () => {
      const dir = socketDir(machine);
      const script = await printScript('per-host', dir);
      const first = runScript(script);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(ownerMode(dir), `0:${gidOf(machine.layout.clientsGroup)} 0750`);
      const skipDirs = [`${machine.root}/keys`, `${machine.root}/scripts`];
      const state = stateOf(machine.root, skipDirs);
      assert.ok(Object.keys(state).some((path) => path === `${dir}/host-a.sock`), 'the directory holds its link, so it is not empty');
      const again = runScript(script);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(stateOf(machine.root, skipDirs), state);
      const applied = await serverSetup(machine, { mode: 'per-host', hosts: ['host-a'], clientUsers: [], keyFiles: {} });
      assert.equal(applied.code, 0, applied.stderr.join('\n'));
      assert.deepEqual(stateOf(machine.root, skipDirs), state);
    });

    test('shared: the directory is the tunnel account\'s home, and holds its sockets', async () => {
      const dir = `${machine.root}/home/shared`;
      const script = await printScript('shared', dir);
      assert.equal(runScript(script).code, 0);
      const account = machine.layout.sharedAccount;
      assert.equal(ownerMode(dir), `${uidOf(account)}:${gidOf(machine.layout.clientsGroup)} 0750`);
      writeFileSync(`${dir}/host-a.sock`, '');
      chownSync(`${dir}/host-a.sock`, uidOf(account), gidOf(machine.layout.clientsGroup));
      const state = stateOf(dir);
      assert.equal(await printScript('shared', dir), script, 'the CLI takes it again: its home is ours');
      const again = runScript(script);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(stateOf(dir), state);
    });

    test('an empty directory of someone else\'s is taken', async () => {
      const dir = `${machine.root}/home/empty`;
      mkdirSync(dir, { mode: 0o777 });
      chownSync(dir, strangerUid, 65534);
      const run = runScript(await printScript('per-host', dir));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(ownerMode(dir), `0:${gidOf(machine.layout.clientsGroup)} 0750`);
    });
  });
});
