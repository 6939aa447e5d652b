import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAlive } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import { digestOf, digestStream, MiB } from './bytes.js';
import { startChild } from './child.js';
import { describeRun, escapeRegExp, stopAllProxies, writeProxyConfig } from './harness.js';

let world: World;
let config: string;

/** TCP connections the jump's sshd accepted so far (its DEBUG1 log). */
const jumpConnections = (): number => (world.jump.currentLog().match(/^Connection from 127\.0\.0\.1 port \d+/gm) ?? []).length;
const sharedDir = (): string => join(world.home, '.cache', 'tunnel-config', 'shared');
const sockets = (): string[] => (existsSync(sharedDir()) ? readdirSync(sharedDir()).filter((name) => name.endsWith('.sock')) : []);
const tunnelConfig = (args: string[]) => world.run(process.execPath, [tunnelConfigBin, ...args], { timeoutMs: 15_000 });
const sshTrue = (configPath = config) => world.ssh(['host-1', 'true'], { configPath, timeoutMs: 30_000 });

async function assertSshWorks(configPath = config): Promise<void> {
  const result = await sshTrue(configPath);
  assert.equal(result.code, 0, describeRun(result));
  assert.equal(result.stderr, '');
}

async function stopShared(): Promise<void> {
  const result = await tunnelConfig(['shared', 'stop']);
  assert.equal(result.code, 0, describeRun(result));
  await waitFor(() => (world.sharedPids().length === 0 ? true : undefined), { timeoutMs: 5000, what: () => `shared processes left: ${world.sharedPids().join(', ')}` });
}

const running = (): number => {
  const pids = world.sharedPids();
  assert.equal(pids.length, 1, `expected one shared process, found ${pids.join(', ') || 'none'}`);
  return pids[0] ?? -1;
};

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
  config = writeProxyConfig(world, 'ssh_config_shared', { persist: '10m' });
});

after(async () => {
  await stopAllProxies();
  await world?.close();
});

describe('one jump connection for many connects', () => {
  test('two consecutive ssh host-1 true use one jump TCP connection', async () => {
    const before = jumpConnections();
    await assertSshWorks();
    await assertSshWorks();
    assert.equal(jumpConnections() - before, 1, world.jump.currentLog().slice(-2000));
    assert.equal(sockets().length, 1);
  });

  test('shared status shows it: --json with stable fields, and a table', async () => {
    const json = await tunnelConfig(['shared', 'status', '--json']);
    assert.equal(json.code, 0, describeRun(json));
    const list = JSON.parse(json.stdout.toString()) as Array<Record<string, unknown>>;
    assert.equal(list.length, 1);
    const [status] = list;
    assert.equal(status?.jump, 'jump');
    assert.equal(status?.target, `${world.user}@127.0.0.1:${world.jumpPort}`);
    assert.equal(status?.pid, running());
    assert.equal(status?.channelsOpen, 0);
    assert.ok(Number(status?.channelsTotal) >= 2);
    assert.ok(Number(status?.bytesIn) > 0 && Number(status?.bytesOut) > 0);
    assert.equal(status?.idleTimeoutSeconds, 600);
    const table = await tunnelConfig(['shared', 'status']);
    assert.match(table.stdout.toString(), /^JUMP +TARGET +PID +AGE +CHANNELS +IN +OUT +IDLE TIMEOUT\njump +\S+ +\d+ +\S+ +0 open, \d+ total +/);
  });

  test('50 parallel sessions through it, byte-exact both ways', async () => {
    const before = jumpConnections();
    const sessions = Array.from({ length: 50 }, async (_, i) => {
      const data = randomBytes(256 * 1024 + i);
      const ssh = startChild(world, 'ssh', ['-F', config, 'host-1', 'cat'], { timeoutMs: 90_000 });
      ssh.process.stdin.end(data);
      const [received, exit] = await Promise.all([digestStream(ssh.process.stdout), ssh.exited]);
      assert.equal(exit.code, 0, `session ${i}: ${ssh.stderr()}`);
      assert.deepEqual(received, digestOf(data), `session ${i}`);
    });
    await Promise.all(sessions);
    assert.equal(jumpConnections() - before, 0, 'no new jump connection');
  });

  test('shared stop ends it; no process and no socket are left', async () => {
    const pid = running();
    await stopShared();
    assert.equal(isAlive(pid), false);
    assert.deepEqual(sockets(), []);
  });

  test('the idle timeout ends it', async () => {
    const idle = writeProxyConfig(world, 'ssh_config_idle', { persist: '2' });
    await assertSshWorks(idle);
    const pid = running();
    await waitFor(() => (world.sharedPids().length === 0 ? true : undefined), { timeoutMs: 8000, what: () => 'the shared process outlived its idle timeout' });
    assert.equal(isAlive(pid), false);
    assert.deepEqual(sockets(), []);
  });
});

