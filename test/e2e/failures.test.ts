import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/net.js';
import { waitFor } from '../support/wait.js';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import {
  assertConnected,
  assertFailure,
  assertNoOrphans,
  assertSshSurfaces,
  connectProxy,
  describeRun,
  escapeRegExp,
  processesMentioning,
  proxyArgs,
  runProxy,
  startProxy,
  stopAllProxies,
  waitUntilRefused,
  writeProxyConfig,
} from './harness.js';

let world: World;
let config: string;

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
  config = writeProxyConfig(world, 'ssh_config_default');
});

after(async () => {
  await stopAllProxies();
  await world?.close();
});

/** Host name whose socket path under the world's socket dir is exactly `bytes` long. */
const nameForPathBytes = (bytes: number): string => 'h'.repeat(bytes - `${world.sockDir}/`.length - '.sock'.length);

describe('bad input and usage: exit 2 before anything connects', () => {
  const marker = (): string => join(world.dir, 'proxycommand-ran');
  const cases: Array<{ name: string; args: () => string[]; stderr: () => RegExp }> = [
    {
      name: 'missing --jump',
      args: () => ['--socket-dir', world.sockDir, '-F', config, '--', 'host-1'],
      stderr: () => /^tunnel-config: proxy needs --jump JUMP \(see tunnel-config proxy --help\)\n$/,
    },
    {
      name: 'two hosts',
      args: () => proxyArgs(world, config, 'host-1').concat('host-2'),
      stderr: () => /^tunnel-config: proxy needs exactly one HOST, got 2 \(see tunnel-config proxy --help\)\n$/,
    },
    {
      name: 'an unknown flag',
      args: () => ['--bogus', ...proxyArgs(world, config, 'host-1')],
      stderr: () => /^tunnel-config: Unknown option '--bogus' \(see tunnel-config proxy --help\)\n$/,
    },
    {
      name: 'a relative --socket-dir',
      args: () => ['--jump', 'jump', '--socket-dir', 'sock', '-F', config, '--', 'host-1'],
      stderr: () => /^tunnel-config: invalid socket directory "sock": it must be an absolute path\n$/,
    },
    {
      name: 'a --socket-dir with ".."',
      args: () => ['--jump', 'jump', '--socket-dir', `${world.sockDir}/../sock`, '-F', config, '--', 'host-1'],
      stderr: () => /^tunnel-config: invalid socket directory ".*\/\.\.\/sock": it may not contain "\." or "\.\." components\n$/,
    },
    {
      name: '--jump -oProxyCommand=... as its own argument',
      args: () => ['--jump', `-oProxyCommand=touch ${marker()}`, '--socket-dir', world.sockDir, '-F', config, '--', 'host-1'],
      stderr: () => /^tunnel-config: Option '--jump' argument is ambiguous\. .*use '--jump=-XYZ'\. \(see tunnel-config proxy --help\)\n$/,
    },
    {
      name: '--jump=-oProxyCommand=...',
      args: () => [`--jump=-oProxyCommand=touch ${marker()}`, '--socket-dir', world.sockDir, '-F', config, '--', 'host-1'],
      stderr: () => /^tunnel-config: invalid --jump "-oProxyCommand=touch [^"]*": it may not start with "-"; use an ssh_config alias or \[user@\]host\[:port\]\n$/,
    },
    {
      name: 'a second --jump that is unsafe is refused before the first is tried',
      args: () => [...proxyArgs(world, config, 'host-1').slice(0, -2), '--jump', 'a;touch x', '--', 'host-1'],
      stderr: () => /^tunnel-config: invalid --jump "a;touch x": [^\n]*\n$/,
    },
    {
      name: 'a socket path of 108 bytes, over the UNIX socket limit',
      args: () => proxyArgs(world, config, nameForPathBytes(108)),
      stderr: () =>
        new RegExp(
          `^tunnel-config: socket path ${escapeRegExp(world.sockDir)}/h+\\.sock is 108 bytes, over the 107-byte UNIX socket limit: use a host name of at most ${nameForPathBytes(107).length} characters or a shorter --socket-dir\\n$`,
        ),
    },
  ];

  for (const { name, args, stderr } of cases) {
    test(name, async () => {
      const logStart = world.jump.log().length;
      const result = await runProxy(world, args());
      assertFailure(result, { code: 2, stderr: stderr(), withinMs: 3000 });
      assert.equal(existsSync(marker()), false, 'a ProxyCommand from --jump ran');
      assert.doesNotMatch(world.jump.log().slice(logStart), /Connection from/, 'the jump saw a connection');
    });
  }

  test('usage errors print exactly one stderr line', async () => {
    for (const { name, args } of cases) {
      const result = await runProxy(world, args());
      assert.match(result.stderr, /^tunnel-config: [^\n]*\n$/, `${name}\n${describeRun(result)}`);
    }
  });

  test('a socket path of 107 bytes is still allowed (then host offline, exit 6)', async () => {
    const result = await runProxy(world, proxyArgs(world, config, nameForPathBytes(107)));
    assertFailure(result, { code: 6, stderr: /^tunnel-config: h+ is not connected to jump/, withinMs: 5000 });
  });

  test('ssh surfaces the line for a host name too long for a socket path', async () => {
    const result = await world.ssh([`host-${'x'.repeat(100)}`, 'true'], { configPath: config, timeoutMs: 15_000 });
    assertSshSurfaces(result, /^tunnel-config: socket path \S+ is \d+ bytes, over the 107-byte UNIX socket limit/m);
  });
});

