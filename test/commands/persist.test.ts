import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { hasSsh } from '../sshconfig/openssh.js';
import { addFlags, assertOneErrorLine, runCli, snapshotTree, tunnelConfigBin, USER_CONFIG, tempHomes } from './harness.js';

const makeHome = tempHomes();
const setup = (): { home: string; file: string } => makeHome(USER_CONFIG);

const proxyCommandOf = (file: string): string | undefined =>
  readFileSync(file, 'utf8').split('\n').find((line) => line.startsWith('  ProxyCommand '))?.slice('  ProxyCommand '.length);
const expectedCommand = (file: string, persist?: string): string =>
  `${process.execPath} ${tunnelConfigBin} proxy --jump tunnel-config-home-jump --socket-dir /home/host -F ${file}${persist === undefined ? '' : ` --persist ${persist}`} -- %h`;

/** What the real ssh client resolves as the ProxyCommand of `host` under `file`. */
const sshProxyCommand = (file: string, host: string): string | undefined =>
  execFileSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8' })
    .split('\n')
    .find((line) => line.startsWith('proxycommand '))
    ?.slice('proxycommand '.length);

const add = async (home: string, file: string, ...extra: string[]) => {
  const run = await runCli([...addFlags('home', file, 'pi'), ...extra, '--yes'], { home });
  assert.equal(run.code, 0, run.stderr);
  // After writing, add asks `ssh -G pi` whether the new ProxyCommand is in effect: "Done." says it is.
  assert.equal(run.stdout.split('\n').at(-2), 'Done. Try it: ssh pi');
  return run;
};

describe('add --persist', () => {
  const written: Array<[string, string]> = [
    ['0', '0'],
    ['90', '90'],
    ['90s', '90s'],
    ['10m', '10m'],
    ['2h', '2h'],
    ['010m', '10m'],
    ['0s', '0'],
  ];
  for (const [given, persist] of written) {
    test(`--persist ${given}: written before -- as --persist ${persist}, and ssh -G shows it`, { skip: !hasSsh && 'no ssh client' }, async () => {
      const { home, file } = setup();
      await add(home, file, '--persist', given);
      assert.equal(proxyCommandOf(file), expectedCommand(file, persist));
      assert.equal(sshProxyCommand(file, 'pi'), expectedCommand(file, persist));
    });
  }

  for (const given of [[], ['--persist', ''], ['--persist', 'default']]) {
    test(`${given.join(' ') || 'no --persist'}: the ProxyCommand as before --persist existed`, async () => {
      const { home, file } = setup();
      await add(home, file, ...given);
      assert.equal(proxyCommandOf(file), expectedCommand(file));
    });
  }

  test('the same set again, --persist included: nothing to change; another --persist: refused, pointing to edit', async () => {
    const { home, file } = setup();
    await add(home, file, '--persist', '0');
    const before = snapshotTree(home);
    const same = await runCli([...addFlags('home', file, 'pi'), '--persist', '00', '--yes'], { home });
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stderr, `${file} already has this; nothing to change\n`);
    const other = await runCli([...addFlags('home', file, 'pi'), '--persist', '5m', '--yes'], { home });
    assertOneErrorLine(other, /^tunnel-config: a tunnel set named "home" exists with other settings; change it with: tunnel-config edit home\n$/);
    assert.deepEqual(snapshotTree(home), before);
  });
});

describe('edit --persist', () => {
  test('not given: kept; a time: replaced; default or empty: removed, giving back the block written without it', async () => {
    const { home, file } = setup();
    await add(home, file);
    const plain = readFileSync(file, 'utf8');
    const steps: Array<[string[], string | undefined]> = [
      [['--persist', '2h'], '2h'],
      [['--hosts', 'pi,nas'], '2h'],
      [['--persist', '0'], '0'],
      [['--persist', 'default'], undefined],
      [['--persist', '45s'], '45s'],
      [['--persist', ''], undefined],
    ];
    for (const [flags, persist] of steps) {
      const run = await runCli(['edit', 'home', ...flags, '--config', file, '--yes'], { home });
      assert.equal(run.code, 0, `${flags.join(' ')}: ${run.stderr}`);
      assert.equal(proxyCommandOf(file), expectedCommand(file, persist), flags.join(' '));
      if (hasSsh) assert.equal(sshProxyCommand(file, 'pi'), expectedCommand(file, persist), flags.join(' '));
    }
    assert.equal(readFileSync(file, 'utf8'), plain.replace('\nHost pi\n', '\nHost pi nas\n'));
  });

  test('a time the proxy would refuse: exit 2 naming --persist, nothing touched', async () => {
    const { home, file } = setup();
    await add(home, file, '--persist', '10m');
    const before = snapshotTree(home);
    for (const bad of ['10min', '1d', '-1', '1.5h', ' 10m', 'off']) {
      const run = await runCli(['edit', 'home', `--persist=${bad}`, '--config', file, '--yes'], { home });
      assertOneErrorLine(run, new RegExp(`^tunnel-config: --persist ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S`), bad);
    }
    assert.deepEqual(snapshotTree(home), before);
  });

  test('a --persist the proxy refuses written by hand: edit refuses the block, list marks it, each naming it and --persist', async () => {
    const { home, file } = setup();
    await add(home, file, '--persist', '10m');
    writeFileSync(file, readFileSync(file, 'utf8').replace('--persist 10m', '--persist 10min'));
    const why = /\S+: tunnel-config block "home" \(lines \d+-\d+\): --persist "10min": must be seconds, or a number with s, m or h/;
    const edit = await runCli(['edit', 'home', '--persist', '5m', '--yes', '--config', file], { home });
    assertOneErrorLine(edit, new RegExp(`^tunnel-config: ${why.source}`), 'edit');
    // list always lists: the set it cannot read is marked "!", and why is on stderr.
    const list = await runCli(['list', '--config', file], { home });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^home! +\? +\? +\?$/m);
    assert.match(list.stderr, new RegExp(`^! ${why.source}`));
  });
});

describe('list shows --persist', () => {
  test('a PERSIST column, empty for the default; --json "persist", null for the default', async () => {
    const { home, file } = setup();
    await add(home, file, '--persist', '30m');
    const lab = await runCli(['add', '--name', 'lab', '--jump-alias', 'myjump', '--hosts', 'lab-1', '--persist', '0', '--config', file, '--yes'], { home });
    assert.equal(lab.code, 0, lab.stderr);
    const plain = await runCli(['add', '--name', 'nas', '--jump-alias', 'myjump', '--hosts', 'nas', '--user', 'bob', '--config', file, '--yes'], { home });
    assert.equal(plain.code, 0, plain.stderr);

    const table = await runCli(['list', '--config', file], { home });
    assert.equal(table.code, 0);
    assert.equal(table.stderr, '');
    assert.equal(
      table.stdout,
      [
        'NAME  JUMP                 SOCKET DIR  HOSTS  USER  PERSIST',
        'home  me@jump.example.com  /home/host  pi           30m',
        'lab   myjump               /home/host  lab-1        0',
        'nas   myjump               /home/host  nas    bob',
        '',
      ].join('\n'),
    );

    const json = await runCli(['list', '--json', '--config', file], { home });
    assert.equal(json.code, 0);
    assert.equal(json.stderr, '');
    const sets = JSON.parse(json.stdout) as Array<{ name: string; persist: string | null }>;
    assert.deepEqual(sets.map(({ name, persist }) => [name, persist]), [['home', '30m'], ['lab', '0'], ['nas', null]]);
  });
});
