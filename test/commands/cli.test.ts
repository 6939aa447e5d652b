import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { addFlags, backupsOf, repoRoot, runCli, snapshotTree, tunnelConfigBin, USER_CONFIG, tempHomes } from './harness.js';

/** A HOME of its own for each test, holding `config` when given. */
const setup = tempHomes();
let count = 0;

const ANSI = /\x1b\[/;
const isRoot = process.getuid?.() === 0;

/**
 * A throwaway account whose home in the user database is a new directory: ssh, run as it, reads that
 * home's ~/.ssh/config, as for a user whose $HOME is their home. Needs root.
 */
function accountWithHome(): { home: string; user: { uid: number; gid: number } } {
  const parent = mkdtempSync(join(tmpdir(), 'tc-account-'));
  chmodSync(parent, 0o755);
  const home = join(parent, 'home');
  mkdirSync(home, { mode: 0o700 });
  const name = `tc-home-${process.pid}-${++count}`;
  execFileSync('useradd', ['--system', '--no-user-group', '--gid', 'nogroup', '--home-dir', home, '--no-create-home', '--shell', '/bin/sh', '--password', '*', name]);
  after(() => {
    execFileSync('userdel', [name]);
    rmSync(parent, { recursive: true, force: true });
  });
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  chownSync(home, uid, gid);
  return { home, user: { uid, gid } };
}

describe('add without a terminal', () => {
  const missing: Array<[string[], string]> = [
    [[], '--name, --jump-host or --jump-alias, --hosts'],
    [['--name', 'home'], '--jump-host or --jump-alias, --hosts'],
    [['--jump-alias', 'myjump'], '--name, --hosts'],
    [['--name', 'home', '--jump-host', 'jump.example.com'], '--hosts'],
    [['--hosts', 'pi', '--yes', '--dry-run'], '--name, --jump-host or --jump-alias'],
  ];
  for (const [flags, named] of missing) {
    test(`flags [${flags.join(' ')}]: exit 2 naming ${named}, nothing touched`, async () => {
      const { home, file } = setup(USER_CONFIG);
      const before = snapshotTree(home);
      const run = await runCli(['add', ...flags, '--config', file], { home });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr, `tunnel-config: add needs ${named} when there is no terminal to ask (see tunnel-config add --help)\n`);
      assert.equal(run.stdout, '');
      assert.deepEqual(snapshotTree(home), before);
    });
  }

  test('every answer but no --yes: exit 2 asking for --yes, nothing touched', async () => {
    const { home, file } = setup(USER_CONFIG);
    const before = snapshotTree(home);
    const run = await runCli(addFlags('home', file), { home });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^tunnel-config: no terminal to confirm the change to \S+: pass --yes to add "home" \(or --dry-run to only show it\)\n$/);
    assert.deepEqual(snapshotTree(home), before);
  });

  test('--dry-run: exit 0, the uncoloured diff on stdout, nothing touched', async () => {
    const { home, file } = setup(USER_CONFIG);
    const before = snapshotTree(home);
    const run = await runCli([...addFlags('home', file), '--dry-run'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^--- ${file}\tbefore\n\\+\\+\\+ ${file}\tafter\n`));
    assert.match(run.stdout, /^\+# >>> tunnel-config home >>>$/m);
    assert.match(run.stdout, /^\+  HostName jump\.example\.com$/m);
    assert.match(run.stdout, /^\+# <<< tunnel-config home <<<$/m);
    assert.doesNotMatch(run.stdout, ANSI, 'no colour when stdout is not a terminal');
    assert.equal(run.stderr, 'dry run: nothing was written\n');
    assert.deepEqual(snapshotTree(home), before);
  });

  test('--dry-run for a HOME without ~/.ssh creates nothing', { skip: !isRoot && 'needs root (an account whose home is a temp dir)' }, async () => {
    const { home, user } = accountWithHome();
    const before = snapshotTree(home);
    const run = await runCli(['add', '--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi', '--dry-run'], { home, user });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^--- ${join(home, '.ssh', 'config')}\tbefore$`, 'm'));
    assert.match(run.stdout, /^\+# >>> tunnel-config home >>>$/m);
    assert.deepEqual(snapshotTree(home), before);
  });

  test('$HOME not the home ssh reads from: refused before anything is written, naming the file ssh reads', async () => {
    const { home } = setup();
    const before = snapshotTree(home);
    for (const extra of [['--yes'], ['--dry-run']]) {
      const run = await runCli(['add', '--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi', ...extra], { home });
      assert.equal(run.code, 2, run.stderr);
      const sshReads = join(userInfo().homedir, '.ssh', 'config');
      assert.equal(
        run.stderr,
        `tunnel-config: ssh reads ${sshReads}, not ${join(home, '.ssh', 'config')} ($HOME is not your home directory in the user database), so a block there would not take effect; nothing was written: run tunnel-config with --config ${sshReads}\n`,
      );
      assert.deepEqual(snapshotTree(home), before);
    }
  });

  test('--yes: written, the previous bytes kept in a backup, "Done" on stdout', async () => {
    const { home, file } = setup(USER_CONFIG);
    const run = await runCli([...addFlags('home', file), '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    const [backup, ...more] = backupsOf(home, 'config');
    assert.ok(backup !== undefined && more.length === 0, `one backup: ${backupsOf(home, 'config').join(', ')}`);
    assert.equal(readFileSync(backup, 'utf8'), USER_CONFIG);
    assert.equal(statSync(backup).mode & 0o777, 0o600);
    assert.equal(run.stderr, `wrote ${file} (backup of the previous version: ${backup})\n`);
    assert.match(run.stdout, /^Done\. Try it: ssh <a host matching home-\*>$/m);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# >>> tunnel-config home >>>\n[\s\S]*^# <<< tunnel-config home <<<\nHost \*\n {2}ForwardAgent no\n$/m, 'before the catch-all');
    assert.ok(text.startsWith(USER_CONFIG.slice(0, USER_CONFIG.indexOf('Host *'))), 'the lines before it unchanged');
  });

  test('a brand-new ~/.ssh/config: ~/.ssh made 0700, the config 0600, written without -F', { skip: !isRoot && 'needs root (an account whose home is a temp dir)' }, async () => {
    const { home, user } = accountWithHome();
    const run = await runCli(['add', '--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi'], { home, user });
    assert.equal(run.code, 2, 'no --yes');
    const yes = await runCli(['add', '--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi', '--yes'], { home, user });
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /^Done\. Try it: ssh pi$/m);
    const file = join(home, '.ssh', 'config');
    assert.equal(statSync(join(home, '.ssh')).mode & 0o7777, 0o700);
    assert.equal(statSync(file).mode & 0o7777, 0o600);
    assert.equal(statSync(file).uid, user.uid);
    assert.deepEqual(backupsOf(join(home, '.ssh'), 'config'), [], 'nothing to back up');
    const proxyCommand = readFileSync(file, 'utf8').split('\n').find((line) => line.includes('ProxyCommand'));
    assert.equal(proxyCommand, `  ProxyCommand ${process.execPath} ${tunnelConfigBin} proxy --jump tunnel-config-home-jump --socket-dir /home/host -- %h`);
  });

  test('a name that exists with other answers: exit 2 pointing to edit; the same answers again: nothing to change', async () => {
    const { home, file } = setup(USER_CONFIG);
    assert.equal((await runCli([...addFlags('home', file), '--yes'], { home })).code, 0);
    const before = snapshotTree(home);
    const other = await runCli([...addFlags('home', file, 'pi'), '--yes'], { home });
    assert.equal(other.code, 2, other.stderr);
    assert.equal(other.stderr, 'tunnel-config: a tunnel set named "home" exists with other settings; change it with: tunnel-config edit home\n');
    assert.equal(other.stdout, '');
    assert.deepEqual(snapshotTree(home), before);

    const same = await runCli([...addFlags('home', file), '--yes'], { home });
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stderr, `${file} already has this; nothing to change\n`);
    assert.deepEqual(snapshotTree(home), before, 'identical file, no second backup');
  });
});

