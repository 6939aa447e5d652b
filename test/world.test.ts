import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isAlive } from './support/process.js';
import { waitFor } from './support/wait.js';
import { createWorld, useWorld } from './world.js';

const world = await useWorld();
const tunnel = await world.connectHost('host-1');
world.writeClientConfig(world.seedProxyCommand());

/** The command line of a process, '' once it is gone. */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Processes whose command line mentions `text` (sshd listeners show their -f path in their title). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map(Number)
    .filter((pid) => commandLine(pid).includes(text) && isAlive(pid));
}

describe('world with the seed nc -U ProxyCommand', () => {
  it('runs a command on host-1 and returns its output and exit status', async () => {
    const result = await world.ssh(['host-1', 'echo hi; exit 7']);
    assert.equal(result.stdout.toString(), 'hi\n', result.stderr);
    assert.equal(result.code, 7, result.stderr);
    assert.equal(result.timedOut, false);
  });

  it('fails for host-2 while host-2 has no tunnel', async () => {
    const result = await world.ssh(['host-2', 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /host-2\.sock: No such file or directory/);
    assert.match(result.stderr, /kex_exchange_identification: Connection closed by remote host/);
  });

  it('checks the hidden host key strictly', async () => {
    const known = readFileSync(world.knownHostsHosts, 'utf8');
    writeFileSync(world.knownHostsHosts, `host-1 ${world.keys.spare.publicKey}\n`);
    try {
      const result = await world.ssh(['host-1', 'true']);
      assert.equal(result.code, 255);
      assert.match(result.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
      assert.match(result.stderr, /Host key verification failed\./);
    } finally {
      writeFileSync(world.knownHostsHosts, known);
    }
  });

  it('carries 20 parallel sessions', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => world.ssh(['host-1', `echo session-${i}`], { timeoutMs: 60_000 })),
    );
    results.forEach((result, i) => {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), `session-${i}\n`);
    });
  });

  it('authenticates with a passphrase key held by startAgent()', async () => {
    const socket = await world.startAgent();
    const listed = await world.run('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: socket } });
    assert.match(listed.stdout.toString(), /tunnel-world passphrase \(ED25519\)/);
    // -F /dev/null: no IdentityFile from our config, HOME has none, so only the agent can log in
    const result = await world.run('ssh', [
      '-F', '/dev/null',
      '-o', `IdentityAgent=${socket}`,
      '-o', 'BatchMode=yes',
      '-o', `UserKnownHostsFile=${world.knownHostsJump}`,
      '-p', String(world.jumpPort),
      `${world.user}@127.0.0.1`,
      'echo agent-ok',
    ]);
    assert.equal(result.stdout.toString(), 'agent-ok\n', result.stderr);
    await world.killAgent(socket);
  });
});

describe('jump failure helpers', () => {
  it('stop() blackholes the jump and cont() brings it back', async () => {
    world.jump.stop();
    const blackholed = await world.ssh(['host-1', 'true'], { timeoutMs: 1500 });
    world.jump.cont();
    assert.equal(blackholed.timedOut, true);
    assert.equal(blackholed.signal, 'SIGKILL');
    const resumed = await world.ssh(['host-1', 'true']);
    assert.equal(resumed.code, 0, resumed.stderr);
  });

  it('kill() drops the jump and its tunnels; restart() takes new sshd options', async () => {
    const jumpPid = world.jump.pid;
    assert.ok(jumpPid);
    await world.jump.kill();
    assert.equal(isAlive(jumpPid), false);
    assert.equal(world.jump.pid, undefined);
    const tunnelExit = await tunnel.exited;
    assert.equal(tunnelExit.code, 255, tunnel.stderr());
    const dead = await world.ssh(['host-1', 'true']);
    assert.equal(dead.code, 255);
    assert.match(dead.stderr, new RegExp(`connect to host 127\\.0\\.0\\.1 port ${world.jumpPort}: Connection refused`));

    await world.jump.restart('AllowStreamLocalForwarding no');
    await assert.rejects(world.connectHost('host-1'), /remote port forwarding failed for listen path .*host-1\.sock/);
    await world.jump.waitForLog(/refused|streamlocal-forward listen path/);

    await world.jump.restart('');
    await world.connectHost('host-1');
    const back = await world.ssh(['host-1', 'echo back']);
    assert.equal(back.stdout.toString(), 'back\n', back.stderr);
  });
});

describe('teardown', () => {
  it('close() kills every process of the world, sessions included, and removes its dir', async (t) => {
    const other = await createWorld();
    t.after(() => other.close());
    await other.connectHost('host-1');
    other.writeClientConfig(other.seedProxyCommand());
    const session = other.ssh(['host-1', 'exec sleep 60'], { timeoutMs: 60_000 });
    // the session is up once sleep runs under the hidden sshd
    const pids = await waitFor(
      () => {
        const now = other.pids();
        return now.some((pid) => commandLine(pid).startsWith('sleep ')) ? now : undefined;
      },
      { timeoutMs: 10_000, what: () => `no sleep among ${other.pids().join(' ')}` },
    );
    const leaders = [other.jump.pid, other.hidden.pid];
    for (const pid of leaders) assert.ok(pid && pids.includes(pid), `sshd ${pid} is not tracked`);
    assert.ok(pids.length >= 8, `expected jump, hidden, tunnel, ssh, nc and their sshd children, got ${pids.length}`);

    await other.close();
    assert.deepEqual(pids.filter(isAlive), []);
    assert.deepEqual(processesMentioning(other.dir), []);
    assert.equal(existsSync(other.dir), false);
    const ended = await session;
    assert.equal(ended.signal, 'SIGKILL');
  });

  it('tears down what it started when setup fails halfway', async () => {
    const baseDir = await mkdtemp(join(tmpdir(), 'tunnel-world-base-'));
    try {
      // the hidden sshd starts fine; the jump's config is rejected by sshd -t
      await assert.rejects(createWorld({ baseDir, jumpConfig: 'NoSuchOption yes' }), /sshd -t .* failed:\n.*Bad configuration option: NoSuchOption/);
      assert.deepEqual(readdirSync(baseDir), []);
      assert.deepEqual(processesMentioning(baseDir), []);
    } finally {
      await rm(baseDir, { recursive: true, force: true });
    }
  });
});
