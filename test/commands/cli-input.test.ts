import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertOneErrorLine, inBatches, runCli, snapshotTree, tempDir, USER_CONFIG } from './harness.js';

const temp = tempDir();
after(temp.remove);
const home = join(temp.dir, 'home');
const config = join(home, 'config');
mkdirSync(home);
writeFileSync(config, USER_CONFIG, { mode: 0o600 });

/** Each flag with a valid value to spoil, and the other flags a run needs to get as far as checking it. */
const FLAGS: Record<string, { valid: string; rest: string[] }> = {
  '--name': { valid: 'home', rest: ['--jump-host', 'jump.example.com', '--hosts', 'pi'] },
  '--jump-host': { valid: 'jump.example.com', rest: ['--name', 'home', '--hosts', 'pi'] },
  '--jump-user': { valid: 'me', rest: ['--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi'] },
  '--identity': { valid: '/home/me/.ssh/id_ed25519', rest: ['--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi'] },
  '--socket-dir': { valid: '/home/host', rest: ['--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi'] },
  '--hosts': { valid: 'host-1', rest: ['--name', 'home', '--jump-host', 'jump.example.com'] },
  '--user': { valid: 'me', rest: ['--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi'] },
  '--jump-alias': { valid: 'myjump', rest: ['--name', 'home', '--hosts', 'pi'] },
  '--jump-port': { valid: '22', rest: ['--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi'] },
  '--persist': { valid: '10m', rest: ['--name', 'home', '--jump-host', 'jump.example.com', '--hosts', 'pi'] },
};

/** What a hostile or careless value may carry, each spliced into the middle of a valid one (or in front of it). */
const SPOILERS: Array<[string, (valid: string) => string]> = [
  ['a newline', (v) => `${v.slice(0, 2)}\n${v.slice(2)}`],
  ['a newline and an ssh_config line', (v) => `${v}\nProxyCommand sh -c id`],
  ['a CR', (v) => `${v}\r`],
  ['#', (v) => `${v.slice(0, 2)}#${v.slice(2)}`],
  ['a double quote', (v) => `${v.slice(0, 2)}"${v.slice(2)}`],
  ['a single quote', (v) => `${v.slice(0, 2)}'${v.slice(2)}`],
  ['%', (v) => `${v.slice(0, 2)}%h${v.slice(2)}`],
  ['=', (v) => `${v.slice(0, 2)}=${v.slice(2)}`],
  ['$(…)', (v) => `${v.slice(0, 2)}$(touch pwned)${v.slice(2)}`],
  ['a backtick', (v) => `${v.slice(0, 2)}\`id\`${v.slice(2)}`],
  ['a backslash', (v) => `${v.slice(0, 2)}\\${v.slice(2)}`],
  ['non-ASCII', (v) => `${v.slice(0, 2)}é${v.slice(2)}`],
  ['a NUL-free control character', (v) => `${v.slice(0, 2)}\x1b[2J${v.slice(2)}`],
  ['a leading -', (v) => `-${v}`],
];
/** Whitespace inside --hosts separates host patterns, as in `Host a b`: no injection, checked apart below. */
const SEPARATORS = ['a space', 'a tab', 'a newline', 'a CR'];
SPOILERS.push(['a space', (v) => `${v.slice(0, 2)} ${v.slice(2)}`], ['a tab', (v) => `${v.slice(0, 2)}\t${v.slice(2)}`]);

describe('a bad value for any flag: exit 2, one line naming the flag and the value, nothing touched', () => {
  const cases = Object.entries(FLAGS).flatMap(([flag, { valid, rest }]) =>
    SPOILERS.filter(([what]) => !(flag === '--hosts' && SEPARATORS.includes(what))).map(([what, spoil]) => ({ flag, what, value: spoil(valid), rest })),
  );
  test(`${cases.length} runs of add --yes (${Object.keys(FLAGS).length} flags × ${SPOILERS.length} kinds of bad value)`, async () => {
    const before = snapshotTree(home);
    // `--flag=value`, so a value starting with "-" reaches the check instead of being taken for an option.
    const runs = await inBatches(
      cases.map(({ flag, value, rest }) => () => runCli(['add', ...rest, `${flag}=${value}`, '--config', config, '--yes'], { home, cwd: home })),
      6,
    );
    runs.forEach((run, i) => {
      const { flag, what, value } = cases[i] ?? assert.fail();
      const prefix = `tunnel-config: ${flag} ${JSON.stringify(value)}: `.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assertOneErrorLine(run, new RegExp(`^${prefix}\\S`), `(${flag} with ${what}: ${JSON.stringify(value)})`);
    });
    assert.deepEqual(snapshotTree(home), before);
  });

  test('--hosts splits on whitespace and commas; every part is checked and written on one Host line', async () => {
    for (const hosts of ['host-1 pi', 'host-1\tpi', 'host-1, pi', ' host-1,,pi ', 'host-1\npi', 'host-1\r\npi\r']) {
      const run = await runCli(['add', '--name', 'home', '--jump-alias', 'myjump', '--hosts', hosts, '--config', config, '--dry-run'], { home });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^\+Host host-1 pi$/m, JSON.stringify(hosts));
    }
    const spoiled = await runCli(['add', '--name', 'home', '--jump-alias', 'myjump', '--hosts', 'pi, a#b', '--config', config, '--yes'], { home });
    assertOneErrorLine(spoiled, /^tunnel-config: --hosts "pi, a#b": "a#b" may not contain "#"\n$/);
  });
});