describe('anything wrong with it: the proxy connects on its own, and repairs it for next time', () => {
  test('the shared process killed between connects (a stale socket is left)', async () => {
    await assertSshWorks();
    const pid = running();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => (world.sharedPids().length === 0 ? true : undefined), { timeoutMs: 5000, what: () => 'not killed' });
    assert.equal(sockets().length, 1, 'the dead process left its socket');
    await assertSshWorks();
    assert.notEqual(running(), pid, 'a new shared process took over');
    const before = jumpConnections();
    await assertSshWorks();
    assert.equal(jumpConnections() - before, 0);
  });

  test('something else listening on its socket', async () => {
    await stopShared();
    await assertSshWorks();
    const [name] = sockets();
    assert.ok(name);
    await stopShared();
    const path = join(sharedDir(), name);
    const impostor = createServer((conn) => conn.end('HTTP/1.0 400 nope\r\n\r\n'));
    await new Promise<void>((resolve) => impostor.listen(path, resolve));
    try {
      await assertSshWorks();
    } finally {
      impostor.close();
    }
  });

  test('a directory open to others is not used (and not changed)', async () => {
    await stopShared();
    chmodSync(sharedDir(), 0o755);
    try {
      const result = await world.ssh(['host-1', 'true'], { configPath: writeProxyConfig(world, 'ssh_config_v', { persist: '10m' }), timeoutMs: 30_000 });
      assert.equal(result.code, 0, describeRun(result));
      assert.deepEqual(world.sharedPids(), []);
      assert.deepEqual(sockets(), []);
    } finally {
      chmodSync(sharedDir(), 0o700);
    }
  });

  test('a file where its directory should be', async () => {
    await stopShared();
    const dir = sharedDir();
    renameSync(dir, `${dir}.saved`);
    writeFileSync(dir, 'not a directory');
    try {
      await assertSshWorks();
      assert.deepEqual(world.sharedPids(), []);
    } finally {
      rmSync(dir);
      renameSync(`${dir}.saved`, dir);
    }
  });

  test('the jump restarted under it: the next connect starts a new one', async () => {
    await assertSshWorks();
    const pid = running();
    await world.jump.restart();
    await world.connectHost('host-1');
    await waitFor(() => (world.sharedPids().includes(pid) ? undefined : true), { timeoutMs: 10_000, what: () => 'the shared process outlived its jump connection' });
    await assertSshWorks();
    running();
  });

  test('errors are the same as without sharing: an offline host', async () => {
    const result = await world.ssh(['host-2', 'true'], { configPath: config, timeoutMs: 30_000 });
    assert.equal(result.code, 255, describeRun(result));
    assert.match(result.stderr, new RegExp(`^tunnel-config: host-2 is not connected to jump: nothing is listening on ${escapeRegExp(world.socketPath('host-2'))}; `, 'm'));
  });

  test('a changed ssh_config for the jump means a new connection, never the old one', async () => {
    await assertSshWorks();
    const first = running();
    writeFileSync(config, readFileSync(config, 'utf8').replace('Host jump\n', 'Host jump\n  ServerAliveInterval 7\n'));
    await assertSshWorks();
    const pids = world.sharedPids();
    assert.equal(pids.length, 2, 'a second shared process for the changed config');
    assert.ok(pids.includes(first));
    await stopShared();
  });
});

