import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, type World } from '../world.js';
import {
  assertConnected,
  assertFailure,
  assertSshSurfaces,
  connectProxy,
  describeRun,
  escapeRegExp,
  fingerprint,
  proxyArgs,
  runProxy,
  stopAllProxies,
  writeProxyConfig,
} from './harness.js';

let world: World;
/** `[127.0.0.1]:PORT`, the name ssh and the proxy look the jump up under. */
let jumpName: string;
let ed25519Fingerprint: string;
let fileCount = 0;

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
  jumpName = `[127.0.0.1]:${world.jumpPort}`;
  ed25519Fingerprint = await fingerprint(world, `${world.keys.jumpHost.ed25519.path}.pub`);
});

after(async () => {
  await stopAllProxies();
  await world?.close();
});

/** A fresh known_hosts file holding `lines` (undefined: the file does not exist) and a config that uses it. */
function knownHostsSetup(lines: string[] | undefined, jump: string[] = []): { knownHosts: string; config: string } {
  fileCount += 1;
  const knownHosts = join(world.dir, `known_hosts_${fileCount}`);
  if (lines) writeFileSync(knownHosts, lines.map((line) => `${line}\n`).join(''));
  const config = writeProxyConfig(world, `ssh_config_hostkeys_${fileCount}`, { jump: [`UserKnownHostsFile ${knownHosts}`, ...jump] });
  return { knownHosts, config };
}

const key = (type: 'ed25519' | 'ecdsa' | 'rsa'): string => world.keys.jumpHost[type].publicKey;
const sshJump = (config: string) => world.ssh(['jump', 'true'], { configPath: config, timeoutMs: 15_000 });

describe('host key rejected: exit 4', () => {
  test('an unknown key under StrictHostKeyChecking yes', async () => {
    const { config } = knownHostsSetup([]);
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, {
      code: 4,
      stderr: new RegExp(
        `^tunnel-config: no ED25519 host key is known for ${escapeRegExp(jumpName)} \\(${escapeRegExp(ed25519Fingerprint)}\\) and StrictHostKeyChecking is yes; connect once with \`ssh jump\` to verify and record the key, or set StrictHostKeyChecking accept-new for it\\n$`,
      ),
      withinMs: 3000,
    });
    // ssh refuses the same known_hosts
    const ssh = await sshJump(config);
    assert.equal(ssh.code, 255, describeRun(ssh));
    assert.match(ssh.stderr, /No ED25519 host key is known for .* and you have requested strict checking\.\r?\nHost key verification failed\./);
  });

  test('a changed key: OpenSSH\'s warning with the real key\'s fingerprint', async () => {
    const { knownHosts, config } = knownHostsSetup([`${jumpName} ${world.keys.spare.publicKey}`]);
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, {
      code: 4,
      stderr: new RegExp(
        [
          '^tunnel-config: @+',
          '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
          '[^]*',
          'The fingerprint for the ED25519 key sent by the remote host is',
          `${escapeRegExp(ed25519Fingerprint)}\\.`,
          `Offending ED25519 key in ${escapeRegExp(knownHosts)}:1`,
          '  remove with:',
          `  ssh-keygen -f '${escapeRegExp(knownHosts)}' -R '${escapeRegExp(jumpName)}'`,
          `Host key for ${escapeRegExp(jumpName)} has changed and tunnel-config always refuses changed host keys\\.\\n$`,
        ].join('\\n'),
      ),
      withinMs: 3000,
      multiLine: true,
    });
    const ssh = await sshJump(config);
    assert.equal(ssh.code, 255, describeRun(ssh));
    assert.match(ssh.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
    assert.ok(ssh.stderr.includes(`${ed25519Fingerprint}.`), 'ssh names the same fingerprint');
    const viaSsh = await world.ssh(['host-1', 'true'], { configPath: config, timeoutMs: 15_000 });
    assertSshSurfaces(viaSsh, /^tunnel-config: @+\n@ +WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! +@$/m);
  });

  test('an @revoked line for the real key', async () => {
    // Stricter than ssh on purpose: ssh would skip to the ECDSA key here, the proxy refuses outright.
    const { knownHosts, config } = knownHostsSetup([`${jumpName} ${key('ed25519')}`, `@revoked ${jumpName} ${key('ed25519')}`]);
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, {
      code: 4,
      stderr: new RegExp(
        `^tunnel-config: the host key for ${escapeRegExp(jumpName)} \\(${escapeRegExp(ed25519Fingerprint)}\\) is marked @revoked in ${escapeRegExp(knownHosts)}:2\\n$`,
      ),
      withinMs: 3000,
    });
  });

  test('accept-new still refuses a changed key and leaves known_hosts alone', async () => {
    const lines = [`${jumpName} ${world.keys.spare.publicKey}`];
    const { knownHosts, config } = knownHostsSetup(lines, ['StrictHostKeyChecking accept-new']);
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, { code: 4, stderr: /REMOTE HOST IDENTIFICATION HAS CHANGED[^]*always refuses changed host keys\.\n$/, withinMs: 3000, multiLine: true });
    assert.equal(readFileSync(knownHosts, 'utf8'), `${lines[0]}\n`);
  });

  test('StrictHostKeyChecking no refuses a changed key too (ssh would connect)', async () => {
    const { config } = knownHostsSetup([`${jumpName} ${world.keys.spare.publicKey}`], ['StrictHostKeyChecking no']);
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, { code: 4, stderr: /REMOTE HOST IDENTIFICATION HAS CHANGED/, withinMs: 3000, multiLine: true });
  });

  test('StrictHostKeyChecking ask with no terminal', async () => {
    const { knownHosts, config } = knownHostsSetup(undefined, ['StrictHostKeyChecking ask', 'BatchMode no']);
    // startProxy runs it in a new session: no controlling tty, /dev/tty cannot be opened
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, {
      code: 4,
      stderr: new RegExp(
        `^tunnel-config: no host key is known for ${escapeRegExp(jumpName)} \\(${escapeRegExp(ed25519Fingerprint)}\\) and there is no terminal to ask; connect once with \`ssh jump\` to verify and record it\\n$`,
      ),
      withinMs: 3000,
    });
    assert.equal(existsSync(knownHosts), false, 'nothing was recorded');
    const ssh = await sshJump(config);
    assert.equal(ssh.code, 255, describeRun(ssh));
    assert.match(ssh.stderr, /Host key verification failed\./);
  });

  test('a key known only under another port', async () => {
    const { config } = knownHostsSetup([`[127.0.0.1]:${world.jumpPort + 1} ${key('ed25519')}`]);
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, { code: 4, stderr: /^tunnel-config: no ED25519 host key is known for \[127\.0\.0\.1\]:\d+ /, withinMs: 3000 });
  });
});

