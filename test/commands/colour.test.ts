import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { stdoutColour } from '../../src/ui/colour.js';
import { renderConfigDiff } from '../../src/ui/diff.js';
import { addFlags, runCli, USER_CONFIG, tempHomes } from './harness.js';
import { ENTER, runOnTerminal, SGR } from './pty.js';

const makeHome = tempHomes();
const setup = (): { home: string; file: string } => makeHome(USER_CONFIG);

describe('stdoutColour: chalk\'s detection, and NO_COLOR', () => {
  const cases: Array<[NodeJS.ProcessEnv, number, number]> = [
    [{}, 3, 3],
    [{}, 0, 0],
    [{ NO_COLOR: '1' }, 3, 0],
    [{ NO_COLOR: 'yes' }, 1, 0],
    [{ NO_COLOR: '' }, 2, 2],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, 1, 1],
  ];
  for (const [env, detected, level] of cases) {
    test(`${JSON.stringify(env)} with chalk detecting level ${detected}: level ${level}`, () => assert.equal(stdoutColour(env, detected).level, level));
  }
  test('a diff rendered without colour has no escape', () => {
    const diff = renderConfigDiff('/c', 'a\n', 'b\n', stdoutColour({ NO_COLOR: '1' }, 3));
    assert.doesNotMatch(diff, SGR);
    assert.match(diff, /^-a$/m);
    assert.match(renderConfigDiff('/c', 'a\n', 'b\n', stdoutColour({}, 1)), /\x1b\[31m-a\x1b\[39m/);
  });
});

describe('the real binary', () => {
  test('in a terminal: the diff is coloured; with NO_COLOR=1 it is not', async () => {
    const coloured = setup();
    const plain = setup();
    const flags = [...addFlags('home', coloured.file), '--dry-run'];
    const withColour = await runOnTerminal(flags, { home: coloured.home });
    assert.equal(withColour.code, 0, withColour.stderr);
    assert.match(withColour.screen, /\x1b\[32m\+# >>> tunnel-config home >>>\x1b\[39m/);
    const noColour = await runOnTerminal([...addFlags('home', plain.file), '--dry-run'], { home: plain.home, env: { NO_COLOR: '1' } });
    assert.equal(noColour.code, 0, noColour.stderr);
    assert.match(noColour.screen, /^\+# >>> tunnel-config home >>>\r$/m);
    assert.doesNotMatch(noColour.screen, SGR);
  });

  test('in a terminal with NO_COLOR=1: the wizard, the diff and the confirmation have no colour', async () => {
    const { home, file } = setup();
    const run = await runOnTerminal(['add', '--config', file], {
      home,
      env: { NO_COLOR: '1' },
      answers: [
        [/reach the jumphost/, ENTER],
        [/A name for this tunnel set/, `home${ENTER}`],
        [/The jumphost/, `jump.example.com${ENTER}`],
        [/Its SSH port/, ENTER],
        [/Your user on the jumphost/, ENTER],
        [/The key to log in to the jumphost/, ENTER],
        [/The socket directory on the jumphost/, ENTER],
        [/The hidden hosts/, `pi${ENTER}`],
        [/Your login user on the hidden hosts/, ENTER],
        [/How long to keep the jump connection open/, ENTER],
        [/Other ssh options for the hidden hosts/, ENTER],
        [/Write this change to \S+\?/, ENTER],
      ],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(readFileSync(file, 'utf8'), /^Host pi$/m);
    assert.doesNotMatch(run.screen, SGR);
  });

  for (const env of [{}, { NO_COLOR: '1' }]) {
    test(`stdout not a terminal (${JSON.stringify(env)}): no colour`, async () => {
      const { home, file } = setup();
      const run = await runCli([...addFlags('home', file), '--dry-run'], { home, env });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^\+# >>> tunnel-config home >>>$/m);
      assert.doesNotMatch(run.stdout, SGR);
    });
  }
});
