import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/net.js';
import { shellQuote } from '../support/quote.js';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import { describeRun, writeProxyConfig } from './harness.js';
import { type HostJson, withoutTimes } from '../support/hosts-json.js';

let world: World;
let config: string;
let notes: string;
const listeners: ChildProcess[] = [];
const tunnelConfig = (args: string[]) => world.run(process.execPath, [tunnelConfigBin, ...args], { timeoutMs: 60_000 });

before(async () => {
  // The jump offers SFTP, which hosts reads the socket directory with.
  world = await createWorld({ jumpConfig: 'Subsystem sftp internal-sftp' });
  await world.connectHost('host-1');
  await world.connectHost('host-2');
  await (await world.connectHost('host-3')).kill();
  await world.connectHost('host-4', { targetPort: await freePort() });
  notes = join(world.sockDir, 'notes.txt');
  writeFileSync(notes, 'not a socket\n');
  config = jumpOnlyConfig('user_config');
  await add(config, ['--name', 'home', '--socket-dir', world.sockDir, '--hosts', 'host-*']);
});

after(async () => {
  for (const listener of listeners) listener.kill();
  await world?.close();
});

async function add(path: string, args: string[]): Promise<void> {
  const added = await tunnelConfig(['add', '--yes', '--config', path, '--jump-alias', 'jump', '--persist', '0', ...args]);
  assert.equal(added.code, 0, describeRun(added));
}

/** The world's `Host jump` (strict host keys, its client key) as a user's own ssh_config, with no hosts section yet. */
function jumpOnlyConfig(name: string, jump: string[] = []): string {
  const path = writeProxyConfig(world, name, { jump });
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.slice(0, text.indexOf('Host host-*')));
  return path;
}

const row = (name: string, state: string, fields: Partial<HostJson> = {}): HostJson => ({
  name,
  set: 'home',
  jump: 'jump',
  socketPath: world.socketPath(name),
  state,
  banner: null,
  rttMs: null,
  ...fields,
});

test('hosts --probe --json: live with the banner, stale, silent; a regular file is no host', async () => {
  const result = await tunnelConfig(['hosts', '--probe', '--json', '-F', config]);
  assert.equal(result.code, 0, describeRun(result));
  assert.equal(result.stderr, '');
  const rows = JSON.parse(result.stdout.toString()) as HostJson[];
  console.log(`hosts --probe: ${Math.round(result.ms)} ms; ${rows.map((r) => `${r.name} ${r.state} ${String(r.rttMs)} ms`).join(', ')}`);
  const banner = rows[0]?.banner ?? '';
  assert.match(banner, /^SSH-2\.0-OpenSSH_\S+/);
  assert.deepEqual(withoutTimes(rows), [row('host-1', 'live', { banner }), row('host-2', 'live', { banner }), row('host-3', 'stale'), row('host-4', 'silent')]);
  // The names are kept for shell completion of `ssh HOST`.
  assert.equal(readFileSync(join(world.home, '.cache', 'tunnel-config', 'hosts.txt'), 'utf8'), 'host-1\nhost-2\nhost-3\nhost-4\n');

  const table = await tunnelConfig(['hosts', '--probe', '-F', config]);
  assert.equal(table.code, 0, describeRun(table));
  const [header, ...lines] = table.stdout.toString().trimEnd().split('\n');
  assert.match(header ?? '', /^NAME {4}SET {3}STATE {3}BANNER {2,}RTT$/);
  assert.deepEqual(
    lines.map((line) => line.replace(/\d+ ms$/, 'N ms').replace(/ +/g, ' ')),
    [`host-1 home live ${banner} N ms`, `host-2 home live ${banner} N ms`, 'host-3 home stale N ms', 'host-4 home silent N ms'],
  );
});

test('hosts without --probe: a table of the sockets there, all connected', async () => {
  const result = await tunnelConfig(['hosts', 'home', '--config', config]);
  assert.equal(result.code, 0, describeRun(result));
  const lines = ['NAME    SET   STATE      BANNER  RTT', ...['host-1', 'host-2', 'host-3', 'host-4'].map((name) => `${name}  home  connected`)];
  assert.equal(result.stdout.toString(), `${lines.join('\n')}\n`);
  const json = await tunnelConfig(['hosts', 'home', '--json', '--config', config]);
  assert.deepEqual(JSON.parse(json.stdout.toString()), ['host-1', 'host-2', 'host-3', 'host-4'].map((name) => row(name, 'connected')));
});

test('a directory the account cannot list, and a jump that fails: one line each on stderr, the other sets shown, their status', async () => {
  const path = jumpOnlyConfig('user_config_two');
  await add(path, ['--name', 'flat', '--socket-dir', notes, '--hosts', 'pi']);
  await add(path, ['--name', 'home', '--socket-dir', world.sockDir, '--hosts', 'host-1,host-2']);
  const result = await tunnelConfig(['hosts', '--probe', '--json', '--config', path]);
  assert.equal(result.code, 7, describeRun(result));
  assert.match(result.stderr, new RegExp(`^tunnel-config: flat: jump: cannot list ${notes} \\([^)]*\\): the account needs read access to it\\n$`));
  const rows = JSON.parse(result.stdout.toString()) as HostJson[];
  assert.deepEqual(withoutTimes(rows).map((r) => [r.name, r.set, r.state]), [['host-1', 'home', 'live'], ['host-2', 'home', 'live']]);

  const unknownKey = jumpOnlyConfig('user_config_unknown_key', [`UserKnownHostsFile ${world.nonexistent}`]);
  await add(unknownKey, ['--name', 'home', '--socket-dir', world.sockDir, '--hosts', 'host-*']);
  const failed = await tunnelConfig(['hosts', '--json', '--config', unknownKey]);
  assert.equal(failed.code, 4, describeRun(failed));
  assert.equal(failed.stdout.toString(), '[]\n');
  assert.match(failed.stderr, /^tunnel-config: home: no ED25519 host key is known for \S+ [^\n]*\n$/);
});

