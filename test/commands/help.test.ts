import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, snapshotTree, tempDir } from './harness.js';

const temp = tempDir();
after(temp.remove);
let count = 0;
const home = (): string => {
  const dir = join(temp.dir, `home-${++count}`);
  mkdirSync(dir);
  return dir;
};

const COMMANDS = ['add', 'list', 'hosts', 'doctor', 'edit', 'remove', 'proxy', 'host-setup', 'server-setup', 'shared'];

describe('a command\'s help: `help CMD` and `CMD --help` print the same usage on stdout, exit 0', () => {
  for (const command of COMMANDS) {
    test(command, async () => {
      const dir = home();
      const asked = await runCli(['help', command], { home: dir });
      const flag = await runCli([command, '--help'], { home: dir });
      for (const [how, run] of [['help', asked], ['--help', flag]] as const) {
        assert.equal(run.code, 0, `${how}: ${run.stderr}`);
        assert.equal(run.stderr, '', how);
        assert.match(run.stdout, new RegExp(`^Usage: tunnel-config ${command}\\b`), how);
      }
      assert.equal(asked.stdout, flag.stdout);
      assert.deepEqual(Object.keys(snapshotTree(dir)), ['.'], 'nothing created');
    });
  }

  test('the overall usage names `help <command>`', async () => {
    const run = await runCli(['help'], { home: home() });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Run tunnel-config help <command> \(or tunnel-config <command> --help\) for a command's options\.$/m);
  });
});

describe('an unknown command: exit 2, one line, naming the nearest command when one is close', () => {
  const cases: Array<[string[], string | undefined]> = [
    [['ad'], 'add'],
    [['rm', 'home'], 'remove'],
    [['delete', 'home'], 'remove'],
    [['ls'], 'list'],
    [['lsit'], 'list'],
    [['eidt', 'home'], 'edit'],
    [['hostsetup'], 'host-setup'],
    [['hots', '--probe'], 'hosts'],
    [['server'], 'server-setup'],
    [['help', 'ad'], 'add'],
    [['bogus'], undefined],
    [['help', 'bogus'], undefined],
  ];
  for (const [args, near] of cases) {
    test(`${args.join(' ')} → ${near ?? 'no suggestion'}`, async () => {
      const run = await runCli(args, { home: home() });
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      const typed = args[0] === 'help' ? args[1] : args[0];
      assert.equal(run.stderr, `tunnel-config: unknown command "${typed}"${near ? `; did you mean "${near}"?` : ''} (see tunnel-config --help)\n`);
    });
  }
});