describe('jump unreachable: exit 3', () => {
  test('a closed port is refused at once', async () => {
    const port = await freePort();
    const cfg = writeProxyConfig(world, 'ssh_config_closed', { jump: [`Port ${port}`] });
    const result = await runProxy(world, proxyArgs(world, cfg, 'host-1'));
    assertFailure(result, {
      code: 3,
      stderr: new RegExp(`^tunnel-config: connection refused by jump \\(127\\.0\\.0\\.1\\) port ${port}: is its sshd running on that port\\?\\n$`),
      withinMs: 3000,
    });
    const viaSsh = await world.ssh(['host-1', 'true'], { configPath: cfg, timeoutMs: 15_000 });
    assertSshSurfaces(viaSsh, /^tunnel-config: connection refused by jump/m);
  });

  test('an unresolvable HostName', async () => {
    const cfg = writeProxyConfig(world, 'ssh_config_unresolvable', { jump: ['HostName nonexistent.invalid'] });
    const result = await runProxy(world, proxyArgs(world, cfg, 'host-1'));
    assertFailure(result, {
      code: 3,
      stderr: /^tunnel-config: could not resolve nonexistent\.invalid \(the jump jump\): check its HostName and your DNS\n$/,
      withinMs: 10_000,
    });
  });

  test('a jump that accepts and closes at once', async () => {
    const closer = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
    try {
      const address = closer.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      const cfg = writeProxyConfig(world, 'ssh_config_closer', { jump: [`Port ${port}`] });
      const result = await runProxy(world, proxyArgs(world, cfg, 'host-1'));
      assertFailure(result, { code: 3, stderr: new RegExp(`^tunnel-config: [^\\n]*jump \\(127\\.0\\.0\\.1\\) port ${port}[^\\n]*\\n$`), withinMs: 3000 });
    } finally {
      closer.close();
    }
  });

  test('a blackholed jump gives up after ConnectTimeout', async () => {
    const cfg = writeProxyConfig(world, 'ssh_config_timeout', { jump: ['ConnectTimeout 2'] });
    world.jump.stop();
    try {
      const result = await runProxy(world, proxyArgs(world, cfg, 'host-1'));
      assertFailure(result, {
        code: 3,
        stderr: /^tunnel-config: jump \(127\.0\.0\.1\) port \d+ accepted the connection but the SSH handshake did not finish within 2s/,
        atLeastMs: 1900,
        withinMs: 4000,
      });
    } finally {
      world.jump.cont();
    }
  });
});

