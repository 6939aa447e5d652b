import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DoctorReport } from '../../src/doctor/steps.js';
import { freePort } from '../support/net.js';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import { describeRun, escapeRegExp, fingerprint, writeProxyConfig } from './harness.js';

let world: World;
let config: string;
const tunnelConfig = (args: string[]) => world.run(process.execPath, [tunnelConfigBin, ...args], { timeoutMs: 60_000 });

before(async () => {
  // SFTP lets the doctor tell a missing socket from a left-over one, and clean up after its stream-local test.
  world = await createWorld({ jumpConfig: 'Subsystem sftp internal-sftp' });
  await world.connectHost('host-1');
  await world.connectHost('host-4', { targetPort: await freePort() });
  config = await addedConfig('user_config');
});

after(() => world?.close());

/** The world's `Host jump` as a user's own ssh_config, and set "home" added to it for host-* with the world's known_hosts for them. */
async function addedConfig(name: string, jump: string[] = []): Promise<string> {
  const path = writeProxyConfig(world, name, { jump });
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.slice(0, text.indexOf('Host host-*')));
  const added = await tunnelConfig([
    'add', '--yes', '--config', path, '--name', 'home', '--jump-alias', 'jump', '--socket-dir', world.sockDir, '--hosts', 'host-*', '--persist', '0',
    '--ssh-option', `UserKnownHostsFile ${world.knownHostsHosts}`, '--ssh-option', `GlobalKnownHostsFile ${world.nonexistent}`, '--ssh-option', 'StrictHostKeyChecking yes',
  ]);
  assert.equal(added.code, 0, describeRun(added));
  return path;
}

async function doctor(host: string, path = config): Promise<{ text: string; report: DoctorReport; code: number | null }> {
  const [plain, json] = await Promise.all([tunnelConfig(['doctor', host, '-F', path]), tunnelConfig(['doctor', host, '--config', path, '--json'])]);
  assert.equal(plain.code, json.code, `${describeRun(plain)}\n${describeRun(json)}`);
  assert.equal(json.stderr, '', describeRun(json));
  return { text: plain.stdout.toString(), report: JSON.parse(json.stdout.toString()) as DoctorReport, code: plain.code };
}

/** The failing step: the last one, with its fix, and the status it gave. */
function assertFailsAt(result: { text: string; report: DoctorReport; code: number | null }, step: string, code: number, detail: RegExp, fix: RegExp): void {
  const context = `${result.text}\n${JSON.stringify(result.report, null, 2)}`;
  assert.equal(result.code, code, context);
  assert.equal(result.report.ok, false, context);
  assert.equal(result.report.exitCode, code, context);
  const last = result.report.steps.at(-1);
  assert.equal(last?.step, step, context);
  assert.equal(last?.ok, false, context);
  assert.equal(last?.exitCode, code, context);
  assert.match(last?.detail ?? '', detail, context);
  assert.match(last?.fix ?? '', fix, context);
  assert.equal(result.report.steps.filter((s) => s.ok === false).length, 1, context);
  const lines = result.text.trimEnd().split('\n');
  assert.match(lines.at(-3) ?? '', /^✖ /, context);
  assert.match(lines.at(-2) ?? '', new RegExp(`^  fix: ${fix.source.replace(/^\^/, '')}`), context);
  assert.equal(lines.at(-1), `${result.report.host} cannot be reached this way (status ${code})`, context);
}

