import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { renderClientConfig } from '../support/client-config.js';
import { proxyCommandPath } from '../support/quote.js';
import { createWorld, tunnelConfigBin, type Tunnel, type World } from '../world.js';
import { describeRun, runProxy } from './harness.js';

// Two jumphosts, each with its own socket directory, as two machines would have: a host may keep a tunnel
// to either or both, and the proxy tries the jumps in the order given.
let world: World;
let sock2: string;

before(async () => {
  world = await createWorld();
  sock2 = (await world.addJump('jump2')).sockDir;
});

after(() => world?.close());

/** A client config whose hosts go through `jump` then `jump2`, each with its socket directory. */
function failoverConfig(name: string, options: { persist?: string; extra?: string[]; jumpLines?: string[] } = {}): string {
  const path = join(world.dir, name);
  const proxy = [
    tunnelConfigBin,
    'proxy',
    '--jump', 'jump', '--socket-dir', world.sockDir,
    '--jump', 'jump2', '--socket-dir', sock2,
    '-F', path,
    '--persist', options.persist ?? '0',
    ...(options.extra ?? []),
  ].map(proxyCommandPath).join(' ') + ' -- %h';
  const paths = {
    jumpPort: world.jumpPort,
    user: world.user,
    clientKey: world.keys.client.path,
    knownHostsJump: world.knownHostsJump,
    knownHostsHosts: world.knownHostsHosts,
    nonexistent: world.nonexistent,
  };
  writeFileSync(path, renderClientConfig(paths, proxy, { jump: (options.jumpLines ?? []).join('\n'), bottom: world.jumpSection('jump2') }));
  return path;
}

const proxyArgs = (config: string, host: string, extra: string[] = []): string[] => [
  '--jump', 'jump', '--socket-dir', world.sockDir, '--jump', 'jump2', '--socket-dir', sock2, '-F', config, '--persist', '0', ...extra, '--', host,
];

async function withTunnels<T>(tunnels: Promise<Tunnel>[], work: () => Promise<T>): Promise<T> {
  const opened = await Promise.all(tunnels);
  try {
    return await work();
  } finally {
    await Promise.all(opened.map((tunnel) => tunnel.kill()));
  }
}

test('a host offline on the first jump is reached through the second, and -v says which jump carried it', async () => {
  const config = failoverConfig('offline-on-1', { extra: ['-v'] });
  await withTunnels([world.connectHost('host-1', { jump: 'jump2' })], async () => {
    const result = await world.ssh(['host-1', 'echo', 'reached'], { configPath: config });
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(result.stdout.toString(), 'reached\n');
    assert.match(result.stderr, /jump failed \(offline\): trying the next jump/);
    assert.match(result.stderr, /using jump 2 of 2, jump2/);
  });
});

test('a host live on the first jump goes through it, without trying the second', async () => {
  const config = failoverConfig('live-on-1', { extra: ['-v'] });
  await withTunnels([world.connectHost('host-1'), world.connectHost('host-1', { jump: 'jump2' })], async () => {
    const result = await world.ssh(['host-1', 'true'], { configPath: config });
    assert.equal(result.code, 0, describeRun(result));
    assert.match(result.stderr, /using jump 1 of 2, jump\b/);
    assert.doesNotMatch(result.stderr, /jump2: /);
  });
});

test('the first jump stopped: ssh host-1 works through the second; then through the shared connection too', async () => {
  const plain = failoverConfig('jump-1-down');
  const shared = failoverConfig('jump-1-down-shared', { persist: '10m', extra: ['-v'] });
  await withTunnels([world.connectHost('host-1'), world.connectHost('host-1', { jump: 'jump2' })], async () => {
    await world.jump.kill();
    try {
      const result = await world.ssh(['host-1', 'echo', 'via-2'], { configPath: plain, timeoutMs: 30_000 });
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.toString(), 'via-2\n');
      const viaShared = await world.ssh(['host-1', 'echo', 'via-2'], { configPath: shared, timeoutMs: 30_000 });
      assert.equal(viaShared.code, 0, describeRun(viaShared));
      assert.match(viaShared.stderr, /using jump 2 of 2, jump2/);
    } finally {
      await world.jump.restart();
    }
  });
});