describe('the tunnel is up but nothing answers behind it: exit 10', () => {
  const silent = (host: string): RegExp =>
    new RegExp(
      `^tunnel-config: ${host}'s tunnel is up on jump but nothing answered behind it \\(${escapeRegExp(world.socketPath(host))} closed without a byte\\): check that ${host}'s sshd is running and that its tunnel forwards to it \\(ssh -N -R ${escapeRegExp(world.socketPath(host))}:localhost:22 …\\) \\(tunnel-config doctor ${host} explains more\\)\\n$`,
    );

  test('a tunnel that forwards to a port where nothing listens (a stopped sshd, a wrong -R target)', async () => {
    const port = await freePort();
    const tunnel = await world.connectHost('host-dead', { targetPort: port });
    try {
      for (const persist of ['0', '10m']) {
        const result = await runProxy(world, proxyArgs(world, config, 'host-dead', { persist }));
        assertFailure(result, { code: 10, stderr: silent('host-dead'), withinMs: 5000 });
      }
      const viaSsh = await world.ssh(['host-dead', 'true'], { configPath: config, timeoutMs: 15_000 });
      assertSshSurfaces(viaSsh, /^tunnel-config: host-dead's tunnel is up on jump but nothing answered behind it /m);
    } finally {
      await tunnel.kill();
    }
  });
});

describe('host offline: exit 6', () => {
  const offline = (host: string): RegExp =>
    new RegExp(
      `^tunnel-config: ${host} is not connected to jump: nothing is listening on ${escapeRegExp(world.socketPath(host))}; start the host's tunnel \\(ssh -N -R ${escapeRegExp(world.socketPath(host))}:localhost:22 \\.\\.\\.\\) or check --socket-dir \\(tunnel-config doctor ${host} explains more\\)\\n$`,
    );

  test('no tunnel for host-2', async () => {
    assert.equal(existsSync(world.socketPath('host-2')), false);
    const result = await runProxy(world, proxyArgs(world, config, 'host-2'));
    assertFailure(result, { code: 6, stderr: offline('host-2'), withinMs: 3000 });
    const viaSsh = await world.ssh(['host-2', 'true'], { configPath: config, timeoutMs: 15_000 });
    assertSshSurfaces(viaSsh, /^tunnel-config: host-2 is not connected to jump: /m);
  });

  test('a stale socket left by a tunnel killed with SIGKILL', async () => {
    const tunnel = await world.connectHost('host-3');
    await tunnel.kill();
    // the jump's side of the tunnel holds the listener until it notices the client is gone
    await waitUntilRefused(tunnel.socketPath);
    assert.equal(existsSync(tunnel.socketPath), true, 'the socket file should outlive the tunnel');
    const result = await runProxy(world, proxyArgs(world, config, 'host-3'));
    assertFailure(result, { code: 6, stderr: offline('host-3'), withinMs: 3000 });
  });

  test('a socket file bound but never listened on', async (t) => {
    const path = world.socketPath('bound-only');
    try {
      const bind = 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])';
      execFileSync('/usr/bin/python3', ['-c', bind, path], { timeout: 10_000 });
    } catch (error) {
      t.skip(`python3 could not bind a UNIX socket: ${(error as Error).message}`);
      return;
    }
    const result = await runProxy(world, proxyArgs(world, config, 'bound-only'));
    assertFailure(result, { code: 6, stderr: offline('bound-only'), withinMs: 3000 });
  });

  test('a regular file where the socket should be', async () => {
    writeFileSync(world.socketPath('plain-file'), 'not a socket\n');
    const result = await runProxy(world, proxyArgs(world, config, 'plain-file'));
    assertFailure(result, { code: 6, stderr: offline('plain-file'), withinMs: 3000 });
  });
});