test('a healthy host: every step ✔, which key logged in, both host keys matched, status 0', async () => {
  const result = await doctor('host-1');
  assert.equal(result.code, 0, result.text);
  const jumpKey = await fingerprint(world, `${world.keys.jumpHost.ed25519.path}.pub`);
  const hostKey = await fingerprint(world, `${world.keys.hiddenHost.path}.pub`);
  const lines = result.text.trimEnd().split('\n');
  const expected = [
    /^✔ OpenSSH client: OpenSSH_\d/,
    new RegExp(`^✔ ssh_config: ssh -G -F ${escapeRegExp(config)} host-1: ProxyCommand is tunnel-config proxy through jump \\(${escapeRegExp(world.sockDir)}\\)$`),
    new RegExp(`^✔ jump: jump is ${world.user}@127\\.0\\.0\\.1 port ${world.jumpPort} \\(ssh -G -F ${escapeRegExp(config)} jump\\)$`),
    /^✔ name resolution: 127\.0\.0\.1 is an address$/,
    new RegExp(`^✔ TCP: connected to 127\\.0\\.0\\.1 port ${world.jumpPort} in \\d+ ms$`),
    new RegExp(`^✔ jump host key: ED25519 key ${escapeRegExp(jumpKey)} of \\[127\\.0\\.0\\.1\\]:${world.jumpPort} matches ${escapeRegExp(world.knownHostsJump)}:\\d+$`),
    new RegExp(`^✔ authentication: logged in as ${world.user} with key ${escapeRegExp(world.keys.client.path)}$`),
    new RegExp(`^✔ stream-local: jump opens stream-local channels for ${world.user} \\(${escapeRegExp(world.socketPath('host-1'))} opened\\)$`),
    new RegExp(`^✔ socket: ${escapeRegExp(world.socketPath('host-1'))} answers SSH-2\\.0-OpenSSH_\\S+ .*\\(\\d+ ms\\)$`),
    new RegExp(`^✔ host key: ED25519 key ${escapeRegExp(hostKey)} of host-1 matches ${escapeRegExp(world.knownHostsHosts)}:1$`),
    new RegExp(`^host-1 is reachable\\. Try it: ssh -F ${escapeRegExp(config)} host-1$`),
  ];
  assert.equal(lines.length, expected.length, result.text);
  expected.forEach((pattern, i) => assert.match(lines[i] ?? '', pattern, result.text));
  assert.deepEqual(
    result.report.steps.map((s) => [s.step, s.ok]),
    ['ssh', 'config', 'jump', 'name', 'tcp', 'jump-host-key', 'auth', 'stream-local', 'socket', 'host-key'].map((s) => [s, true]),
  );
  assert.deepEqual([result.report.host, result.report.ok, result.report.exitCode, result.report.via], ['host-1', true, 0, 'jump']);
});

