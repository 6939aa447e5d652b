import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { hasSsh } from '../sshconfig/openssh.js';
import { assertOneErrorLine, backupsOf, runCli, snapshotTree, tempHomes } from './harness.js';
import { ENTER, runOnTerminal } from './pty.js';

const makeHome = tempHomes();
const setup = (config: string): { home: string; file: string } => makeHome(config);

/** A config as the seed recipe leaves it: the hosts through `ssh jump nc -U`, before the catch-all (the jump refuses at once). */
const SEED = [
  'Host jump',
  '  HostName 127.0.0.1',
  '  Port 1',
  '',
  'Host host-*',
  '  ProxyCommand ssh jump nc -U /home/host/%h.sock',
  '  User pi',
  '  ForwardAgent no',
  '',
  'Host *',
  '  ServerAliveInterval 60',
  '',
].join('\n');

const addHome = (file: string, ...extra: string[]): string[] => ['add', '--name', 'home', '--jump-alias', 'jump', '--hosts', 'host-*', '--config', file, ...extra];

/** What ssh resolves for `host` under `file`: `keyword value` lines. */
const sshG = (file: string, host: string): string => execFileSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8' });
const proxyCommand = (file: string, host: string): string | undefined => /^proxycommand (.*)$/m.exec(sshG(file, host))?.[1];
const blockProxyCommand = (file: string, name: string): string | undefined =>
  new RegExp(`^# >>> tunnel-config ${name} >>>\\n[^]*?^ {2}ProxyCommand (.*)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1];

describe('the seed recipe before Host *', { skip: !hasSsh && 'no ssh client' }, () => {
  const refusal = /^tunnel-config: line 6 of \S+ \(`ProxyCommand ssh jump nc -U \/home\/host\/%h\.sock`\) comes first for host-\*, so ssh would not use the block of "home" for host-\*; nothing was written; pass --adopt to turn the seed-recipe section at lines 5-8 \(through jump\) into set "home", keeping its other options, or --place-before to put the block before `Host host-\*` \(line 5\)\n$/;

  test('add --yes: exit 2 naming the line, the hosts and the fixes, before anything is written', async () => {
    const { home, file } = setup(SEED);
    const before = snapshotTree(home);
    const run = await runCli([...addHome(file), '--yes'], { home });
    assertOneErrorLine(run, refusal);
    assert.deepEqual(snapshotTree(home), before, 'no write, no backup, no lock');
  });

  test('add --dry-run names the line too, and exits 2 as the real run would', async () => {
    const { home, file } = setup(SEED);
    const run = await runCli([...addHome(file), '--dry-run'], { home });
    assertOneErrorLine(run, refusal);
  });

  test('--adopt: the section becomes the set, its User and options kept; ssh -G uses it; remove gives the bytes back', async () => {
    const { home, file } = setup(SEED);
    const run = await runCli([...addHome(file), '--adopt', '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    // The diff comes with what won and what --adopt does about it.
    assert.match(run.stderr, /^line 6 of \S+ \(`ProxyCommand ssh jump nc -U \/home\/host\/%h\.sock`\) comes first for host-\*, so ssh would not use the block of "home" for host-\*\.\nlines 5-8 of \S+ \(the seed recipe through jump\) become set "home", keeping their hosts and options; `tunnel-config remove home` puts them back$/m);
    assert.match(run.stdout, /^Done\. Try it: ssh <a host matching host-\*>$/m);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^#\|Host host-\*\n#\| {2}ProxyCommand ssh jump nc -U \/home\/host\/%h\.sock\n#\| {2}User pi\n#\| {2}ForwardAgent no\nHost host-\*\n {2}ProxyCommand .+\n {2}User pi\n {2}ForwardAgent no\n {2}ServerAliveInterval 10\n/m);
    for (const host of ['host-1', 'host-x']) {
      const resolved = sshG(file, host);
      assert.equal(proxyCommand(file, host), blockProxyCommand(file, 'home'), host);
      assert.match(resolved, /^user pi$/m);
      assert.match(resolved, /^forwardagent no$/m);
    }
    const list = await runCli(['list', '--config', file], { home });
    assert.match(list.stdout, /^home +jump +\/home\/host +host-\* +pi +ForwardAgent no$/m);
    const removed = await runCli(['remove', 'home', '--config', file, '--yes'], { home });
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(readFileSync(file, 'utf8'), SEED);
  });

  test('--adopt refuses a section that goes through another jumphost than the set: the hosts would change jumps unseen', async () => {
    const other = SEED.replace('Host jump\n', 'Host gw\n  HostName 192.0.2.9\n\nHost jump\n');
    const { home, file } = setup(other);
    const run = await runCli(['add', '--name', 'home', '--jump-alias', 'gw', '--hosts', 'host-*', '--config', file, '--adopt', '--yes'], { home });
    assertOneErrorLine(
      run,
      /--adopt cannot take that section: it goes through jump \(127\.0\.0\.1 port 1\), not the set's jump gw \(192\.0\.2\.9 port 22\): give the set the jump its hosts use now \(--jump-alias or --jump-host\), or leave --adopt out; nothing was written; pass --place-before /,
    );
    assert.equal(readFileSync(file, 'utf8'), other);
    // The same jump under another name is the same jump.
    const same = setup(SEED.replace('Host jump\n', 'Host gw\n  HostName 127.0.0.1\n  Port 1\n\nHost jump\n'));
    const adopted = await runCli(['add', '--name', 'home', '--jump-alias', 'gw', '--hosts', 'host-*', '--config', same.file, '--adopt', '--yes'], { home: same.home });
    assert.equal(adopted.code, 0, adopted.stderr);
  });

  test('--place-before: the block before the section, which stays; ssh -G uses the block', async () => {
    const { home, file } = setup(SEED);
    const run = await runCli([...addHome(file), '--place-before', '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^the block goes before `Host host-\*` \(line 5\), so that ssh reads it first$/m);
    assert.match(readFileSync(file, 'utf8'), /^# <<< tunnel-config home <<<\nHost host-\*\n {2}ProxyCommand ssh jump nc -U/m);
    assert.equal(proxyCommand(file, 'host-1'), blockProxyCommand(file, 'home'));
  });

  test('in a terminal: the line and the hosts are named, and the fixes offered; adopt chosen, then written', async () => {
    const { home, file } = setup(SEED);
    const run = await runOnTerminal(addHome(file), {
      home,
      answers: [
        [/What should tunnel-config do\?/, ENTER],
        [/Write this change to \S+\?/, ENTER],
      ],
    });
    assert.equal(run.code, 0, `${run.stderr}\n${stripVTControlCharacters(run.screen)}`);
    assert.match(run.stderr, /^line 6 of \S+ \(`ProxyCommand ssh jump nc -U \/home\/host\/%h\.sock`\) comes first for host-\*, so ssh would not use the block of "home" for host-\*\.$/m);
    const screen = stripVTControlCharacters(run.screen).replaceAll(/\r?\n/g, '');
    assert.match(screen, /Turn the seed-recipe section at lines 5-8 \(through jump\) into set "home", keeping its other options \(--adopt\)/);
    assert.match(screen, /Put the block before `Host host-\*` \(line 5\) \(--place-before\)/);
    assert.match(screen, /Nothing: change nothing/);
    assert.match(readFileSync(file, 'utf8'), /^#\|Host host-\*$/m);
    assert.equal(proxyCommand(file, 'host-1'), blockProxyCommand(file, 'home'));
  });

  test('in a terminal, "Nothing": cancelled, nothing touched', async () => {
    const { home, file } = setup(SEED);
    const before = snapshotTree(home);
    const run = await runOnTerminal(addHome(file), { home, answers: [[/What should tunnel-config do\?/, '\x1b[B\x1b[B'], [/❯ Nothing: change nothing/, ENTER]] });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /cancelled; nothing was changed\n$/);
    assert.deepEqual(snapshotTree(home), before);
  });
});

test('the seed recipe after Host *: the block goes before Host *, and takes effect', { skip: !hasSsh && 'no ssh client' }, async () => {
  const after = SEED.replace('Host host-*\n  ProxyCommand ssh jump nc -U /home/host/%h.sock\n  User pi\n  ForwardAgent no\n\n', '') + '\nHost host-*\n  ProxyCommand ssh jump nc -U /home/host/%h.sock\n';
  const { home, file } = setup(after);
  const run = await runCli([...addHome(file), '--yes'], { home });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(proxyCommand(file, 'host-1'), blockProxyCommand(file, 'home'));
});

describe('overlapping sets', { skip: !hasSsh && 'no ssh client' }, () => {
  const config = ['Host jump', '  HostName 127.0.0.1', '', 'Host office', '  HostName 127.0.0.2', '', 'Host *', '  ForwardAgent no', ''].join('\n');
  const withWork = async (): Promise<{ home: string; file: string }> => {
    const { home, file } = setup(config);
    const work = await runCli(['add', '--name', 'work', '--jump-alias', 'office', '--socket-dir', '/srv/office', '--hosts', 'host-1,nas', '--config', file, '--yes'], { home });
    assert.equal(work.code, 0, work.stderr);
    return { home, file };
  };

  test('work claims host-1 and nas; home with host-* is refused, naming work and host-1, not a sample name', async () => {
    const { home, file } = await withWork();
    const before = snapshotTree(home);
    const run = await runCli([...addHome(file), '--yes'], { home });
    assertOneErrorLine(run, /^tunnel-config: tunnel set "work" \(line 10 of \S+\) comes first for host-1, so ssh would not use the block of "home" for host-1; nothing was written; pass --place-before to put the block before tunnel set "work" \(line 7\)\n$/);
    assert.deepEqual(snapshotTree(home), before);
  });

  test('--place-before: home comes first, for host-1 too; nas stays with work; the note says so', async () => {
    const { home, file } = await withWork();
    const run = await runCli([...addHome(file), '--place-before', '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^the block goes before tunnel set "work" \(line 7\), so that ssh reads it first; host-1 then goes through "home", no longer through "work"$/m);
    assert.equal(proxyCommand(file, 'host-1'), blockProxyCommand(file, 'home'));
    assert.equal(proxyCommand(file, 'host-2'), blockProxyCommand(file, 'home'));
    assert.equal(proxyCommand(file, 'nas'), blockProxyCommand(file, 'work'));
  });
});

test('a config ssh already refuses: said before anything is written, with the line of the file as it is', { skip: !hasSsh && 'no ssh client' }, async () => {
  const { home, file } = setup(SEED.replace('  User pi\n', '  User pi\n  Bogus yes\n'));
  const before = snapshotTree(home);
  for (const extra of [['--yes'], ['--dry-run']]) {
    const run = await runCli([...addHome(file), ...extra], { home });
    assertOneErrorLine(run, new RegExp(`^tunnel-config: ssh cannot read ${file} as it is, before any change \\(${file}: line 8: Bad configuration option: bogus\\): fix that first; nothing was written\\n$`), extra[0]);
  }
  assert.deepEqual(snapshotTree(home), before);
  assert.deepEqual(backupsOf(home, 'config'), []);
});
