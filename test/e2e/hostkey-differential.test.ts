import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { registerCleanup } from '../support/cleanup.js';
import { makeKey } from '../support/keys.js';
import { NetNs } from '../support/netns.js';
import { ProcessTracker, type RunResult } from '../support/process.js';
import type { Sshd } from '../support/sshd.js';
import { createWorld, type World } from '../world.js';
import { algorithmScenarios } from './differential/algorithms.js';
import { checkHostIpScenarios } from './differential/checkhostip.js';
import { commandScenarios } from './differential/command.js';
import { fileScenarios } from './differential/files.js';
import { startNetNsJump, startSha1Jump } from './differential/jumps.js';
import { knownHostsScenarios } from './differential/known-hosts.js';
import { defaultStrictScenarios, matrixScenarios } from './differential/matrix.js';
import { assertSameRecorded, assertSshRecorded, snapshot } from './differential/record.js';
import { describeProxy, describeSsh, runProxy, runSsh, type ProxyRun, type Side } from './differential/run.js';
import { type Ctx, renderConfig, type Scenario, stricterOnPurpose } from './differential/scenario.js';
import { fingerprint } from './harness.js';

/**
 * Issue 7, "never weaker than ssh": real `ssh jump true` and `tunnel-config proxy` (to host-1 through
 * the jump) on the same ssh_config and known_hosts, each on its own copy of the starting files.
 */
const scenarios: Scenario[] = [
  ...matrixScenarios,
  ...defaultStrictScenarios,
  ...knownHostsScenarios,
  ...fileScenarios,
  ...algorithmScenarios,
  ...checkHostIpScenarios,
  ...commandScenarios,
];

const netnsAddress = '192.0.2.1';
const netnsHostName = 'jump.test';

let world: World;
let tracker: ProcessTracker;
let unregister: () => void = () => {};
let sha1Jump: Sshd;
/** The namespace, or why there is none. */
let netns: NetNs | string = 'not set up';
let caKey: string;
let ed25519Fingerprint: string;

before(async () => {
  world = await createWorld();
  tracker = new ProcessTracker();
  unregister = registerCleanup(() => tracker.killAllSync());
  const [ca] = await Promise.all([makeKey(join(world.dir, 'keys'), 'differential_ca', 'ed25519'), world.connectHost('host-1')]);
  caKey = ca.publicKey;
  ed25519Fingerprint = await fingerprint(world, `${world.keys.jumpHost.ed25519.path}.pub`);
  sha1Jump = await startSha1Jump(world, tracker);
  netns = await NetNs.create({ address: netnsAddress, hosts: { [netnsHostName]: netnsAddress } });
  if (netns instanceof NetNs) await startNetNsJump(world, tracker, netns, netnsAddress);
});

after(async () => {
  await tracker?.close();
  unregister();
  if (netns instanceof NetNs) netns.close();
  await world?.close();
});

function ctxFor(scenario: Scenario, dir: string): Ctx {
  const jump = scenario.jump ?? 'main';
  const port = jump === 'main' ? world.jumpPort : jump === 'sha1' ? sha1Jump.port : 22;
  const [hostName, ip] = jump === 'netns' ? [netnsHostName, netnsAddress] : ['127.0.0.1', '127.0.0.1'];
  const key = Object.fromEntries(Object.values(world.keys.jumpHost).map((pair) => [pair.type, pair.publicKey])) as Ctx['key'];
  return {
    dir,
    hostName,
    port,
    name: port === 22 ? hostName : `[${hostName}]:${port}`,
    ip,
    key,
    spare: world.keys.spare.publicKey,
    ca: caKey,
    pub: { ed25519: `${world.keys.jumpHost.ed25519.path}.pub`, spare: `${world.keys.spare.path}.pub` },
    ed25519Fingerprint,
  };
}

/** The scenario's starting files in `dir`. */
async function prepareStart(scenario: Scenario, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const c = ctxFor(scenario, dir);
  const knownHosts = scenario.knownHosts?.(c);
  if (knownHosts) writeFileSync(join(dir, 'known_hosts'), knownHosts.map((line) => `${line}\n`).join(''));
  for (const [name, text] of Object.entries(scenario.files?.(c) ?? {})) {
    writeFileSync(join(dir, name), text);
    if (name.endsWith('.sh')) chmodSync(join(dir, name), 0o755);
  }
  await scenario.prepare?.(c, async (args) => {
    const result = await world.run('ssh-keygen', args, { cwd: dir, timeoutMs: 10_000 });
    assert.equal(result.code, 0, `ssh-keygen ${args.join(' ')}: ${result.stderr}`);
  });
  // ssh-keygen -H keeps the unhashed original beside it
  for (const name of readdirSync(dir)) if (name.endsWith('.old')) rmSync(join(dir, name));
}

function makeSide(scenario: Scenario, base: string, name: 'ssh' | 'proxy', start: string): Side {
  const dir = join(base, name);
  cpSync(start, dir, { recursive: true });
  const config = join(base, `${name}.config`);
  writeFileSync(config, renderConfig(scenario, ctxFor(scenario, dir), world.user, world.keys.client.path));
  return { dir, config, ...(scenario.jump === 'netns' && netns instanceof NetNs ? { netns } : {}) };
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? '';
}

