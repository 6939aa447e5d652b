import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shellQuote } from '../support/quote.js';
import { sleep } from '../support/wait.js';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import { Collector, digestFile, digestOf, digestStream, MiB, writeRandomFile, type Digest } from './bytes.js';
import { killChildren, startChild, type Child } from './child.js';
import { MB, watchPeakRss } from './processes.js';

// `tunnel-config proxy` run directly, as ssh would run it, with the test holding both ends of its stdio.

const banner = /^SSH-2\.0-OpenSSH_[\x21-\x7e]+(?: [\x20-\x7e]*)?\r\n/;
const bigTimeoutMs = 120_000;

let world!: World;
let big!: { path: string; digest: Digest };
const servers: Server[] = [];

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
  const path = join(world.dir, 'random-100MiB.bin');
  big = { path, digest: await writeRandomFile(path, 100 * MiB) };
});

after(async () => {
  killChildren();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await world?.close();
});

/** `node bin/tunnel-config.js proxy ...`: what ssh runs for `%h` = host. */
function proxyCommandLine(host: string): [string, ...string[]] {
  return [process.execPath, tunnelConfigBin, 'proxy', '--jump', 'jump', '--socket-dir', world.sockDir, '-F', world.clientConfigPath, '--', host];
}

function startProxy(host: string, timeoutMs = 30_000): Child {
  const [command, ...args] = proxyCommandLine(host);
  return startChild(world, command, args, { timeoutMs });
}

async function bannerFrom(proxy: Child): Promise<{ output: Collector; first: string }> {
  const output = new Collector(proxy.process.stdout);
  const bytes = await output.until((sofar) => sofar.includes('\r\n'), 15_000).catch((error: Error) => {
    throw new Error(`${error.message}\nproxy stderr:\n${proxy.stderr()}`);
  });
  return { output, first: bytes.toString('latin1') };
}

/**
 * A UNIX socket in the jump's socket dir, standing in for a host's reverse tunnel, so the far end
 * can be a data source or a slow sink; half-open, as a tunnelled sshd's connection is.
 */
async function listenAsHost(host: string, onConnection: (socket: Socket) => void): Promise<void> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    // a broken connection shows up as wrong bytes in the test; it must not crash the runner
    socket.on('error', () => {});
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(world.socketPath(host), resolve);
  });
}

describe('tunnel-config proxy on its own', () => {
  it('writes the hidden sshd’s banner first, nothing before it, and exits 0 after stdin closes', async () => {
    const proxy = startProxy('host-1');
    const { output, first } = await bannerFrom(proxy);
    assert.match(first, banner, `stdout began ${JSON.stringify(first.slice(0, 80))}`);
    proxy.process.stdin.end();
    const exit = await proxy.exited;
    assert.equal(exit.code, 0, proxy.stderr());
    assert.match((await output.ended).toString('latin1'), banner);
    assert.equal(proxy.stderr(), '');
  });

  it('relays a client banner and garbage to the hidden sshd and exits 0 when it hangs up', async () => {
    const version = `tunnel-e2e-${randomBytes(4).toString('hex')}`;
    const proxy = startProxy('host-1');
    await bannerFrom(proxy);
    proxy.process.stdin.end(Buffer.concat([Buffer.from(`SSH-2.0-${version}\r\n`), randomBytes(64)]));
    const exit = await proxy.exited;
    assert.equal(exit.code, 0, proxy.stderr());
    assert.equal(exit.timedOut, false);
    await world.hidden.waitForLog(new RegExp(`remote software version ${version}`));
  });

  it('ends its stdout when the far side hangs up while stdin is still open, and exits 0 once stdin closes', async () => {
    const proxy = startProxy('host-1');
    const { output } = await bannerFrom(proxy);
    // an impossible packet length makes sshd drop the connection
    proxy.process.stdin.write(Buffer.concat([Buffer.from('SSH-2.0-tunnel-e2e\r\n'), Buffer.alloc(64, 0xff)]));
    const ended = await Promise.race([output.ended.then(() => 'ended'), sleep(10_000).then(() => 'still open')]);
    assert.equal(ended, 'ended', `stdout not closed; proxy stderr:\n${proxy.stderr()}`);
    proxy.process.stdin.end();
    const exit = await proxy.exited;
    assert.equal(exit.code, 0, proxy.stderr());
    assert.equal(exit.timedOut, false);
  });

  for (const [signal, status] of [['SIGTERM', 143], ['SIGHUP', 129], ['SIGINT', 130]] as const) {
    it(`ends within 2 s with status ${status} on ${signal}`, async () => {
      const proxy = startProxy('host-1');
      await bannerFrom(proxy);
      const sent = performance.now();
      process.kill(proxy.pid, signal);
      const exit = await proxy.exited;
      const ms = performance.now() - sent;
      assert.equal(exit.code, status, proxy.stderr());
      assert.equal(exit.signal, null);
      assert.ok(ms < 2000, `took ${Math.round(ms)} ms`);
    });
  }
});

