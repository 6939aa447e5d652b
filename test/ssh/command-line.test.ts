import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandTokens, splitCommandLine } from '../../src/ssh/command-line.js';

describe('splitCommandLine (OpenSSH argv_split)', () => {
  const cases: Array<[string, string[] | null]> = [
    ['/bin/cmd %H %p', ['/bin/cmd', '%H', '%p']],
    ['  /bin/cmd\t a  b ', ['/bin/cmd', 'a', 'b']],
    [`/bin/cmd 'a b' "c d"`, ['/bin/cmd', 'a b', 'c d']],
    ['/bin/cmd a\\ b', ['/bin/cmd', 'a b']],
    ['/bin/cmd \\"x\\" \\\\ \\n', ['/bin/cmd', '"x"', '\\', '\\n']],
    ['/bin/cmd "a\'b"', ['/bin/cmd', "a'b"]],
    ['/bin/cmd "open', null],
    ['', []],
  ];
  for (const [line, words] of cases) test(JSON.stringify(line), () => assert.deepEqual(splitCommandLine(line), words));
});

describe('expandTokens', () => {
  const tokens = { H: '[jump]:2222', p: '2222' };
  test('tokens, %% and ${VAR}', () => assert.equal(expandTokens('%H-%p-%%-${X}', tokens, { X: 'x' }), '[jump]:2222-2222-%-x'));
  test('an unknown token stops, as in ssh', () => assert.equal(expandTokens('%Z', tokens, {}), null));
  test('an unset variable stops, as in ssh', () => assert.equal(expandTokens('${NOPE}', tokens, {}), null));
});