test('a first jump that answers nothing (frozen) is given up after its ConnectTimeout, then the second carries the session', async () => {
  const config = failoverConfig('jump-1-frozen', { jumpLines: ['ConnectTimeout 2'], extra: ['-v'] });
  await withTunnels([world.connectHost('host-1', { jump: 'jump2' })], async () => {
    world.jump.stop();
    try {
      const started = performance.now();
      const result = await world.ssh(['host-1', 'echo', 'via-2'], { configPath: config, timeoutMs: 30_000 });
      const ms = performance.now() - started;
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout.toString(), 'via-2\n');
      assert.match(result.stderr, /jump failed \(unreachable\): trying the next jump/);
      // A loose bound: ConnectTimeout (2 s) and the rest, far from the 30 s default.
      assert.ok(ms < 15_000, `took ${Math.round(ms)} ms`);
    } finally {
      world.jump.cont();
    }
  });
});

test('both jumps down: one line per jump, exit 3', async () => {
  const config = failoverConfig('both-down');
  await world.jump.kill();
  await world.extraJump('jump2').sshd.kill();
  try {
    const result = await runProxy(world, proxyArgs(config, 'host-1'), { timeoutMs: 30_000 });
    assert.equal(result.code, 3, describeRun(result));
    assert.equal(result.stdout.length, 0);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 3, result.stderr);
    assert.match(lines[0] ?? '', /^tunnel-config: host-1 cannot be reached through any of its 2 jumps$/);
    assert.match(lines[1] ?? '', /^tunnel-config: via jump \(jump 1 of 2\): [^\n]*(refused|reach)[^\n]*127\.0\.0\.1/i);
    assert.match(lines[2] ?? '', /^tunnel-config: via jump2 \(jump 2 of 2\): [^\n]*(refused|reach)[^\n]*127\.0\.0\.1/i);
    // ssh shows our lines, then its own
    const viaSsh = await world.ssh(['host-1', 'true'], { configPath: config, timeoutMs: 30_000 });
    assert.equal(viaSsh.code, 255, describeRun(viaSsh));
    assert.match(viaSsh.stderr, /via jump \(jump 1 of 2\)[^\n]*\n[^\n]*via jump2 \(jump 2 of 2\)/);
  } finally {
    await world.jump.restart();
    await world.extraJump('jump2').sshd.restart();
  }
});

test('offline on both: each jump says the host is not connected to it, exit 6', async () => {
  const config = failoverConfig('offline-both');
  const result = await runProxy(world, proxyArgs(config, 'host-2'), { timeoutMs: 30_000 });
  assert.equal(result.code, 6, describeRun(result));
  assert.match(result.stderr, /via jump \(jump 1 of 2\): host-2 is not connected to jump: nothing is listening on [^\n]*\/sock\/host-2\.sock/);
  assert.match(result.stderr, /via jump2 \(jump 2 of 2\): host-2 is not connected to jump2: nothing is listening on [^\n]*\/sock-jump2\/host-2\.sock/);
});

test('a host key that does not match on the first jump stops there: no failover past a possible impostor', async () => {
  const wrongKnownHosts = join(world.dir, 'known_hosts_wrong');
  writeFileSync(wrongKnownHosts, `[127.0.0.1]:${world.jumpPort} ${world.keys.spare.publicKey}\n`);
  const config = failoverConfig('wrong-key-1', { jumpLines: [`UserKnownHostsFile ${wrongKnownHosts}`], extra: ['-v'] });
  await withTunnels([world.connectHost('host-1', { jump: 'jump2' })], async () => {
    const jump2 = world.extraJump('jump2').sshd;
    const logBefore = jump2.log().length;
    const result = await runProxy(world, proxyArgs(config, 'host-1', ['-v']), { timeoutMs: 30_000 });
    assert.equal(result.code, 4, describeRun(result));
    assert.doesNotMatch(result.stderr, /trying the next jump|using jump 2/);
    assert.doesNotMatch(jump2.log().slice(logBefore), /Connection from/, 'the second jump was never contacted');
  });
});

test('socket directories must pair with the jumps', async () => {
  const result = await runProxy(world, ['--jump', 'jump', '--jump', 'jump2', '--socket-dir', '/a', '--socket-dir', '/b', '--socket-dir', '/c', '--', 'host-1']);
  assert.equal(result.code, 2, describeRun(result));
  assert.match(result.stderr, /^tunnel-config: proxy got 2 --jump and 3 --socket-dir: give one --socket-dir for every jump, or one per jump in the same order\n$/);
  const same = await runProxy(world, ['--jump', 'jump', '--jump', 'jump', '--', 'host-1']);
  assert.equal(same.code, 2, describeRun(same));
  assert.match(same.stderr, /--jump jump twice with the same socket directory/);
});
