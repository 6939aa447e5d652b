import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { startSplittingRelay, type SplittingRelayOptions } from '../support/splitting-relay.js';
import { keyTypes } from '../support/keys.js';
import { createWorld, type World } from '../world.js';
import { assertConnected, assertFailure, connectProxy, describeRun, escapeRegExp, proxyArgs, runProxy, stopAllProxies, writeProxyConfig } from './harness.js';

let world: World;

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
});

after(async () => {
  await stopAllProxies();
  await world?.close();
});

/** A client config whose jump is reached on `port`, with the jump's host keys known there. */
function configThrough(name: string, port: number): string {
  const knownHosts = join(world.dir, `known_hosts_${name}`);
  writeFileSync(knownHosts, keyTypes.map((type) => `[127.0.0.1]:${port} ${world.keys.jumpHost[type].publicKey}\n`).join(''));
  return writeProxyConfig(world, `ssh_config_${name}`, { jump: [`Port ${port}`, `UserKnownHostsFile ${knownHosts}`] });
}

// OpenSSH's banner here is 41 bytes ("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"): 20-byte pieces also cut it between '\r' and '\n'.
const links: Array<{ name: string; relay: Omit<SplittingRelayOptions, 'targetPort'>; timeoutMs?: number }> = [
  { name: '1-byte pieces 10 ms apart', relay: { split: { bytes: 100, piece: 1, pauseMs: 10 } } },
  { name: '7-byte pieces 10 ms apart', relay: { split: { bytes: 100, piece: 7, pauseMs: 10 } } },
  { name: '20-byte pieces 10 ms apart', relay: { split: { bytes: 100, piece: 20, pauseMs: 10 } } },
  { name: "13-byte pieces and a cut between the line's '\\r' and '\\n'", relay: { split: { bytes: 100, piece: 13, pauseMs: 10 }, cutAfterCr: true } },
  { name: 'a line before the identification, in 7-byte pieces', relay: { preamble: 'Welcome to the jump\r\n', split: { bytes: 100, piece: 7, pauseMs: 10 } } },
  { name: '1023 lines before the identification (OpenSSH allows 1024 lines in all)', relay: { preamble: 'x\r\n'.repeat(1023), split: { bytes: 3200, piece: 97, pauseMs: 5 } } },
  { name: '200 B/s for the first 2 KiB (the identification and KEXINIT)', relay: { split: { bytes: 2048, piece: 10, pauseMs: 50 } }, timeoutMs: 45_000 },
];