describe('channel refused by the jump\'s policy: exit 7', () => {
  const withAuthorizedKeys = async (text: string, body: () => Promise<void>): Promise<void> => {
    const saved = readFileSync(world.jumpAuthorizedKeys, 'utf8');
    writeFileSync(world.jumpAuthorizedKeys, text);
    try {
      await body();
    } finally {
      writeFileSync(world.jumpAuthorizedKeys, saved);
    }
  };
  const refusedByKeyOptions = (): RegExp =>
    new RegExp(
      `^tunnel-config: jump refused to open ${escapeRegExp(world.socketPath('host-1'))}: the authorized_keys line that let you in \\(.*authorized_keys:1\\) does not permit forwarding \\("restrict" or "no-port-forwarding"\\); add "port-forwarding" to its options \\(tunnel-config doctor host-1 explains more\\)\\n$`,
    );

  test('a no-port-forwarding key', async () => {
    await withAuthorizedKeys(`no-port-forwarding ${world.keys.client.publicKey}\n`, async () => {
      const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
      assertFailure(result, { code: 7, stderr: refusedByKeyOptions(), withinMs: 3000 });
      const viaSsh = await world.ssh(['host-1', 'true'], { configPath: config, timeoutMs: 15_000 });
      assertSshSurfaces(viaSsh, /^tunnel-config: jump refused to open .*host-1\.sock: the authorized_keys line/m);
    });
  });

  test('a restrict key', async () => {
    await withAuthorizedKeys(`restrict ${world.keys.client.publicKey}\n`, async () => {
      const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
      assertFailure(result, { code: 7, stderr: refusedByKeyOptions(), withinMs: 3000 });
    });
  });

  test('the refusal names the authorized_keys line without a stray quote', async () => {
    await withAuthorizedKeys(`no-port-forwarding ${world.keys.client.publicKey}\n`, async () => {
      const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
      assert.match(result.stderr, new RegExp(`\\(${escapeRegExp(world.jumpAuthorizedKeys)}:1\\)`), describeRun(result));
    });
  });

  test('restrict,port-forwarding connects', async () => {
    await withAuthorizedKeys(`restrict,port-forwarding ${world.keys.client.publicKey}\n`, async () => {
      assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1')));
    });
  });
});

describe('-v', () => {
  test('debug lines go to stderr, stdout carries only the tunnel', async () => {
    const result = await connectProxy(world, proxyArgs(world, config, 'host-1', { extra: ['-v'] }));
    assertConnected(result);
    const lines = result.stderr.trimEnd().split('\n');
    assert.ok(lines.length > 10, describeRun(result));
    assert.deepEqual(lines.filter((line) => !line.startsWith('debug: ')), [], 'every stderr line is a debug line');
    assert.match(result.stderr, new RegExp(`^debug: \\[\\d+ ms\\] jump jump: ${world.user}@127\\.0\\.0\\.1:${world.jumpPort}, socket ${escapeRegExp(world.socketPath('host-1'))}$`, 'm'));
    assert.match(result.stderr, /^debug: \[\d+ ms\] channel to \S+host-1\.sock open$/m);
  });

  test('a failure still ends with one tunnel-config line and an empty stdout', async () => {
    const result = await runProxy(world, proxyArgs(world, config, 'host-2', { extra: ['-v'] }));
    assert.equal(result.stdout.length, 0, describeRun(result));
    assert.equal(result.code, 6, describeRun(result));
    const ours = result.stderr.split('\n').filter((line) => !line.startsWith('debug: ') && line !== '');
    assert.equal(ours.length, 1, describeRun(result));
    assert.match(ours[0] ?? '', /^tunnel-config: host-2 is not connected to jump: /);
  });
});

