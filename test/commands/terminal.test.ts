import assert from 'node:assert/strict';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, test } from 'node:test';
import { addFlags, runCli, snapshotTree, USER_CONFIG, withoutBlocks, tempHomes } from './harness.js';
import { ENTER, runOnTerminal } from './pty.js';

const setup = tempHomes();

const inTerminal = (args: string[], home: string, answers: Array<[RegExp, string]>) => runOnTerminal(args, { home, answers });

const ANSWERS: Array<[RegExp, string]> = [
  [/How do you reach the jumphost from this machine\?/, ENTER],
  [/A name for this tunnel set/, `home${ENTER}`],
  [/The jumphost \(DNS name or IP address; for failover, several: a,b\):/, `jump.example.com${ENTER}`],
  [/Its SSH port/, `2222${ENTER}`],
  [/Your user on the jumphost/, `me${ENTER}`],
  [/The key to log in to the jumphost/, ENTER],
  [/The socket directory on the jumphost \(with several jumps: one, or one each\): \(\/home\/host\)/, ENTER],
  [/The hidden hosts/, `pi,nas${ENTER}`],
  [/Your login user on the hidden hosts/, ENTER],
  [/How long to keep the jump connection open/, ENTER],
];
/** The question that follows them: --ssh-option lines for the hidden hosts. */
const SSH_OPTIONS: [RegExp, string] = [/Other ssh options for the hidden hosts/, ENTER];

describe('tunnel-config add in a terminal', () => {
  test('every question answered, a coloured diff, confirmed: written', async () => {
    const { home, file } = setup(USER_CONFIG);
    const run = await inTerminal(['add', '--config', file], home, [...ANSWERS, SSH_OPTIONS, [/Write this change to \S+\? \(Y\/n\)/, `y${ENTER}`]]);
    assert.equal(run.code, 0, `${run.stderr}\n${run.screen}`);
    assert.match(run.screen, /\x1b\[32m\+# >>> tunnel-config home >>>\x1b\[39m/, 'the added lines in green');
    assert.match(run.screen, /\x1b\[1m--- \S+\tbefore\x1b\[22m/);
    // In a terminal, add then connects once to the jump through the new block (which does not exist here).
    assert.match(
      stripVTControlCharacters(run.screen),
      /Done\. Try it: ssh pi\r\n✔ tunnel-config-home-jump is me@jump\.example\.com port 2222 \(ssh -G\)\r\n✖ could not resolve jump\.example\.com \(the jump tunnel-config-home-jump\): check its HostName and your DNS\r\n$/,
    );
    assert.match(run.stderr, new RegExp(`^wrote ${file} \\(backup of the previous version: \\S+\\)\\n$`));
    const text = readFileSync(file, 'utf8');
    assert.equal(withoutBlocks(text), USER_CONFIG);
    assert.match(text, /^Host tunnel-config-home-jump\n {2}HostName jump\.example\.com\n {2}Port 2222\n {2}User me\nHost pi nas\n/m);
  });

  test('Ctrl-C at the third question: exit 0, "cancelled; nothing was changed", nothing touched', async () => {
    const { home, file } = setup(USER_CONFIG);
    const before = snapshotTree(home);
    const run = await inTerminal(['add', '--config', file], home, [...ANSWERS.slice(0, 2), [/The jumphost \(DNS name or IP address; for failover, several: a,b\):/, 'jump\x03']]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, 'cancelled; nothing was changed\n');
    assert.doesNotMatch(run.screen, /Its SSH port/);
    assert.deepEqual(snapshotTree(home), before);
  });

  test('"n" at the confirmation: exit 0, nothing written', async () => {
    const { home, file } = setup(USER_CONFIG);
    const run = await inTerminal(['add', '--config', file], home, [...ANSWERS, SSH_OPTIONS, [/Write this change to \S+\? \(Y\/n\)/, `n${ENTER}`]]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, 'nothing was written\n');
    assert.equal(readFileSync(file, 'utf8'), USER_CONFIG);
  });

  test('a name already taken is refused at its prompt, pointing to edit', async () => {
    const { home, file } = setup(USER_CONFIG);
    assert.equal((await runCli([...addFlags('home', file), '--yes'], { home })).code, 0);
    const before = readFileSync(file, 'utf8');
    const run = await inTerminal(['add', '--config', file], home, [
      ANSWERS[0] ?? assert.fail(),
      [/A name for this tunnel set/, `home${ENTER}`],
      [/a tunnel set named "home" exists; change it with: tunnel-config edit home/, '\x03'],
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  test('a config that cannot be written is refused before the first question', async () => {
    const { home, file } = setup();
    symlinkSync(join(home, 'nowhere', 'config'), file);
    const run = await inTerminal(['add', '--config', file], home, []);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^tunnel-config: \S+ is a symbolic link to \S+, which does not exist, so tunnel-config will not edit it; /);
    assert.doesNotMatch(run.screen, /How do you reach the jumphost/);
  });
});

test('tunnel-config edit in a terminal: the current answers are the defaults', async () => {
  const { home, file } = setup(USER_CONFIG);
  assert.equal((await runCli([...addFlags('home', file), '--jump-port', '2222', '--yes'], { home })).code, 0);
  const before = readFileSync(file, 'utf8');
  const run = await inTerminal(['edit', 'home', '--config', file], home, [
    [/❯ a jumphost I describe now/, ENTER],
    [/\(jump\.example\.com\)/, ENTER],
    [/\(2222\)/, ENTER],
    [/\(me\)/, ENTER],
    [/The key to log in to the jumphost/, ENTER],
    [/\(\/home\/host\)/, ENTER],
    [/\(home-\*\)/, `pi${ENTER}`],
    [/Your login user on the hidden hosts/, ENTER],
    [/How long to keep the jump connection open/, ENTER],
    SSH_OPTIONS,
    [/Write this change/, ENTER],
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(file, 'utf8'), before.replace('\nHost home-*\n', '\nHost pi\n'));
});

test('tunnel-config add, then edit, in a terminal: --persist asked after the hosts, its current value kept on Enter', async () => {
  const { home, file } = setup(USER_CONFIG);
  const persistLine = (): string | undefined => readFileSync(file, 'utf8').split('\n').find((line) => line.startsWith('  ProxyCommand '));
  const added = await inTerminal(['add', '--config', file], home, [
    ...ANSWERS.slice(0, -1),
    [/How long to keep the jump connection open/, `10min${ENTER}`],
    [/> must be seconds, or a number with s, m or h/, `\x15090s${ENTER}`],
    SSH_OPTIONS,
    [/Write this change to \S+\? \(Y\/n\)/, ENTER],
  ]);
  assert.equal(added.code, 0, `${added.stderr}\n${stripVTControlCharacters(added.screen)}`);
  assert.match(persistLine() ?? '', / --socket-dir \/home\/host -F \S+ --persist 90s -- %h$/, 'written normalised');
  const kept = await inTerminal(['edit', 'home', '--config', file], home, [
    [/❯ a jumphost I describe now/, ENTER],
    [/\(jump\.example\.com\)/, ENTER],
    [/\(2222\)/, ENTER],
    [/\(me\)/, ENTER],
    [/The key to log in to the jumphost/, ENTER],
    [/\(\/home\/host\)/, ENTER],
    [/\(pi,nas\)/, ENTER],
    [/Your login user on the hidden hosts/, ENTER],
    [/How long to keep the jump connection open[^]*\(90s\)/, ENTER],
    SSH_OPTIONS,
  ]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.equal(kept.stderr, `${file} already has this; nothing to change\n`);
  assert.match(persistLine() ?? '', / --persist 90s -- %h$/);
});