describe('host key accepted', () => {
  test('the [127.0.0.1]:PORT form', async () => {
    const { config } = knownHostsSetup([`${jumpName} ${key('ed25519')}`]);
    assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1')));
  });

  test('hashed entries (ssh-keygen -H)', async () => {
    const { knownHosts, config } = knownHostsSetup([`${jumpName} ${key('ed25519')}`, `${jumpName} ${key('ecdsa')}`]);
    const hashed = await world.run('ssh-keygen', ['-H', '-f', knownHosts], { timeoutMs: 10_000 });
    assert.equal(hashed.code, 0, describeRun(hashed));
    const text = readFileSync(knownHosts, 'utf8');
    assert.match(text, /^\|1\|[^ ]+ ssh-ed25519 /m);
    assert.ok(!text.includes('127.0.0.1'), `not hashed:\n${text}`);
    assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1')));
    const ssh = await sshJump(config);
    assert.equal(ssh.code, 0, describeRun(ssh));
  });

  test('HostKeyAlias: the key is looked up under the alias', async () => {
    const { config } = knownHostsSetup([`jump-alias ${key('ed25519')}`], ['HostKeyAlias jump-alias']);
    assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1')));
    assert.equal((await sshJump(config)).code, 0);

    // and only under the alias: the usual [127.0.0.1]:PORT entry no longer counts
    const { config: aliasOnly } = knownHostsSetup([`${jumpName} ${key('ed25519')}`], ['HostKeyAlias jump-alias']);
    const result = await runProxy(world, proxyArgs(world, aliasOnly, 'host-1'));
    assertFailure(result, { code: 4, stderr: /^tunnel-config: no ED25519 host key is known for jump-alias \(SHA256:/, withinMs: 3000 });
  });

  test('only an RSA key known while the jump also has ed25519: only RSA is offered', async () => {
    const { config } = knownHostsSetup([`${jumpName} ${key('rsa')}`]);
    const result = await connectProxy(world, proxyArgs(world, config, 'host-1', { extra: ['-v'] }));
    assertConnected(result);
    assert.match(result.stderr, /^debug: \[\d+ ms\] Handshake: Host key format: rsa-sha2-(256|512)$/m, 'negotiated an RSA signature');
    assert.equal((await sshJump(config)).code, 0);
  });
});

describe('accept-new records an unknown key', () => {
  for (const hashed of [false, true]) {
    test(hashed ? 'hashed, with HashKnownHosts yes' : 'in plain text', async () => {
      const { knownHosts, config } = knownHostsSetup(undefined, ['StrictHostKeyChecking accept-new', `HashKnownHosts ${hashed ? 'yes' : 'no'}`]);
      const first = await connectProxy(world, proxyArgs(world, config, 'host-1'));
      assertConnected(first);
      assert.equal(
        first.stderr,
        `Warning: Permanently added '${jumpName}' (ED25519) to the list of known hosts in ${knownHosts}.\n`,
        describeRun(first),
      );
      const recorded = readFileSync(knownHosts, 'utf8');
      const host = hashed ? '\\|1\\|[A-Za-z0-9+/=]{28}\\|[A-Za-z0-9+/=]{28}' : escapeRegExp(jumpName);
      assert.match(recorded, new RegExp(`^${host} ${escapeRegExp(key('ed25519'))}\\n$`));

      // ssh itself finds the line and accepts the key under strict checking
      const found = await world.run('ssh-keygen', ['-F', jumpName, '-f', knownHosts], { timeoutMs: 10_000 });
      assert.equal(found.code, 0, describeRun(found));
      const strict = writeProxyConfig(world, `${config}_strict`.slice(world.dir.length + 1), { jump: [`UserKnownHostsFile ${knownHosts}`] });
      assert.equal((await sshJump(strict)).code, 0);

      const second = await connectProxy(world, proxyArgs(world, config, 'host-1'));
      assertConnected(second);
      assert.equal(second.stderr, '', 'the second run adds nothing');
      assert.equal(readFileSync(knownHosts, 'utf8'), recorded);
    });
  }
});
