import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { hasSsh } from '../sshconfig/openssh.js';
import { addFlags, assertOneErrorLine, runCli, snapshotTree, USER_CONFIG, tempHomes } from './harness.js';
import { ENTER, runOnTerminal } from './pty.js';

const makeHome = tempHomes();
const setup = (): { home: string; file: string } => makeHome(USER_CONFIG);

/** The hosts' section of set `name`: its lines after ProxyCommand. */
const hostLines = (file: string, name = 'home'): string[] => {
  const block = new RegExp(`^# >>> tunnel-config ${name} >>>\\n([^]*?)^# <<< tunnel-config ${name} <<<`, 'm').exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  return block.slice(block.indexOf('  ProxyCommand ')).split('\n').slice(1, -1);
};

const sshG = (file: string, host: string): string => execFileSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8' });

describe('add --ssh-option', () => {
  test('repeatable; written after User, keyword spelled as ssh_config does; ssh -G applies it; list shows it', { skip: !hasSsh && 'no ssh client' }, async () => {
    const { home, file } = setup();
    const run = await runCli([...addFlags('home', file, 'pi'), '--user', 'me', '--ssh-option', 'forwardagent=yes', '--ssh-option', 'IdentityFile ~/.ssh/id_pi', '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(hostLines(file), ['  User me', '  ForwardAgent yes', '  IdentityFile ~/.ssh/id_pi', '  ServerAliveInterval 10', '  ServerAliveCountMax 3']);
    const resolved = sshG(file, 'pi');
    assert.match(resolved, /^forwardagent yes$/m);
    assert.match(resolved, /^identityfile ~\/\.ssh\/id_pi$/m);
    assert.match(sshG(file, 'myserver'), /^forwardagent no$/m, 'only the hosts of the set');

    const table = await runCli(['list', '--config', file], { home });
    assert.equal(table.stdout.split('\n')[0], 'NAME  JUMP                 SOCKET DIR  HOSTS  USER  PERSIST  SSH OPTIONS');
    assert.match(table.stdout, /^home +me@jump\.example\.com +\/home\/host +pi +me +ForwardAgent yes; IdentityFile ~\/\.ssh\/id_pi$/m);
    const json = JSON.parse((await runCli(['list', '--json', '--config', file], { home })).stdout) as Array<{ sshOptions?: string[] }>;
    assert.deepEqual(json[0]?.sshOptions, ['ForwardAgent yes', 'IdentityFile ~/.ssh/id_pi']);
  });

  const refused: Array<[string, RegExp]> = [
    ['ProxyCommand nc %h 22', /ProxyCommand is what tunnel-config sets/],
    ['ProxyJump gw', /ProxyJump is what tunnel-config sets/],
    ['HostName 192.0.2.9', /HostName would change the name the proxy looks up/],
    ['User bob', /User is set with --user/],
    ['StrictHostKeyChecking no', /would stop ssh from checking host keys/],
    ['ForwardAgnet yes', /"ForwardAgnet", which is not an ssh_config keyword/],
    ['ForwardAgent yes # mine', /may not contain "#"/],
    ['ForwardAgent yes\nHost *\n  ProxyCommand sh -c evil', /may not contain a line break/],
    ['Compression maybe', /ssh does not take it \(command-line line 0: unsupported option "maybe"\.\)/],
    ['Port 99999', /ssh does not take it \(command-line line 0: Bad port '99999'\.\)/],
  ];
  for (const [option, why] of refused) {
    test(`${JSON.stringify(option)}: exit 2 naming --ssh-option, nothing touched`, { skip: !hasSsh && 'no ssh client' }, async () => {
      const { home, file } = setup();
      const before = snapshotTree(home);
      const run = await runCli([...addFlags('home', file, 'pi'), '--ssh-option', option, '--yes'], { home });
      assertOneErrorLine(run, new RegExp(`^tunnel-config: --ssh-option "${'[^\\n]'}*${why.source}`), option);
      assert.deepEqual(snapshotTree(home), before);
    });
  }

  test('a keyword ssh reads once, given twice: refused', async () => {
    const { home, file } = setup();
    const run = await runCli([...addFlags('home', file, 'pi'), '--ssh-option', 'ForwardAgent yes', '--ssh-option', 'ForwardAgent no', '--yes'], { home });
    assertOneErrorLine(run, /^tunnel-config: --ssh-option "ForwardAgent no": ForwardAgent is given twice, and ssh uses only the first \("ForwardAgent yes"\)\n$/);
  });
});

describe('edit keeps the options', () => {
  test('not given: kept across other changes; given: replaced; empty: removed, giving back the block written without', async () => {
    const { home, file } = setup();
    assert.equal((await runCli([...addFlags('home', file, 'pi'), '--yes'], { home })).code, 0);
    const plain = readFileSync(file, 'utf8');
    const steps: Array<[string[], string[]]> = [
      [['--ssh-option', 'ForwardAgent yes'], ['  ForwardAgent yes']],
      [['--hosts', 'pi,nas', '--persist', '5m'], ['  ForwardAgent yes']],
      [['--ssh-option', 'Compression yes; LocalForward 8080 localhost:80'], ['  Compression yes', '  LocalForward 8080 localhost:80']],
      [['--ssh-option', ''], []],
    ];
    for (const [flags, lines] of steps) {
      const run = await runCli(['edit', 'home', ...flags, '--config', file, '--yes'], { home });
      assert.equal(run.code, 0, `${flags.join(' ')}: ${run.stderr}`);
      assert.deepEqual(hostLines(file), [...lines, '  ServerAliveInterval 10', '  ServerAliveCountMax 3'], flags.join(' '));
    }
    const back = await runCli(['edit', 'home', '--hosts', 'pi', '--persist', 'default', '--config', file, '--yes'], { home });
    assert.equal(back.code, 0, back.stderr);
    assert.equal(readFileSync(file, 'utf8'), plain);
  });
});

test('the wizard asks for them after --persist, and edit shows the current ones as the default', async () => {
  const { home, file } = setup();
  const added = await runOnTerminal(['add', '--name', 'home', '--jump-host', '127.0.0.1', '--jump-port', '1', '--jump-user', '', '--identity', '', '--socket-dir', '/home/host', '--user', '', '--persist', '', '--config', file], {
    home,
    answers: [
      [/The hidden hosts/, `pi${ENTER}`],
      [/Other ssh options for the hidden hosts/, `ForwardAgent yes; ProxyJump gw${ENTER}`],
      [/ProxyJump is what tunnel-config sets/, `\x15ForwardAgent yes; IdentityFile ~/.ssh/id_pi${ENTER}`],
      [/Write this change to \S+\?/, ENTER],
    ],
  });
  assert.equal(added.code, 0, `${added.stderr}\n${stripVTControlCharacters(added.screen)}`);
  assert.deepEqual(hostLines(file).slice(0, 2), ['  ForwardAgent yes', '  IdentityFile ~/.ssh/id_pi']);
  const kept = await runOnTerminal(['edit', 'home', '--config', file], {
    home,
    answers: [
      [/reach the jumphost/, ENTER],
      ...[/The jumphost/, /Its SSH port/, /Your user on the jumphost/, /The key/, /The socket directory/, /The hidden hosts/, /Your login user/, /How long/].map((prompt): [RegExp, string] => [prompt, ENTER]),
      [/Other ssh options for the hidden hosts[^]*\(ForwardAgent yes; IdentityFile ~\/\.ssh\/id_pi\)/, ENTER],
    ],
  });
  assert.equal(kept.code, 0, `${kept.stderr}\n${stripVTControlCharacters(kept.screen)}`);
  assert.match(kept.stderr, /already has this; nothing to change\n$/);
});
