import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import { describeRun, writeProxyConfig } from './harness.js';
import type { HostJson } from '../support/hosts-json.js';

// A tunnel set with two jumps, as a user adds it: `add` writes one ProxyCommand that tries both, `list`
// shows both, `hosts` shows each jump's view of each host, `edit` keeps them, and plain `ssh` fails over.
let world: World;
let sock2: string;
let config: string;
const tunnelConfig = (args: string[]) => world.run(process.execPath, [tunnelConfigBin, ...args], { timeoutMs: 60_000 });

before(async () => {
  world = await createWorld({ jumpConfig: 'Subsystem sftp internal-sftp' });
  sock2 = (await world.addJump('jump2', { jumpConfig: 'Subsystem sftp internal-sftp' })).sockDir;
  // host-1 keeps its tunnel to jump2 only, host-2 to both.
  await world.connectHost('host-1', { jump: 'jump2' });
  await world.connectHost('host-2');
  await world.connectHost('host-2', { jump: 'jump2' });
  // The user's own ssh_config: their two jumps, no hosts section yet.
  const path = writeProxyConfig(world, 'user_config');
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, `${text.slice(0, text.indexOf('Host host-*'))}${world.jumpSection('jump2')}\n`);
  config = path;
  const added = await tunnelConfig([
    'add', '--yes', '--config', config, '--name', 'home',
    '--jump-alias', 'jump', '--jump-alias', 'jump2',
    '--socket-dir', world.sockDir, '--socket-dir', sock2,
    '--hosts', 'host-*', '--persist', '0',
    // The hidden hosts' key and the client's login there, as the world's own config has them.
    '--ssh-option', `UserKnownHostsFile ${world.knownHostsHosts}`,
    '--ssh-option', `IdentityFile ${world.keys.client.path}`,
    '--ssh-option', 'IdentitiesOnly yes',
    '--ssh-option', 'BatchMode yes',
  ]);
  assert.equal(added.code, 0, describeRun(added));
});

after(() => world?.close());

test('add writes one ProxyCommand that names both jumps with their socket directories, in order', () => {
  const text = readFileSync(config, 'utf8');
  const proxy = /^ {2}ProxyCommand (.*)$/m.exec(text)?.[1] ?? '';
  assert.match(proxy, new RegExp(` proxy --jump jump --socket-dir ${world.sockDir} --jump jump2 --socket-dir ${sock2} -F ${config} --persist 0 -- %h$`));
});

test('plain ssh reaches a host connected to the second jump only, and one connected to both', async () => {
  for (const host of ['host-1', 'host-2']) {
    const result = await world.ssh([host, 'echo', host], { configPath: config });
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(result.stdout.toString(), `${host}\n`);
  }
  const offline = await world.ssh(['host-3', 'true'], { configPath: config });
  assert.equal(offline.code, 255, describeRun(offline));
  assert.match(offline.stderr, /^tunnel-config: host-3 cannot be reached through any of its 2 jumps \(tunnel-config doctor host-3 explains more\)\ntunnel-config: via jump \(jump 1 of 2\): host-3 is not connected to jump: [^\n]*\ntunnel-config: via jump2 \(jump 2 of 2\): host-3 is not connected to jump2: [^\n]*\n/);
});

test('list shows both jumps and both socket directories', async () => {
  const result = await tunnelConfig(['list', '--config', config]);
  assert.equal(result.code, 0, describeRun(result));
  assert.match(result.stdout.toString(), new RegExp(`\\nhome +jump,jump2 +${world.sockDir},${sock2} +host-\\*`));
});

test('hosts --probe --json: each jump\'s view of each host; the table adds a JUMP column', async () => {
  const result = await tunnelConfig(['hosts', '--probe', '--json', '--config', config]);
  assert.equal(result.code, 0, describeRun(result));
  const rows = (JSON.parse(result.stdout.toString()) as HostJson[]).map(({ rttMs, banner, ...row }) => {
    assert.ok(typeof rttMs === 'number');
    assert.match(banner ?? '', /^SSH-2\.0-OpenSSH/);
    return row;
  });
  assert.deepEqual(rows, [
    { name: 'host-2', set: 'home', jump: 'jump', socketPath: world.socketPath('host-2'), state: 'live' },
    { name: 'host-1', set: 'home', jump: 'jump2', socketPath: world.socketPath('host-1', 'jump2'), state: 'live' },
    { name: 'host-2', set: 'home', jump: 'jump2', socketPath: world.socketPath('host-2', 'jump2'), state: 'live' },
  ]);
  const table = await tunnelConfig(['hosts', '--config', config]);
  assert.equal(table.code, 0, describeRun(table));
  assert.deepEqual(
    table.stdout.toString().trimEnd().split('\n').map((line) => line.replace(/ +/g, ' ').trim()),
    ['NAME SET JUMP STATE BANNER RTT', 'host-1 home jump2 connected', 'host-2 home jump connected', 'host-2 home jump2 connected'],
  );
});