describe('with a test server as the far side', () => {
  // stop for 3 s, then read at 40 MiB/s: without backpressure the proxy would hold most of the 100 MiB
  const pace = { stallAfterBytes: MiB, stallMs: 3000, bytesPerSecond: 40 * MiB };

  before(async () => {
    await listenAsHost('source-1', (socket) => {
      socket.resume();
      createReadStream(big.path).pipe(socket);
    });
    await listenAsHost('sink-1', (socket) => {
      void digestStream(socket, pace).then(({ sha256, bytes }) => socket.end(`${sha256} ${bytes}\n`));
    });
    await listenAsHost('echo-1', (socket) => socket.pipe(socket));
  });

  it('a slow stdout reader: 100 MiB from the far side exactly, proxy under 150 MB RSS', { timeout: bigTimeoutMs }, async (t) => {
    const proxy = startProxy('source-1', bigTimeoutMs);
    const peaks = watchPeakRss(() => [proxy.pid]);
    // EOF first: the far side must still get to send everything (half-close)
    proxy.process.stdin.end();
    const [received, exit] = await Promise.all([digestStream(proxy.process.stdout, pace), proxy.exited]);
    const peak = peaks.stop().get(proxy.pid) ?? 0;
    assert.equal(exit.code, 0, proxy.stderr());
    assert.deepEqual(received, big.digest);
    t.diagnostic(`proxy peak RSS ${(peak / MB).toFixed(1)} MB`);
    assert.ok(peak > 0, 'never sampled the proxy');
    assert.ok(peak < 150 * MB, `proxy peak RSS ${(peak / MB).toFixed(1)} MB`);
  });

  it('a slow far side: 100 MiB from stdin exactly, proxy under 150 MB RSS', { timeout: bigTimeoutMs }, async (t) => {
    const proxy = startProxy('sink-1', bigTimeoutMs);
    const peaks = watchPeakRss(() => [proxy.pid]);
    createReadStream(big.path).pipe(proxy.process.stdin);
    const output = new Collector(proxy.process.stdout);
    const exit = await proxy.exited;
    const peak = peaks.stop().get(proxy.pid) ?? 0;
    assert.equal(exit.code, 0, proxy.stderr());
    assert.equal((await output.ended).toString(), `${big.digest.sha256} ${big.digest.bytes}\n`);
    t.diagnostic(`proxy peak RSS ${(peak / MB).toFixed(1)} MB`);
    assert.ok(peak > 0, 'never sampled the proxy');
    assert.ok(peak < 150 * MB, `proxy peak RSS ${(peak / MB).toFixed(1)} MB`);
  });

  it('an echo through the far side: 2 MiB + 1 out and back, exactly', async () => {
    const data = randomBytes(2 * MiB + 1);
    const proxy = startProxy('echo-1');
    proxy.process.stdin.end(data);
    const [received, exit] = await Promise.all([digestStream(proxy.process.stdout), proxy.exited]);
    assert.equal(exit.code, 0, proxy.stderr());
    assert.deepEqual(received, digestOf(data));
  });

  it('stdin and stdout as regular files rather than pipes: 2 MiB + 1 through the echo, exactly', async () => {
    const input = join(world.dir, 'echo-in.bin');
    const output = join(world.dir, 'echo-out.bin');
    const digest = await writeRandomFile(input, 2 * MiB + 1);
    const command = proxyCommandLine('echo-1').map(shellQuote).join(' ');
    const result = await world.run('sh', ['-c', `exec ${command} < ${shellQuote(input)} > ${shellQuote(output)}`]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await digestFile(output), digest);
  });
});