function assertSshAsExpected(scenario: Scenario, ssh: RunResult): void {
  const context = `ssh does not do what the scenario says, so it does not test what its name says\n${describeSsh(ssh)}`;
  assert.equal(ssh.timedOut, false, context);
  if ('connects' in scenario.ssh) {
    assert.equal(ssh.code, 0, context);
  } else {
    assert.equal(ssh.code, 255, context);
    assert.match(ssh.stderr, scenario.ssh.refuses, context);
  }
}

function assertProxyRefused(proxy: ProxyRun, codes: number[], why: string): void {
  const context = `${why}\n${describeProxy(proxy)}`;
  assert.equal(proxy.timedOut, false, context);
  assert.notEqual(proxy.code, 0, `the proxy connected: ${context}`);
  assert.equal(proxy.stdout.length, 0, `stdout must be empty: ${context}`);
  assert.ok(proxy.code !== null && codes.includes(proxy.code), `expected exit ${codes.join(' or ')}, got ${String(proxy.code)}: ${firstLine(proxy.stderr)}\n${context}`);
  assert.match(proxy.stderr, /^tunnel-config: /, context);
}

function assertProxyConnected(proxy: ProxyRun, why: string): void {
  const context = `${why}\n${describeProxy(proxy)}`;
  const connected = proxy.code === 0 && /^SSH-2\.0-OpenSSH[^\r\n]*\r\n$/.test(proxy.stdout.toString('latin1'));
  assert.ok(connected, `the proxy refused (exit ${String(proxy.code)}: ${firstLine(proxy.stderr)}) where ssh connects\n${context}`);
}

async function runScenario(t: TestContext, index: number, scenario: Scenario): Promise<void> {
  if (scenario.jump === 'netns' && typeof netns === 'string') {
    t.skip(`CheckHostIP needs a non-loopback address in a network namespace: ${netns}`);
    return;
  }
  if (scenario.stricter) {
    // the exception list must not be able to hide a hole
    assert.ok('connects' in scenario.ssh, `"${stricterOnPurpose[scenario.stricter]}" only applies where ssh connects`);
    if (scenario.stricter !== 'revokedElsewhere') assert.ok(scenario.strict === 'no' || scenario.strict === 'off', `"${stricterOnPurpose[scenario.stricter]}" needs StrictHostKeyChecking no or off`);
  }
  const base = join(world.dir, 'differential', String(index).padStart(3, '0'));
  const start = join(base, 'start');
  await prepareStart(scenario, start);
  const startFiles = snapshot(start);
  const sshSide = makeSide(scenario, base, 'ssh', start);
  const proxySide = makeSide(scenario, base, 'proxy', start);

  const [ssh, proxy] = await Promise.all([runSsh(world, sshSide), runProxy(world, tracker, proxySide)]);
  const both = `${describeSsh(ssh)}\n${describeProxy(proxy)}`;

  assertSshAsExpected(scenario, ssh);
  const sshFiles = snapshot(sshSide.dir);
  const c = ctxFor(scenario, sshSide.dir);
  const records = 'connects' in scenario.ssh ? { file: scenario.ssh.recordsIn ?? 'known_hosts', names: scenario.ssh.records?.(c) ?? [] } : { file: 'known_hosts', names: [] };
  await assertSshRecorded(world, startFiles, sshSide.dir, sshFiles, records).catch((error: Error) => {
    throw new Error(`ssh did not record what the scenario says: ${error.message}\n${describeSsh(ssh)}`);
  });

  if (!('connects' in scenario.ssh)) {
    const codes = scenario.ssh.negotiation ? [3, 4] : [4];
    assertProxyRefused(proxy, codes, proxy.code === 0 ? 'HOLE: the proxy connected where ssh refuses' : 'ssh refuses; the proxy must refuse too');
  } else if (scenario.stricter) {
    assertProxyRefused(proxy, [4], `stricter than ssh on purpose (${stricterOnPurpose[scenario.stricter]}): ssh connects, the proxy must refuse`);
  } else {
    assertProxyConnected(proxy, both);
  }

  const names = [c.name, c.ip, 'jump-alias', 'other.example'];
  await assertSameRecorded(world, { start: startFiles, ssh: { dir: sshSide.dir, files: sshFiles }, proxy: { dir: proxySide.dir, files: snapshot(proxySide.dir) }, names });
}

describe('ssh and the proxy decide the same on the same ssh_config and known_hosts', { concurrency: 4 }, () => {
  test('the table has at least 60 scenarios with unique names', () => {
    assert.ok(scenarios.length >= 60, `${scenarios.length} scenarios`);
    assert.equal(new Set(scenarios.map((s) => s.name)).size, scenarios.length);
  });
  scenarios.forEach((scenario, index) => test(scenario.name, (t) => runScenario(t, index, scenario)));
});