test('list --check walks each jump', async () => {
  const result = await tunnelConfig(['list', '--check', 'home', '--config', config]);
  assert.equal(result.code, 0, describeRun(result));
  const out = result.stdout.toString();
  assert.match(out, /jump 1 of 2, jump:\n[\s\S]*connected right now: host-2\n[\s\S]*jump 2 of 2, jump2:\n[\s\S]*connected right now: host-1, host-2\n/);
});

test('doctor walks both jumps of the set: host-2 passes every step (status 0); host-1 is reachable through jump2 only (status 6)', async () => {
  const both = await tunnelConfig(['doctor', 'host-2', '--json', '-F', config]);
  assert.equal(both.code, 0, describeRun(both));
  const bothReport = JSON.parse(both.stdout.toString()) as { ok: boolean; via: string; steps: Array<{ step: string; jump?: string; ok: boolean | null }> };
  assert.deepEqual([bothReport.ok, bothReport.via], [true, 'jump']);
  assert.deepEqual([...new Set(bothReport.steps.map((step) => step.jump).filter(Boolean))], ['jump', 'jump2']);

  const one = await tunnelConfig(['doctor', 'host-1', '-F', config]);
  assert.equal(one.code, 6, describeRun(one));
  const text = one.stdout.toString();
  assert.match(text, /\nthrough jump:\n[\s\S]*\n {2}✖ socket: [^\n]*host-1[^\n]*\n {4}fix: [^\n]+\nthrough jump2:\n[\s\S]*\n {2}✔ socket: /);
  assert.match(text, /\nhost-1 is reachable through jump2, but not through every jump \(status 6\): fix the ✖ above\. Try it: ssh -F \S+ host-1\n$/);
});

test('edit keeps both jumps when they are not asked about; --jump-alias with one jump drops the other', async () => {
  const kept = await tunnelConfig(['edit', 'home', '--yes', '--config', config, '--persist', '10m']);
  assert.equal(kept.code, 0, describeRun(kept));
  assert.match(readFileSync(config, 'utf8'), new RegExp(`--jump jump --socket-dir ${world.sockDir} --jump jump2 --socket-dir ${sock2} -F \\S+ --persist 10m -- %h`));
  const one = await tunnelConfig(['edit', 'home', '--yes', '--config', config, '--jump-alias', 'jump2', '--socket-dir', sock2]);
  assert.equal(one.code, 0, describeRun(one));
  assert.match(readFileSync(config, 'utf8'), new RegExp(`proxy --jump jump2 --socket-dir ${sock2} -F \\S+ --persist 10m -- %h`));
});

test('bad jump lists change nothing: socket directories that do not pair, a jump twice', async () => {
  const before = readFileSync(config, 'utf8');
  const cases: Array<[string[], RegExp]> = [
    [['--jump-alias', 'jump,jump2', '--socket-dir', '/a,/b,/c'], /^tunnel-config: --socket-dir "\/a,\/b,\/c": names 3 directories for 2 jumps: give one for every jump, or one per jump in the same order\n$/],
    [['--jump-alias', 'jump,jump', '--socket-dir', world.sockDir], /^tunnel-config: --jump-alias "?jump"?: is given twice with the same socket directory\n$/],
    [['--jump-host', 'a.example,b\nexample'], /^tunnel-config: --jump-host "a\.example,b\\nexample": "b\\nexample" [^\n]+\n$/],
    [['--jump-alias', 'jump,'], /^tunnel-config: --jump-alias "jump,": "" is empty\n$/],
  ];
  for (const [args, message] of cases) {
    const result = await tunnelConfig(['add', '--yes', '--config', config, '--name', 'other', '--hosts', 'pi', ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}\n${describeRun(result)}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.equal(readFileSync(config, 'utf8'), before);
  }
});