test('a jump without SFTP: what it would need, on stderr, status 7', async () => {
  const bare = await createWorld();
  try {
    const path = writeProxyConfig(bare, 'user_config');
    const result = await bare.run(process.execPath, [tunnelConfigBin, 'hosts', '--jump', 'jump', '--socket-dir', bare.sockDir, '-F', path], { timeoutMs: 30_000 });
    assert.equal(result.code, 7, describeRun(result));
    assert.equal(result.stdout.toString(), '');
    assert.match(result.stderr, /^tunnel-config: jump: the jump offers this account no SFTP \([^\n]*\), which listing needs: allow the sftp subsystem for it\n$/);
  } finally {
    await bare.close();
  }
});

test('usage: --jump without --socket-dir, two sets, an unknown set; help hosts', async () => {
  for (const [args, message] of [
    [['hosts', '--jump', 'jump'], /--jump and --socket-dir go together/],
    [['hosts', 'a', 'b', '--config', config], /at most one SET/],
    [['hosts', 'nope', '--config', config], /no tunnel set named "nope"/],
  ] as const) {
    const result = await tunnelConfig([...args]);
    assert.equal(result.code, 2, describeRun(result));
    assert.match(result.stderr, message);
  }
  const help = await tunnelConfig(['help', 'hosts']);
  assert.equal(help.code, 0);
  assert.match(help.stdout.toString(), /^Usage: tunnel-config hosts \[SET\]/);
});

test('scale: 1,000 sockets behind one listener, listed complete without opening any, then probed over one connection', async () => {
  const fleet = join(world.dir, 'fleet');
  mkdirSync(fleet);
  const script = fileURLToPath(new URL('../support/many-sockets.js', import.meta.url));
  const listener = spawn(process.execPath, [script, fleet, '1000'], { stdio: ['pipe', 'pipe', 'inherit'] });
  listeners.push(listener);
  let out = '';
  listener.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await new Promise<void>((resolve, reject) => {
    listener.once('exit', (code) => reject(new Error(`the listener exited (${String(code)})`)));
    listener.stdout?.on('data', () => out.startsWith('ready\n') && resolve());
  });
  const connections = (): number => out.length - 'ready\n'.length;
  const names = Array.from({ length: 1000 }, (_, i) => `h${String(i).padStart(4, '0')}`);
  const explicit = ['--jump', 'jump', '--socket-dir', fleet, '-F', config];

  const listed = await tunnelConfig(['hosts', ...explicit, '--json']);
  assert.equal(listed.code, 0, describeRun(listed));
  const listedRows = JSON.parse(listed.stdout.toString()) as HostJson[];
  assert.deepEqual(listedRows.map((r) => r.name), names);
  assert.deepEqual(listedRows[0], { name: 'h0000', set: null, jump: 'jump', socketPath: join(fleet, 'h0000.sock'), state: 'connected', banner: null, rttMs: null });
  assert.equal(connections(), 0, 'hosts without --probe opened a socket');

  const probed = await tunnelConfig(['hosts', ...explicit, '--probe', '--json']);
  console.log(`hosts --probe over 1,000 sockets: ${Math.round(probed.ms)} ms (listing alone: ${Math.round(listed.ms)} ms)`);
  assert.equal(probed.code, 0, describeRun(probed));
  const rows = JSON.parse(probed.stdout.toString()) as HostJson[];
  assert.deepEqual(rows.map((r) => [r.name, r.state, r.banner]), names.map((name) => [name, 'live', 'SSH-2.0-fake']));
  assert.equal(connections(), 1000);
  assert.ok(probed.ms < 15_000, `1,000 probes took ${Math.round(probed.ms)} ms`);
  assert.equal(probed.stderr, '', 'progress on stderr that is not a terminal');

  // stderr a terminal (util-linux `script`), stdout a file: the progress goes to the terminal only.
  const stdoutFile = join(world.dir, 'hosts-stdout');
  const command = [process.execPath, tunnelConfigBin, 'hosts', ...explicit, '--probe', '--json'].map(shellQuote).join(' ');
  const onTerminal = await world.run('script', ['-q', '-e', '-c', `${command} >${shellQuote(stdoutFile)}`, '/dev/null'], { timeoutMs: 60_000 });
  assert.equal(onTerminal.code, 0, describeRun(onTerminal));
  assert.match(onTerminal.stdout.toString(), /\rprobed 1000\/1000\r\x1b\[K/);
  assert.equal((JSON.parse(readFileSync(stdoutFile, 'utf8')) as HostJson[]).length, 1000);
  listener.stdin?.end();
});
