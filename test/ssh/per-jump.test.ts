import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perJump } from '../../src/ssh/per-jump.js';

test('perJump: none is none for each, one is every jump\'s, one per jump is paired in order, any other count is refused', () => {
  const cases: Array<[readonly string[], number, (string | undefined)[] | undefined]> = [
    [[], 2, [undefined, undefined]],
    [['/s'], 3, ['/s', '/s', '/s']],
    [['/1', '/2'], 2, ['/1', '/2']],
    [['/1', '/2'], 3, undefined],
    [['/1', '/2', '/3'], 2, undefined],
    [['/1', '/2'], 1, undefined],
  ];
  for (const [values, jumps, expected] of cases) assert.deepEqual(perJump(values, jumps), expected, `${values.join(',')} for ${jumps}`);
});