test('an offline host: no socket on the jump, the fix starts its tunnel, status 6', async () => {
  const result = await doctor('host-2');
  assertFailsAt(result, 'socket', 6, new RegExp(`^host-2 is not connected: there is no ${escapeRegExp(world.socketPath('host-2'))} on jump$`), /^start host-2's tunnel \(tunnel-config host-setup on host-2, or ssh -N -R /);
  // The stream-local test ran on a socket of its own, and took it away again.
  assert.match(result.text, /✔ stream-local: jump opens stream-local channels for \S+ \(tested on a socket of its own\)/);
});

test('a host whose sshd is down: the tunnel is up, nothing answers behind it, status 10', async () => {
  const result = await doctor('host-4');
  assertFailsAt(result, 'socket', 10, /^host-4's tunnel is up on jump, but nothing answered behind it \(closed without a byte\)$/, /^check that host-4's sshd is running and that its tunnel forwards to it/);
});

test('a wrong jump key: known_hosts has another key for the jump, the fix removes it only after verifying, status 4', async () => {
  const knownHosts = join(world.dir, 'known_hosts_wrong');
  writeFileSync(knownHosts, `[127.0.0.1]:${world.jumpPort} ${world.keys.spare.publicKey}\n`);
  const wrong = await addedConfig('user_config_wrong_key', [`UserKnownHostsFile ${knownHosts}`]);
  const before = readFileSync(knownHosts, 'utf8');
  const result = await doctor('host-1', wrong);
  assertFailsAt(
    result,
    'jump-host-key',
    4,
    new RegExp(`^ED25519 key SHA256:\\S+ presented for \\[127\\.0\\.0\\.1\\]:${world.jumpPort} is not the key known for it \\(${escapeRegExp(knownHosts)}:1\\)`),
    new RegExp(`^verify the new key with the host's administrator .*ssh-keygen -R '\\[127\\.0\\.0\\.1\\]:${world.jumpPort}' -f ${escapeRegExp(knownHosts)}`),
  );
  assert.equal(readFileSync(knownHosts, 'utf8'), before, 'doctor never writes known_hosts');
});

test('a section earlier in the config shadows the block: the line is named, the fix is edit --place-before, status 2', async () => {
  const shadowed = await addedConfig('user_config_shadowed');
  const text = readFileSync(shadowed, 'utf8');
  const recipe = `ProxyCommand ssh -F ${shadowed} jump nc -U ${world.sockDir}/%h.sock`;
  writeFileSync(shadowed, `Host host-1\n  ${recipe}\n${text}`);
  const result = await doctor('host-1', shadowed);
  assertFailsAt(
    result,
    'config',
    2,
    new RegExp(`^ssh -G -F ${escapeRegExp(shadowed)} host-1: ProxyCommand is \`${escapeRegExp(recipe.slice('ProxyCommand '.length))}\`, set by line 2 of ${escapeRegExp(shadowed)} \\(\`${escapeRegExp(recipe)}\`\\), not tunnel-config's$`),
    new RegExp(`^\`tunnel-config edit home --place-before --config ${escapeRegExp(shadowed)}\` moves the block of "home" above line 2, or \`tunnel-config edit home --adopt`),
  );
});

test('an agent identity: which of its keys logged in, by comment and fingerprint', async () => {
  const agent = await world.startAgent();
  const withAgent = await addedConfig('user_config_agent', [`IdentityAgent ${agent}`, 'IdentitiesOnly no']);
  const result = await doctor('host-1', withAgent);
  assert.equal(result.code, 0, result.text);
  const key = await fingerprint(world, `${world.keys.passphrase.path}.pub`);
  const auth = result.report.steps.find((s) => s.step === 'auth');
  assert.match(auth?.detail ?? '', new RegExp(`^logged in as ${world.user} with agent key .+ \\(${escapeRegExp(key)}\\)$`), result.text);
});

test('the hidden host\'s key is looked up under HostKeyAlias: known under it, or unknown with the line to add, status 4', async () => {
  const known = await addedConfig('user_config_alias_known');
  writeFileSync(known, readFileSync(known, 'utf8').replace('Host host-*\n', 'Host host-*\n  HostKeyAlias host-3\n'));
  const ok = await doctor('host-1', known);
  assert.equal(ok.code, 0, ok.text);
  assert.match(ok.text, new RegExp(`✔ host key: ED25519 key SHA256:\\S+ of host-3 matches ${escapeRegExp(world.knownHostsHosts)}:1\\n`));
  const unknown = await addedConfig('user_config_alias_unknown');
  writeFileSync(unknown, readFileSync(unknown, 'utf8').replace('Host host-*\n', 'Host host-*\n  HostKeyAlias nobody-knows\n'));
  const result = await doctor('host-1', unknown);
  const line = `nobody-knows ${world.keys.hiddenHost.publicKey.split(' ').slice(0, 2).join(' ')}`;
  assertFailsAt(result, 'host-key', 4, /^no key is known for nobody-knows in .*; it presents ED25519 key SHA256:/, new RegExp(`^check that fingerprint with the host's administrator, then add \`${escapeRegExp(line)}\` to ${escapeRegExp(world.knownHostsHosts)} `));
});

test('two jumps in the ProxyCommand: each walked in turn; reachable through the second, but the first is down: its status, 3', async () => {
  const twoJumps = writeProxyConfig(world, 'user_config_two_jumps', { top: ['Host deadjump', '  HostName 127.0.0.1', `  Port ${await freePort()}`] });
  writeFileSync(twoJumps, readFileSync(twoJumps, 'utf8').replace('proxy --jump jump', 'proxy --jump deadjump --jump jump'));
  const result = await doctor('host-1', twoJumps);
  assert.equal(result.code, 3, result.text);
  assert.equal(result.report.ok, false);
  assert.deepEqual(
    result.report.steps.map((s) => [s.jump ?? '', s.step, s.ok]),
    [['', 'ssh', true], ['', 'config', true], ['deadjump', 'jump', true], ['deadjump', 'name', true], ['deadjump', 'tcp', false],
      ...['jump', 'name', 'tcp', 'jump-host-key', 'auth', 'stream-local', 'socket', 'host-key'].map((step) => ['jump', step, true])],
  );
  assert.match(result.text, /^✔ ssh_config: .*ProxyCommand is tunnel-config proxy through deadjump \(\S+\), then jump \(\S+\)\nthrough deadjump:\n  ✔ jump: /m);
  assert.match(result.text, /\n  ✖ TCP: connection refused by deadjump \(127\.0\.0\.1\) port \d+\n    fix: start the jump's sshd, or correct Port for deadjump\nthrough jump:\n  ✔ jump: /);
  assert.match(result.text, /\nhost-1 is reachable through jump, but not through every jump \(status 3\): fix the ✖ above\. Try it: /);
  assert.equal(result.report.via, 'jump');
});

test('two jumps, the first with a wrong host key: the proxy stops there, and so does the doctor, status 4', async () => {
  const knownHosts = join(world.dir, 'known_hosts_spare');
  writeFileSync(knownHosts, `[127.0.0.1]:${world.jumpPort} ${world.keys.spare.publicKey}\n`);
  const top = ['Host badkey', '  HostName 127.0.0.1', `  Port ${world.jumpPort}`, `  UserKnownHostsFile ${knownHosts}`];
  const twoJumps = writeProxyConfig(world, 'user_config_bad_first', { top });
  writeFileSync(twoJumps, readFileSync(twoJumps, 'utf8').replace('proxy --jump jump', 'proxy --jump badkey --jump jump'));
  const result = await doctor('host-1', twoJumps);
  assertFailsAt(result, 'jump-host-key', 4, /^ED25519 key SHA256:\S+ presented for \[127\.0\.0\.1\]:\d+ is not the key known for it/, /^verify the new key/);
  assert.deepEqual([...new Set(result.report.steps.map((s) => s.jump))], [undefined, 'badkey'], 'the second jump is not walked');
});

test('stream-local channels refused by the jump (AllowStreamLocalForwarding remote, then no): status 7', async () => {
  await world.jump.restart('Subsystem sftp internal-sftp\nAllowStreamLocalForwarding remote');
  const remote = await doctor('host-1');
  assertFailsAt(remote, 'stream-local', 7, /^jump refuses \S+ stream-local channels: it bound a test socket \(\/tmp\/tunnel-config-doctor-[0-9a-f]+\.sock\) but would not open it$/, /^allow it in the jump's sshd_config for \S+ \(AllowStreamLocalForwarding yes, or local; no DisableForwarding\), then reload sshd$/);
  await world.jump.restart('Subsystem sftp internal-sftp\nAllowStreamLocalForwarding no');
  const no = await doctor('host-1');
  assertFailsAt(no, 'stream-local', 7, /^jump would not open \S+host-1\.sock and says it has disabled stream-local forwarding for \S+ \("Server has disabled streamlocal forwarding\."\)$/, /^allow it in the jump's sshd_config/);
});

test("HOST's key revoked by RevokedHostKeys: ssh refuses it, and the doctor says so at the host key step, status 4", async () => {
  // The jump as the file started it, with host-1's tunnel up (tests above restart it).
  await world.jump.restart('Subsystem sftp internal-sftp');
  await world.connectHost('host-1');
  const revoked = join(world.dir, 'revoked_hosts');
  writeFileSync(revoked, `${world.keys.hiddenHost.publicKey}\n`);
  const path = await addedConfig('user_config_revoked');
  writeFileSync(path, `Host host-1\n  RevokedHostKeys ${revoked}\n${readFileSync(path, 'utf8')}`);
  const viaSsh = await world.ssh(['host-1', 'true'], { configPath: path });
  assert.equal(viaSsh.code, 255, describeRun(viaSsh));
  assert.match(viaSsh.stderr, /revoked/i);
  const result = await doctor('host-1', path);
  assertFailsAt(result, 'host-key', 4, /^the host key of host-1 \(ED25519 SHA256:\S+\) is revoked by RevokedHostKeys \S+revoked_hosts$/, /^do not connect until host-1 has a new key/);
});