describe('connection lost during a transfer: exit 3', () => {
  let echo: Server;
  const keepalive = ['ServerAliveInterval 1', 'ServerAliveCountMax 2'];

  before(async () => {
    // a listener on the jump's socket dir that echoes, so the proxy has a byte stream to carry
    echo = createServer((socket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(world.socketPath('echo-1'), resolve));
  });
  after(() => new Promise<void>((resolve) => echo.close(() => resolve())));

  /** Starts a proxy to echo-1, streams into it until 64 KiB came back, then calls `cut`. */
  const cutDuringTransfer = async (cfg: string, cut: () => Promise<void> | void) => {
    const proxy = startProxy(world, proxyArgs(world, cfg, 'echo-1'));
    const pump = setInterval(() => proxy.stdin.write(Buffer.alloc(4096, 'x')), 10);
    try {
      await proxy.waitForStdout(64 * 1024);
      const cutAt = performance.now();
      await cut();
      const result = await proxy.result;
      return { result, elapsed: result.endedAt - cutAt };
    } finally {
      clearInterval(pump);
    }
  };

  test('a frozen jump: no answer to ServerAliveCountMax keepalives', async () => {
    const cfg = writeProxyConfig(world, 'ssh_config_keepalive', { jump: keepalive });
    try {
      const { result, elapsed } = await cutDuringTransfer(cfg, () => world.jump.stop());
      assert.equal(result.code, 3, describeRun(result));
      assert.match(result.stderr, /^tunnel-config: lost the connection to jump \(it stopped answering keepalives\): check the jump and your network, then connect again\n$/, describeRun(result));
      // interval × (count + 1) plus slack for process start and scheduling
      assert.ok(elapsed <= 1000 * (2 + 1) + 2000, `exited ${Math.round(elapsed)} ms after the jump froze`);
      assert.ok(elapsed >= 1500, `exited only ${Math.round(elapsed)} ms after the jump froze`);
      assert.ok(result.stdout.length >= 64 * 1024 && /^x+$/.test(result.stdout.toString('latin1')), 'stdout holds only echoed bytes');
      await assertNoOrphans(result.pid);
    } finally {
      world.jump.cont();
    }
  });

  test('through ssh: a frozen jump ends the session with our line', async () => {
    const cfg = writeProxyConfig(world, 'ssh_config_keepalive_ssh', { jump: keepalive });
    const chunk = Buffer.alloc(16 * 1024, 'y');
    const input = new Readable({
      read() {
        setTimeout(() => this.push(chunk), 10);
      },
    });
    const hiddenLogStart = world.hidden.log().length;
    const session = world.ssh(['host-1', 'cat > /dev/null'], { configPath: cfg, input, timeoutMs: 30_000 });
    try {
      const [proxyPid] = await waitFor(() => {
        const pids = processesMentioning(tunnelConfigBin, cfg);
        return pids.length > 0 ? pids : undefined;
      }, { timeoutMs: 10_000, what: () => 'ssh never started the proxy' });
      await waitFor(() => (/Starting session: command/.test(world.hidden.log().slice(hiddenLogStart)) ? true : undefined), {
        timeoutMs: 10_000,
        what: () => `the session never started:\n${world.hidden.log().slice(hiddenLogStart)}`,
      });
      const cutAt = performance.now();
      world.jump.stop();
      const result = await session;
      const elapsed = performance.now() - cutAt;
      assertSshSurfaces(result, /^tunnel-config: lost the connection to jump \(it stopped answering keepalives\): check the jump and your network, then connect again$/m);
      assert.ok(elapsed <= 1000 * (2 + 1) + 3000, `ssh exited ${Math.round(elapsed)} ms after the jump froze`);
      assert.ok(proxyPid !== undefined);
      // ssh stops at EOF on the proxy's stdout, which the proxy closes a moment before it exits
      await assertNoOrphans(proxyPid, 2000);
    } finally {
      world.jump.cont();
      input.destroy();
    }
  });

  test('a killed jump: the connection drops at once', async () => {
    const cfg = writeProxyConfig(world, 'ssh_config_killed', { jump: keepalive });
    try {
      const { result, elapsed } = await cutDuringTransfer(cfg, () => world.jump.kill());
      assert.equal(result.code, 3, describeRun(result));
      assert.match(result.stderr, /^tunnel-config: lost the connection to jump \([^\n]+\): check the jump and your network, then connect again\n$/, describeRun(result));
      assert.ok(elapsed <= 2000, `exited ${Math.round(elapsed)} ms after the jump died`);
      await assertNoOrphans(result.pid);
    } finally {
      await world.jump.restart();
      await world.connectHost('host-1');
    }
  });
});

describe('AllowStreamLocalForwarding no on the jump', () => {
  test('is reported as host offline (exit 6): the protocol cannot tell it from a missing socket', async () => {
    // sshd answers a forbidden direct-streamlocal with the same "open failed" (reason 2) as a socket
    // nobody listens on, so the proxy can only say "not connected"; the jump's log shows the real cause.
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(world.socketPath('listening-1'), resolve));
    await world.jump.restart('AllowStreamLocalForwarding no');
    try {
      const result = await runProxy(world, proxyArgs(world, config, 'listening-1'));
      assertFailure(result, { code: 6, stderr: /^tunnel-config: listening-1 is not connected to jump: nothing is listening on /, withinMs: 3000 });
      await world.jump.waitForLog(/refused streamlocal port forward: .*listening-1\.sock/);
    } finally {
      listener.close();
      await world.jump.restart('');
      await world.connectHost('host-1');
    }
  });
});