describe('the ProxyCommand written', () => {
  const proxyCommandOf = (file: string): string | undefined => readFileSync(file, 'utf8').split('\n').find((line) => line.startsWith('  ProxyCommand '));

  test('run as `node bin/tunnel-config.js` from the checkout: the absolute path of bin/tunnel-config.js', async () => {
    const { home, file } = setup(USER_CONFIG);
    const run = await runCli([...addFlags('home', file), '--yes'], { home, cwd: repoRoot, bin: 'bin/tunnel-config.js' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(proxyCommandOf(file), `  ProxyCommand ${process.execPath} ${tunnelConfigBin} proxy --jump tunnel-config-home-jump --socket-dir /home/host -F ${file} -- %h`);
  });

  test('a relative --config: -F with its absolute path', async () => {
    const { home, file } = setup(USER_CONFIG);
    const run = await runCli(['add', '--name', 'lab', '--jump-alias', 'myjump', '--socket-dir', '/srv/sockets', '--hosts', 'lab-*', '--config', 'config', '--yes'], { home, cwd: home });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(proxyCommandOf(file), `  ProxyCommand ${process.execPath} ${tunnelConfigBin} proxy --jump myjump --socket-dir /srv/sockets -F ${file} -- %h`);
  });
});

describe('edit', () => {
  test('--hosts changes that block only', async () => {
    const { home, file } = setup(USER_CONFIG);
    for (const name of ['home', 'lab']) assert.equal((await runCli([...addFlags(name, file), '--yes'], { home })).code, 0);
    const before = readFileSync(file, 'utf8');
    const run = await runCli(['edit', 'home', '--hosts', 'pi,nas', '--config', file, '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^-Host home-\*\n\+Host pi nas$/m);
    assert.equal(readFileSync(file, 'utf8'), before.replace('\nHost home-*\n', '\nHost pi nas\n'));
  });

  test('a name that is not there: exit 2 listing the names there are; --name other refused', async () => {
    const { home, file } = setup(USER_CONFIG);
    const none = await runCli(['edit', 'home', '--hosts', 'pi', '--config', file, '--yes'], { home });
    assert.equal(none.stderr, `tunnel-config: no tunnel set named "home" in ${file} (there are: none)\n`);
    for (const name of ['home', 'lab']) assert.equal((await runCli([...addFlags(name, file), '--yes'], { home })).code, 0);
    const before = snapshotTree(home);
    const cases: Array<[string[], string]> = [
      [['edit', 'nas', '--hosts', 'pi'], `tunnel-config: no tunnel set named "nas" in ${file} (there are: home, lab)\n`],
      [['edit', 'home', '--name', 'other', '--hosts', 'pi'], 'tunnel-config: edit keeps the name "home"; to rename, remove it and add it again\n'],
      [['edit', '--hosts', 'pi'], 'tunnel-config: edit needs the NAME of a tunnel set (see tunnel-config list)\n'],
      [['edit', 'home', 'lab'], 'tunnel-config: edit takes one NAME (see tunnel-config edit --help)\n'],
      [['remove', 'nas'], `tunnel-config: no tunnel set named "nas" in ${file} (there are: home, lab)\n`],
    ];
    for (const [args, stderr] of cases) {
      const run = await runCli([...args, '--config', file, '--yes'], { home });
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stderr, stderr);
      assert.equal(run.stdout, '');
    }
    assert.deepEqual(snapshotTree(home), before);
  });
});

describe('list', () => {
  test('a table on stdout; --json the sets as JSON on stdout; nothing on stderr', async () => {
    const { home, file } = setup(USER_CONFIG);
    assert.equal((await runCli([...addFlags('home', file), '--yes'], { home })).code, 0);
    assert.equal((await runCli(['add', '--name', 'lab', '--jump-alias', 'myjump', '--hosts', 'lab-1,lab-2', '--user', 'bob', '--config', file, '--yes'], { home })).code, 0);
    const table = await runCli(['list', '--config', file], { home });
    assert.equal(table.code, 0);
    assert.equal(table.stderr, '');
    assert.equal(
      table.stdout,
      [
        'NAME  JUMP                 SOCKET DIR  HOSTS        USER  PERSIST',
        'home  me@jump.example.com  /home/host  home-*',
        'lab   myjump               /home/host  lab-1,lab-2  bob',
        '',
      ].join('\n'),
    );
    const json = await runCli(['list', '--json', '--config', file], { home });
    assert.equal(json.code, 0);
    assert.equal(json.stderr, '');
    assert.deepEqual(JSON.parse(json.stdout), [
      { name: 'home', jump: { host: 'jump.example.com', user: 'me' }, socketDir: '/home/host', hosts: ['home-*'], proxyPath: tunnelConfigBin, nodePath: process.execPath, configFile: file, persist: null },
      { name: 'lab', jump: { alias: 'myjump' }, socketDir: '/home/host', hosts: ['lab-1', 'lab-2'], user: 'bob', proxyPath: tunnelConfigBin, nodePath: process.execPath, configFile: file, persist: null },
    ]);
  });

  test('no sets: nothing on stdout for the table (a message on stderr), [] for --json; no file is made', async () => {
    const { home, file } = setup(USER_CONFIG);
    for (const config of [file, join(home, 'missing')]) {
      const table = await runCli(['list', '--config', config], { home });
      assert.equal(table.code, 0);
      assert.equal(table.stdout, '');
      assert.equal(table.stderr, `no tunnel sets in ${config}; add one with: tunnel-config add\n`);
      const json = await runCli(['list', '--json', '--config', config], { home });
      assert.equal(json.code, 0);
      assert.equal(json.stdout, '[]\n');
      assert.equal(json.stderr, '');
    }
    assert.equal(existsSync(join(home, 'missing')), false);
  });
});
