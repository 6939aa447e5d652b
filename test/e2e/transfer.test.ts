import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shellQuote } from '../support/quote.js';
import { createWorld, type World } from '../world.js';
import { digestFile, digestOf, digestStream, KiB, MiB, sizeLabel, trickle, writeRandomFile, type Digest } from './bytes.js';
import { killChildren, startSsh } from './child.js';
import { MB, noProxiesLeft, proxyPids, watchPeakRss } from './processes.js';

// Around the boundaries that matter: 64 KiB pipe buffers and stream chunks, the 2 MiB SSH channel window.
const sizes = [0, 1, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, 2 * MiB - 1, 2 * MiB, 2 * MiB + 1, 100 * MiB];
const bigTimeoutMs = 120_000;

let world!: World;
const files = new Map<number, { path: string; digest: Digest }>();

function file(size: number): { path: string; digest: Digest } {
  const found = files.get(size);
  if (!found) throw new Error(`no random file of ${size} bytes`);
  return found;
}

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
  world.writeClientConfig(world.tunnelConfigProxyCommand());
  for (const size of sizes) {
    const path = join(world.dir, `random-${size}.bin`);
    files.set(size, { path, digest: await writeRandomFile(path, size) });
  }
});

after(async () => {
  killChildren();
  await world?.close();
});

describe('a command through tunnel-config proxy', () => {
  it('passes output and exit status 7 through, with nothing else on stdout or stderr', async () => {
    const result = await world.ssh(['host-1', "printf 'hi\\n'; printf 'no newline'; exit 7"]);
    assert.equal(result.stdout.toString('latin1'), 'hi\nno newline', result.stderr);
    assert.equal(result.code, 7, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(result.lingering, [], 'the proxy outlived ssh');
  });

  for (const status of [0, 1, 2, 100, 254]) {
    it(`exits with the remote status ${status}`, async () => {
      const result = await world.ssh(['host-1', `echo status-${status}; exit ${status}`]);
      assert.equal(result.stdout.toString(), `status-${status}\n`, result.stderr);
      assert.equal(result.code, status, result.stderr);
    });
  }

  it('ssh -v reads the hidden sshd banner first: the proxy sends nothing before it', async () => {
    const result = await world.ssh(['-v', 'host-1', 'true']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Remote protocol version 2\.0, remote software version OpenSSH_/);
    // ssh logs every line it skips before the banner as "kex_exchange_identification: banner line N"
    assert.doesNotMatch(result.stderr, /kex_exchange_identification/);
    assert.doesNotMatch(result.stderr, /invalid format/);
    assert.doesNotMatch(result.stderr, /^tunnel-config:/m);
  });
});

describe('sha256-exact transfers', () => {
  for (const size of sizes) {
    const timeout = size > 10 * MiB ? bigTimeoutMs : 30_000;

    it(`client → host-1: ${sizeLabel(size)}`, { timeout }, async () => {
      const { path, digest } = file(size);
      const dest = join(world.dir, `upload-${size}.bin`);
      const ssh = startSsh(world, ['host-1', `cat > ${shellQuote(dest)}`], { timeoutMs: timeout });
      createReadStream(path).pipe(ssh.process.stdin);
      const exit = await ssh.exited;
      assert.equal(exit.code, 0, ssh.stderr());
      assert.deepEqual(await digestFile(dest), digest);
      await rm(dest);
    });

    it(`host-1 → client: ${sizeLabel(size)}`, { timeout }, async () => {
      const { path, digest } = file(size);
      const ssh = startSsh(world, ['host-1', `cat ${shellQuote(path)}`], { timeoutMs: timeout });
      ssh.process.stdin.end();
      const [received, exit] = await Promise.all([digestStream(ssh.process.stdout), ssh.exited]);
      assert.equal(exit.code, 0, ssh.stderr());
      assert.deepEqual(received, digest);
    });
  }
});

describe('slow readers and writers', () => {
  it('a slow reader gets 100 MiB exactly while the proxy stays under 150 MB RSS', { timeout: bigTimeoutMs }, async (t) => {
    // ssh's own 2 MiB channel window bounds what is in flight here; proxy-stdio.test.ts checks
    // the proxy's backpressure itself, with no SSH session inside to bound it
    const { path, digest } = file(100 * MiB);
    await noProxiesLeft(world);
    const peaks = watchPeakRss(() => proxyPids(world));
    const ssh = startSsh(world, ['host-1', `cat ${shellQuote(path)}`], { timeoutMs: bigTimeoutMs });
    ssh.process.stdin.end();
    // stop for 2 s, then read at 25 MiB/s, well below what the chain carries (~40 MiB/s on 2 cores)
    const pace = { stallAfterBytes: MiB, stallMs: 2000, bytesPerSecond: 25 * MiB };
    const [received, exit] = await Promise.all([digestStream(ssh.process.stdout, pace), ssh.exited]);
    const seen = peaks.stop();
    assert.equal(exit.code, 0, ssh.stderr());
    assert.deepEqual(received, digest);
    assert.equal(seen.size, 1, `expected one proxy process, saw ${[...seen.keys()].join(' ') || 'none'}`);
    const [peak = 0] = seen.values();
    t.diagnostic(`proxy peak RSS ${(peak / MB).toFixed(1)} MB`);
    assert.ok(peak < 150 * MB, `proxy peak RSS ${(peak / MB).toFixed(1)} MB`);
  });

  it('a slow writer: 256 KiB in pieces of 1..997 bytes, 1 ms apart, arrive exactly', { timeout: 60_000 }, async () => {
    const data = randomBytes(256 * KiB);
    const ssh = startSsh(world, ['host-1', 'sha256sum'], { timeoutMs: 60_000 });
    trickle(data, { maxPiece: 997, delayMs: 1 }).pipe(ssh.process.stdin);
    const [stdout, exit] = await Promise.all([readText(ssh.process.stdout), ssh.exited]);
    assert.equal(exit.code, 0, ssh.stderr());
    assert.equal(stdout, `${digestOf(data).sha256}  -\n`);
  });

  it('a remote that trickles its output: every byte, in order', async () => {
    const script = 'i=0; while [ $i -lt 40 ]; do printf "%s," $i; sleep 0.01; i=$((i+1)); done';
    const result = await world.ssh(['host-1', script]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), Array.from({ length: 40 }, (_, i) => `${i},`).join(''));
  });
});

