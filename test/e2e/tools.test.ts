import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/net.js';
import { shellQuote } from '../support/quote.js';
import { waitFor } from '../support/wait.js';
import { createWorld, type World } from '../world.js';
import { digestFile, digestOf, KiB, MiB, writeRandomFile, type Digest } from './bytes.js';
import { killChildren, startSsh } from './child.js';
import { noProxiesLeft, proxyPids } from './processes.js';

// What people run over the ProxyCommand besides a plain command: every one ends in a byte-exact comparison.

let world!: World;
let payload!: { path: string; digest: Digest };
let echo!: { server: Server; port: number };
const tree: Record<string, number> = { 'empty.bin': 0, 'one.bin': 1, 'a/b/mid.bin': 64 * KiB + 1, 'big.bin': 2 * MiB + 1 };
const treeDigests = new Map<string, Digest>();

before(async () => {
  // the world's sshd_config has no sftp subsystem, which scp (SFTP protocol) and sftp need
  world = await createWorld({ hiddenConfig: 'Subsystem sftp internal-sftp' });
  await world.connectHost('host-1');
  world.writeClientConfig(world.tunnelConfigProxyCommand());
  const path = join(world.dir, 'payload.bin');
  payload = { path, digest: await writeRandomFile(path, 2 * MiB + 1) };
  for (const [name, size] of Object.entries(tree)) {
    const file = join(world.dir, 'tree', name);
    await mkdir(join(file, '..'), { recursive: true });
    treeDigests.set(name, await writeRandomFile(file, size));
  }
  echo = await startEchoServer();
});

after(async () => {
  killChildren();
  if (echo) await new Promise((resolve) => echo.server.close(resolve));
  await world?.close();
});

/** A TCP echo server on loopback, which the hidden host (this machine) reaches as 127.0.0.1. */
async function startEchoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('echo server has no port');
  return { server, port: address.port };
}

/** Sends `data` to 127.0.0.1:port, half-closes, and resolves everything that comes back. */
function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(data));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

function sshCommand(): string {
  return `ssh -F ${shellQuote(world.clientConfigPath)}`;
}

describe('file transfer tools', () => {
  for (const [label, flags] of [['SFTP protocol', []], ['legacy protocol (-O)', ['-O']]] as const) {
    it(`scp, ${label}: up and back down, sha256-exact`, async () => {
      const remote = join(world.dir, `scp${flags.join('')}-remote.bin`);
      const back = join(world.dir, `scp${flags.join('')}-back.bin`);
      const up = await world.run('scp', ['-F', world.clientConfigPath, '-q', ...flags, payload.path, `host-1:${remote}`]);
      assert.equal(up.code, 0, up.stderr);
      assert.deepEqual(await digestFile(remote), payload.digest);
      const down = await world.run('scp', ['-F', world.clientConfigPath, '-q', ...flags, `host-1:${remote}`, back]);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(await digestFile(back), payload.digest);
    });
  }

  it('sftp -b: put and get, sha256-exact', async () => {
    const remote = join(world.dir, 'sftp-remote.bin');
    const back = join(world.dir, 'sftp-back.bin');
    const batch = join(world.dir, 'sftp-batch');
    await writeFile(batch, `put ${payload.path} ${remote}\nget ${remote} ${back}\n`);
    const result = await world.run('sftp', ['-F', world.clientConfigPath, '-b', batch, 'host-1']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await digestFile(remote), payload.digest);
    assert.deepEqual(await digestFile(back), payload.digest);
  });

  it("rsync -e 'ssh -F CFG': a tree up and back down, every file sha256-exact", async () => {
    const remote = join(world.dir, 'rsync-remote');
    const back = join(world.dir, 'rsync-back');
    const up = await world.run('rsync', ['-a', '-e', sshCommand(), `${join(world.dir, 'tree')}/`, `host-1:${remote}/`]);
    assert.equal(up.code, 0, up.stderr);
    const down = await world.run('rsync', ['-a', '-e', sshCommand(), `host-1:${remote}/`, `${back}/`]);
    assert.equal(down.code, 0, down.stderr);
    for (const [name, digest] of treeDigests) {
      assert.deepEqual(await digestFile(join(remote, name)), digest, `${name} on host-1`);
      assert.deepEqual(await digestFile(join(back, name)), digest, `${name} back here`);
    }
    const names = await readdir(back, { recursive: true });
    assert.deepEqual(names.sort(), ['a', 'a/b', 'a/b/mid.bin', 'big.bin', 'empty.bin', 'one.bin']);
  });

  it('git clone and git push over ssh to a bare repository', async () => {
    const env = {
      GIT_SSH_COMMAND: sshCommand(),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Tunnel Test',
      GIT_AUTHOR_EMAIL: 'tunnel@test.invalid',
      GIT_COMMITTER_NAME: 'Tunnel Test',
      GIT_COMMITTER_EMAIL: 'tunnel@test.invalid',
    };
    const git = async (args: string[], cwd = world.dir): Promise<string> => {
      const result = await world.run('git', args, { env, cwd, timeoutMs: 60_000 });
      assert.equal(result.code, 0, `git ${args.join(' ')}:\n${result.stderr}`);
      return result.stdout.toString().trim();
    };
    const bare = join(world.dir, 'repo.git');
    await git(['init', '-q', '--bare', '--initial-branch=main', bare]);
    const first = join(world.dir, 'clone-1');
    await git(['clone', '-q', `host-1:${bare}`, first]);
    await copyFile(payload.path, join(first, 'payload.bin'));
    await git(['add', 'payload.bin'], first);
    await git(['commit', '-q', '-m', 'payload'], first);
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], first);
    const pushed = await git(['rev-parse', 'HEAD'], first);
    assert.equal(await git(['--git-dir', bare, 'rev-parse', 'refs/heads/main']), pushed);

    const second = join(world.dir, 'clone-2');
    await git(['clone', '-q', `host-1:${bare}`, second]);
    assert.equal(await git(['rev-parse', 'HEAD'], second), pushed);
    assert.deepEqual(await digestFile(join(second, 'payload.bin')), payload.digest);
  });
});

