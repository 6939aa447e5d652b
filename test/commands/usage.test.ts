import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli, snapshotTree, tempHomes } from './harness.js';

const makeHome = tempHomes();
const setup = (): { home: string } => makeHome();

describe('help and usage errors', () => {
  for (const command of ['add', 'edit', 'remove', 'list']) {
    for (const flag of ['--help', '-h']) {
      test(`${command} ${flag}: exit 0, usage on stdout`, async () => {
        const { home } = setup();
        const run = await runCli([command, flag], { home });
        assert.equal(run.code, 0);
        assert.match(run.stdout, new RegExp(`^Usage: tunnel-config ${command} `));
        assert.equal(run.stderr, '');
      });
    }
  }
  test('add --help and edit --help: --persist, and how edit takes it back to the default', async () => {
    const { home } = setup();
    assert.match((await runCli(['add', '--help'], { home })).stdout, /^ {2}--persist TIME {7}keep the jump connection open for TIME after the last session.*\n.*0 = no sharing; default: the proxy's, 10m\)$/m);
    assert.match((await runCli(['edit', '--help'], { home })).stdout, /`--persist default` \(or `--persist ''`\) goes back to the proxy's default, 10m\./);
  });
  const errors: Array<[string[], RegExp]> = [
    [['add', '--bogus'], /^tunnel-config: Unknown option '--bogus' \(see tunnel-config add --help\)\n$/],
    [['edit', 'home', '--jump'], /^tunnel-config: Unknown option '--jump' \(see tunnel-config edit --help\)\n$/],
    [['remove', 'home', '--hosts', 'pi'], /^tunnel-config: Unknown option '--hosts' \(see tunnel-config remove --help\)\n$/],
    [['list', '-x'], /^tunnel-config: Unknown option '-x' \(see tunnel-config list --help\)\n$/],
    [['add', '--name'], /^tunnel-config: Option '--name <value>' argument missing \(see tunnel-config add --help\)\n$/],
    [['add', '--yes=no'], /^tunnel-config: Option '-y, --yes' does not take an argument \(see tunnel-config add --help\)\n$/],
    [['add', 'extra', '--name', 'x'], /^tunnel-config: add takes no arguments, got "extra" \(see tunnel-config add --help\)\n$/],
    [['list', 'extra'], /^tunnel-config: list takes no arguments \(see tunnel-config list --help\)\n$/],
    [['bogus'], /^tunnel-config: unknown command "bogus" \(see tunnel-config --help\)\n$/],
  ];
  for (const [args, stderr] of errors) {
    test(`${args.join(' ')}: exit 2, one line`, async () => {
      const { home } = setup();
      const run = await runCli(args, { home });
      assert.equal(run.code, 2);
      assert.match(run.stderr, stderr);
      assert.equal(run.stdout, '');
      assert.deepEqual(Object.keys(snapshotTree(home)), ['.'], 'nothing created');
    });
  }
  test('no command: exit 2, the usage on stderr; --help: exit 0, the usage on stdout', async () => {
    const { home } = setup();
    const none = await runCli([], { home });
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^Usage: tunnel-config <command> \[options\]\n/);
    const help = await runCli(['--help'], { home });
    assert.equal(help.code, 0);
    assert.equal(`${help.stdout.trimEnd()}\n`, none.stderr);
  });
});