describe('other refused answers', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a value after a flag that starts with "-"', ['--name', '-home', '--jump-host', 'j.example.com', '--hosts', 'pi'], /^tunnel-config: Option '--name' argument is ambiguous\. .*'--name=-XYZ'/],
    ['--jump-host and --jump-alias together', ['--name', 'home', '--jump-host', 'j.example.com', '--jump-alias', 'myjump', '--hosts', 'pi'], /^tunnel-config: --jump-host and --jump-alias exclude each other/],
    ['a port out of range', ['--name', 'home', '--jump-host', 'j.example.com', '--jump-port', '65536', '--hosts', 'pi'], /^tunnel-config: --jump-port "65536": must be a number from 1 to 65535\n$/],
    ['a port of 0', ['--name', 'home', '--jump-host', 'j.example.com', '--jump-port', '0', '--hosts', 'pi'], /^tunnel-config: --jump-port "0": /],
    ['hosts that claim every host', ['--name', 'home', '--jump-alias', 'myjump', '--hosts', '*'], /^tunnel-config: --hosts "\*": "\*" .*claim .*host/],
    ['a negated host pattern', ['--name', 'home', '--jump-alias', 'myjump', '--hosts', '!pi'], /^tunnel-config: --hosts "!pi": /],
    ['hosts that match the jump alias', ['--name', 'home', '--jump-alias', 'myjump', '--hosts', 'my*'], /^tunnel-config: --hosts "my\*": also matches the jumphost myjump\n$/],
    ['a jump alias that is a pattern', ['--name', 'home', '--jump-alias', 'my*', '--hosts', 'pi'], /^tunnel-config: --jump-alias "my\*": must be a Host alias, not a pattern\n$/],
    ['a name in capitals', ['--name', 'Home', '--jump-alias', 'myjump', '--hosts', 'pi'], /^tunnel-config: --name "Home": must be 1 to 32 lowercase/],
    ['an empty name', ['--name', '', '--jump-alias', 'myjump', '--hosts', 'pi'], /^tunnel-config: --name "": is empty\n$/],
    ['a relative socket dir', ['--name', 'home', '--jump-alias', 'myjump', '--hosts', 'pi', '--socket-dir', 'sockets'], /^tunnel-config: --socket-dir "sockets": /],
    ['a socket dir with ..', ['--name', 'home', '--jump-alias', 'myjump', '--hosts', 'pi', '--socket-dir', '/home/../etc'], /^tunnel-config: --socket-dir "\/home\/\.\.\/etc": /],
    ['a relative identity', ['--name', 'home', '--jump-host', 'j.example.com', '--identity', 'id_ed25519', '--hosts', 'pi'], /^tunnel-config: --identity "id_ed25519": must be an absolute path or start with "~\/"\n$/],
    ['a --persist the proxy would refuse', ['--name', 'home', '--jump-alias', 'myjump', '--hosts', 'pi', '--persist', '10min'], /^tunnel-config: --persist "10min": must be seconds, or a number with s, m or h \(90s, 10m, 2h\); 0 turns sharing off\n$/],
    ['a --persist in days', ['--name', 'home', '--jump-alias', 'myjump', '--hosts', 'pi', '--persist', '1d'], /^tunnel-config: --persist "1d": must be seconds/],
    ['a config that is a directory', ['--name', 'home', '--jump-alias', 'myjump', '--hosts', 'pi', '--config', '.'], /^tunnel-config: cannot read \S+: it is a directory\n$/],
  ];
  for (const [what, args, stderr] of cases) {
    test(`${what}: exit 2, one line, nothing touched`, async () => {
      const before = snapshotTree(home);
      const withConfig = args.includes('--config') ? args : [...args, '--config', config];
      assertOneErrorLine(await runCli(['add', ...withConfig, '--yes'], { home, cwd: home }), stderr);
      assert.deepEqual(snapshotTree(home), before);
      assert.equal(readFileSync(config, 'utf8'), USER_CONFIG);
    });
  }
});