describe('a link that splits the server identification line: the proxy connects as ssh does', () => {
  links.forEach(({ name, relay: shape, timeoutMs = 20_000 }, index) => {
    test(name, { timeout: timeoutMs * 2 }, async () => {
      const relay = await startSplittingRelay({ targetPort: world.jumpPort, ...shape });
      try {
        const config = configThrough(`split_${index}`, relay.port);
        const [sshJump, sshHost, proxy] = await Promise.all([
          world.ssh(['-o', 'BatchMode=yes', 'jump', 'echo jump-reached'], { configPath: config, timeoutMs }),
          world.ssh(['host-1', 'echo host-reached'], { configPath: config, timeoutMs }),
          connectProxy(world, proxyArgs(world, config, 'host-1'), { timeoutMs }),
        ]);
        assert.equal(sshJump.code, 0, `ssh to the jump through the relay:\n${describeRun(sshJump)}`);
        assert.equal(sshJump.stdout.toString(), 'jump-reached\n', describeRun(sshJump));
        assert.equal(sshHost.stdout.toString(), 'host-reached\n', describeRun(sshHost));
        assert.equal(sshHost.code, 0, describeRun(sshHost));
        assert.equal(sshHost.stderr, '', describeRun(sshHost));
        assertConnected(proxy);
        const pieces = relay.pieces();
        assert.equal(pieces.length, 3, 'one relayed connection per run');
        // a server sends its identification and KEXINIT, well over 600 bytes, before it waits for the client
        const split = shape.split ?? { bytes: 0, piece: 1 };
        const expected = Math.ceil(Math.min(split.bytes, (shape.preamble?.length ?? 0) + 600) / split.piece);
        for (const count of pieces) assert.ok(count >= expected, `the relay wrote only ${count} pieces (expected at least ${expected})`);
      } finally {
        await relay.close();
      }
    });
  });

  test('1024 lines before the identification are refused, as ssh refuses them: exit 3', async () => {
    const relay = await startSplittingRelay({ targetPort: world.jumpPort, preamble: 'x\r\n'.repeat(1024) });
    try {
      const config = configThrough('too_many_lines', relay.port);
      const [sshJump, proxy] = await Promise.all([
        world.ssh(['jump', 'true'], { configPath: config, timeoutMs: 15_000 }),
        runProxy(world, proxyArgs(world, config, 'host-1')),
      ]);
      assert.equal(sshJump.code, 255, describeRun(sshJump));
      assert.match(sshJump.stderr, /kex_exchange_identification: No SSH version received in first 1024 lines from server/, describeRun(sshJump));
      assertFailure(proxy, {
        code: 3,
        stderr: new RegExp(`^tunnel-config: the SSH connection to jump \\(127\\.0\\.0\\.1\\) port ${relay.port} failed \\(the server sent no SSH identification line in its first 1024 lines\\): `),
        withinMs: 5000,
      });
    } finally {
      await relay.close();
    }
  });

  test('a line over 8192 bytes before the identification is refused: exit 3', async () => {
    const relay = await startSplittingRelay({ targetPort: world.jumpPort, preamble: `${'x'.repeat(8193)}\r\n` });
    try {
      const config = configThrough('long_line', relay.port);
      const proxy = await runProxy(world, proxyArgs(world, config, 'host-1'));
      assertFailure(proxy, {
        code: 3,
        stderr: new RegExp(`^tunnel-config: the SSH connection to jump \\(127\\.0\\.0\\.1\\) port ${relay.port} failed \\(the server sent a line longer than 8192 bytes before completing its SSH identification\\): `),
        withinMs: 5000,
      });
    } finally {
      await relay.close();
    }
  });
});

describe('a jump that never answers the channel open: exit 3 after ConnectTimeout', () => {
  let server: InstanceType<typeof ssh2.Server>;
  let port = 0;
  const opened: string[] = [];

  before(async () => {
    const hostKey = world.keys.jumpHost.ed25519;
    // ssh2's client opens direct-streamlocal only to an OpenSSH ident (strictVendor)
    server = new ssh2.Server({ hostKeys: [readFileSync(hostKey.path)], ident: 'OpenSSH_8.0' }, (connection) => {
      connection.on('error', () => {});
      connection.on('authentication', (context) => context.accept());
      // listening is what keeps ssh2 from refusing the channel itself; never calling accept or reject is the silence
      connection.on('openssh.streamlocal', (_accept, _reject, info) => opened.push(info.socketPath));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = address && typeof address === 'object' ? address.port : 0;
    writeFileSync(join(world.dir, 'known_hosts_silent'), `[127.0.0.1]:${port} ${hostKey.publicKey}\n`);
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('ConnectTimeout 2: one line naming the jump, the socket and what to check', async () => {
    const config = writeProxyConfig(world, 'ssh_config_silent', {
      jump: [`Port ${port}`, `UserKnownHostsFile ${join(world.dir, 'known_hosts_silent')}`, 'ConnectTimeout 2'],
    });
    const socketPath = world.socketPath('host-1');
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, {
      code: 3,
      stderr: new RegExp(
        `^tunnel-config: jump did not answer the request to open ${escapeRegExp(socketPath)} within 2s \\(ConnectTimeout\\): check that the jump's sshd is healthy \\(its log\\) and supports direct-streamlocal@openssh\\.com, then connect again\\n$`,
      ),
      atLeastMs: 1900,
      withinMs: 6000,
    });
    assert.ok(opened.includes(socketPath), `the server saw no channel open for ${socketPath}: ${JSON.stringify(opened)}`);
  });
});