describe('forwarding and multiplexing', () => {
  it('ssh -L through host-1 to a loopback echo server: 2 MiB + 1 out and back', async () => {
    const port = await freePort();
    const forward = startSsh(world, ['-N', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:127.0.0.1:${echo.port}`, 'host-1'], {
      timeoutMs: 60_000,
    });
    const listening = (): Promise<true | undefined> =>
      new Promise((resolve) => {
        const probe = connect(port, '127.0.0.1');
        probe.once('connect', () => {
          probe.destroy();
          resolve(true);
        });
        probe.once('error', () => resolve(undefined));
      });
    await waitFor(listening, { timeoutMs: 15_000, what: () => `ssh -L never listened on ${port}:\n${forward.stderr()}` });
    const data = randomBytes(2 * MiB + 1);
    const received = await roundTrip(port, data);
    assert.deepEqual(digestOf(received), digestOf(data));
    forward.process.kill('SIGTERM');
    const exit = await forward.exited;
    assert.equal(exit.timedOut, false, forward.stderr());
  });

  it('ssh -W through host-1 to a loopback echo server: 2 MiB + 1 out and back', async () => {
    const data = randomBytes(2 * MiB + 1);
    const result = await world.ssh(['-W', `127.0.0.1:${echo.port}`, 'host-1'], { input: data });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(digestOf(result.stdout), digestOf(data));
  });

  it('ControlMaster: sessions multiplexed over one proxy, then ssh -O exit', async () => {
    await noProxiesLeft(world);
    const control = join(world.dir, 'control.sock');
    const master = startSsh(world, ['-M', '-S', control, '-N', '-o', 'ControlPersist=no', 'host-1'], { timeoutMs: 60_000 });
    const check = async (): Promise<true | undefined> => ((await world.ssh(['-S', control, '-O', 'check', 'host-1'])).code === 0 ? true : undefined);
    await waitFor(check, { timeoutMs: 15_000, what: () => `the master never answered -O check:\n${master.stderr()}` });
    const sessions = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => world.ssh(['-S', control, '-o', 'ControlMaster=no', 'host-1', `echo mux-${i}; exit ${i}`])),
    );
    sessions.forEach((result, index) => {
      assert.equal(result.stdout.toString(), `mux-${index + 1}\n`, result.stderr);
      assert.equal(result.code, index + 1, result.stderr);
    });
    assert.equal(proxyPids(world).length, 1, 'the sessions should share the master’s one proxy');
    const stop = await world.ssh(['-S', control, '-O', 'exit', 'host-1']);
    assert.equal(stop.code, 0, stop.stderr);
    // the master's own status after -O exit is 255, with the seed recipe too
    const exit = await master.exited;
    assert.equal(exit.timedOut, false, master.stderr());
    await noProxiesLeft(world);
  });
});

describe('many sessions', () => {
  it('20 sessions in parallel, each with its own output and exit status', { timeout: 120_000 }, async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => world.ssh(['host-1', `echo session-${i}; exit ${i % 7}`], { timeoutMs: 90_000 })),
    );
    results.forEach((result, i) => {
      assert.equal(result.stdout.toString(), `session-${i}\n`, result.stderr);
      assert.equal(result.code, i % 7, result.stderr);
    });
    await noProxiesLeft(world);
  });
});