describe('small round trips', () => {
  // Each request is answered in two writes 2 ms apart, as sftp-server does; with Nagle on at the jump each
  // answer would wait for a delayed ACK, about 40 ms.
  const responder = `$|=1; while (<STDIN>) { print "a"; select(undef, undef, undef, 0.002); print "b\\n"; }`;

  async function medianRoundTrip(configPath: string, rounds: number): Promise<number> {
    const child = spawn('ssh', ['-F', configPath, 'host-1', 'perl', '-e', `'${responder}'`], { env: world.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    const times: number[] = [];
    let buffered = '';
    let waiting: (() => void) | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.includes('ab\n')) {
        buffered = buffered.replace('ab\n', '');
        waiting?.();
      }
    });
    try {
      for (let i = 0; i < rounds; i++) {
        const started = performance.now();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`round trip ${i} took over 5 s`)), 5000);
          waiting = () => {
            clearTimeout(timer);
            resolve();
          };
          child.stdin.write('x\n');
        });
        times.push(performance.now() - started);
      }
    } finally {
      child.stdin.end();
      child.kill();
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? Number.NaN;
  }

  for (const [name, persist] of [
    ['shared', '10m'],
    ['on its own', '0'],
  ] as const) {
    test(`${name}: 60 two-write round trips, median well under a delayed ACK`, async () => {
      const cfg = writeProxyConfig(world, `ssh_config_rtt_${persist}`, { persist });
      await assertSshWorks(cfg);
      const median = await medianRoundTrip(cfg, 60);
      assert.ok(median < 25, `median round trip ${median.toFixed(1)} ms: the jump is delaying small packets (Nagle)`);
    });
  }
});

describe('another local user', () => {
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim();
  const probe = (socket: string, token: string): string =>
    `const c = require('net').connect(${JSON.stringify(socket)});
     c.on('connect', () => { const body = Buffer.from(JSON.stringify({ op: 'status', version: 1, token: ${JSON.stringify(token)} }));
       const head = Buffer.alloc(5); head.writeUInt32BE(body.length, 0); head[4] = 1; c.write(Buffer.concat([head, body])); });
     let got = Buffer.alloc(0); c.on('data', (d) => { got = Buffer.concat([got, d]); });
     c.on('close', () => { process.stdout.write(got.length > 5 ? got.subarray(5).toString() : 'closed'); });
     c.on('error', (e) => { process.stdout.write(e.code); process.exit(0); });`;
  const asNobody = (script: string): string => {
    const result = spawnSync(process.execPath, ['-e', script], { uid: Number(nobody), gid: Number(nobody), encoding: 'utf8', timeout: 10_000, cwd: '/' });
    return `${result.stdout}${result.stderr}`;
  };

  test('cannot reach a user\'s shared connection, nor use it where the directory is opened by mistake', { skip: process.getuid?.() !== 0 || nobody === '' ? 'needs root and a nobody user' : false }, async () => {
    await assertSshWorks();
    const [name] = sockets();
    assert.ok(name);
    const socket = join(sharedDir(), name);
    assert.equal(asNobody(probe(socket, 'x'.repeat(64))), 'EACCES');
    assert.match(asNobody(`require('fs').readFileSync(${JSON.stringify(join(sharedDir(), 'token'))})`), /EACCES/);
    // Even with every directory on the way and the socket opened to all, a request without the token is refused.
    const opened = [world.dir, world.home, join(world.home, '.cache'), join(world.home, '.cache', 'tunnel-config'), sharedDir()];
    const dirModes = opened.map((dir) => [dir, statSync(dir).mode & 0o7777] as const);
    for (const dir of opened) chmodSync(dir, 0o777);
    chmodSync(socket, 0o777);
    try {
      assert.equal(asNobody(probe(socket, 'x'.repeat(64))), '{"ok":false,"code":"internal","message":"request refused"}');
    } finally {
      chmodSync(socket, 0o600);
      for (const [dir, mode] of dirModes) chmodSync(dir, mode);
    }
  });
});

describe('the jump lost under an open channel', () => {
  test('a frozen jump ends the channel with the same line as without sharing, within the keepalive bound', async () => {
    const cfg = writeProxyConfig(world, 'ssh_config_shared_keepalive', { persist: '10m', jump: ['ServerAliveInterval 1', 'ServerAliveCountMax 2'] });
    await assertSshWorks(cfg);
    const session = startChild(world, 'ssh', ['-F', cfg, 'host-1', 'cat > /dev/null'], { timeoutMs: 30_000 });
    session.process.stdin.write(Buffer.alloc(MiB));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cutAt = performance.now();
    world.jump.stop();
    try {
      await session.exited;
      const elapsed = performance.now() - cutAt;
      assert.match(session.stderr(), /^tunnel-config: lost the connection to jump \(it stopped answering keepalives\): check the jump and your network, then connect again$/m);
      assert.ok(elapsed <= 1000 * (2 + 1) + 3000, `ssh exited ${Math.round(elapsed)} ms after the jump froze`);
    } finally {
      world.jump.cont();
    }
  });
});