describe('half-close', () => {
  it('the remote keeps sending after the client’s EOF, and all of it arrives', async () => {
    const input = randomBytes(MiB + 1);
    const result = await world.ssh(['host-1', 'cat; echo done-after-eof'], { input });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(digestOf(result.stdout), digestOf(Buffer.concat([input, Buffer.from('done-after-eof\n')])));
  });

  it('output the remote starts only after the client’s EOF arrives in full', async () => {
    const { path, digest } = file(2 * MiB + 1);
    const ssh = startSsh(world, ['host-1', `cat > /dev/null; sleep 0.2; cat ${shellQuote(path)}`], { timeoutMs: 30_000 });
    ssh.process.stdin.end();
    const [received, exit] = await Promise.all([digestStream(ssh.process.stdout), ssh.exited]);
    assert.equal(exit.code, 0, ssh.stderr());
    assert.deepEqual(received, digest);
  });

  it('the last bytes before an immediate exit are flushed, and the status arrives', async () => {
    const { path, digest } = file(2 * MiB + 1);
    const ssh = startSsh(world, ['host-1', `cat ${shellQuote(path)}; exit 3`], { timeoutMs: 30_000 });
    ssh.process.stdin.end();
    const [received, exit] = await Promise.all([digestStream(ssh.process.stdout), ssh.exited]);
    assert.equal(exit.code, 3, ssh.stderr());
    assert.deepEqual(received, digest);
  });
});

describe('teardown', () => {
  it('leaves no proxy process behind', async () => {
    await noProxiesLeft(world);
  });
});

async function readText(stream: AsyncIterable<Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}
