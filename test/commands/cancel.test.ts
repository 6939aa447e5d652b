import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { addFlags, repoRoot, runCli, snapshotTree, USER_CONFIG, tempHomes } from './harness.js';
import { CTRL_C, ENTER, runOnTerminal } from './pty.js';

const makeHome = tempHomes();
const setup = (): { home: string; file: string } => makeHome(USER_CONFIG);

/** The exit status README's table gives a Ctrl-C at a question: the one row that speaks of it. */
function documentedCancelStatus(): number {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('### Exit codes'));
  const rows = table.split('\n').filter((line) => /^\| [0-9+n]+ \|.*cancelled with Ctrl-C.*at a question/.test(line));
  assert.equal(rows.length, 1, 'one row of README\'s exit codes is a Ctrl-C at a question');
  return Number(/^\| ([0-9]+) \|/.exec(rows[0] ?? '')?.[1]);
}

const cases: Array<[string, (file: string) => string[], Array<[RegExp, string]>, boolean]> = [
  ['add, at the first question (a choice)', (file) => ['add', '--config', file], [[/reach the jumphost/, CTRL_C]], false],
  ['add, at a typed answer', (file) => ['add', '--config', file], [[/reach the jumphost/, ENTER], [/A name for this tunnel set/, `hom${CTRL_C}`]], false],
  ['add, at the confirmation', (file) => addFlags('home', file), [[/Write this change to \S+\?/, CTRL_C]], false],
  ['edit, at a question', (file) => ['edit', 'home', '--config', file], [[/reach the jumphost/, CTRL_C]], true],
  ['remove, at the confirmation', (file) => ['remove', 'home', '--config', file], [[/Write this change to \S+\?/, CTRL_C]], true],
];

for (const [what, args, keys, withSet] of cases) {
  test(`Ctrl-C in ${what}: README's status, "cancelled; nothing was changed", nothing touched`, async () => {
    const status = documentedCancelStatus();
    const { home, file } = setup();
    if (withSet) assert.equal((await runCli([...addFlags('home', file), '--yes'], { home })).code, 0);
    const before = snapshotTree(home);
    const run = await runOnTerminal(args(file), { home, answers: keys });
    assert.equal(run.code, status, run.stderr);
    assert.equal(run.stderr, 'cancelled; nothing was changed\n');
    assert.deepEqual(snapshotTree(home), before);
  });
}
