import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
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
let spareFingerprint: string;
/** ssh-agent sockets holding only the named key. */
let agentWithSpare: string;
let agentWithClient: string;
let agentWithPassphraseKey: string;

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
  spareFingerprint = await fingerprint(world, `${world.keys.spare.path}.pub`);
  agentWithSpare = await world.startAgent({ keys: [world.keys.spare] });
  agentWithClient = await world.startAgent({ keys: [world.keys.client] });
  agentWithPassphraseKey = await world.startAgent({ keys: [world.keys.passphrase] });
});

after(async () => {
  await stopAllProxies();
  await world?.close();
});

const authFailed = (why: string): RegExp =>
  new RegExp(`^tunnel-config: authentication to jump as ${escapeRegExp(world.user)} failed: ${why}\\n$`);
const rejected = (tried: string): string => `it accepted none of ${tried}: add your public key to ${escapeRegExp(world.user)}'s authorized_keys on the jump`;

/** The public keys the jump's sshd was asked about while `body` ran. */
async function keysOfferedDuring(body: () => Promise<void>): Promise<string> {
  const start = world.jump.log().length;
  await body();
  return [...world.jump.log().slice(start).matchAll(/publickey test pkalg \S+ pkblob \S+ (SHA256:\S+)/g)].map((m) => m[1]).join(' ');
}

describe('auth failed: exit 5', () => {
  test('a key the jump does not authorize', async () => {
    const config = writeProxyConfig(world, 'ssh_config_spare', { identityFile: world.keys.spare.path });
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, { code: 5, stderr: authFailed(rejected(escapeRegExp(world.keys.spare.path))), withinMs: 3000 });
    const ssh = await world.ssh(['jump', 'true'], { configPath: config, timeoutMs: 15_000 });
    assert.equal(ssh.code, 255, describeRun(ssh));
    assert.match(ssh.stderr, /Permission denied \(publickey\)/);
    const viaSsh = await world.ssh(['host-1', 'true'], { configPath: config, timeoutMs: 15_000 });
    assertSshSurfaces(viaSsh, /^tunnel-config: authentication to jump as \S+ failed: it accepted none of \S+\/spare: add your public key/m);
  });

  test('the message names the agent too when its keys were tried', async () => {
    const config = writeProxyConfig(world, 'ssh_config_spare_agent', {
      identityFile: world.keys.spare.path,
      jump: [`IdentityAgent ${agentWithSpare}`, 'IdentitiesOnly no'],
    });
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, { code: 5, stderr: authFailed(rejected(`the agent's keys, ${escapeRegExp(world.keys.spare.path)}`)), withinMs: 3000 });
  });

  test('a passphrase-protected IdentityFile with no agent and no terminal', async () => {
    const path = world.keys.passphrase.path;
    const config = writeProxyConfig(world, 'ssh_config_locked', { identityFile: path, jump: ['BatchMode no'] });
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, {
      code: 5,
      stderr: authFailed(
        `${escapeRegExp(path)} is passphrase-protected and there was no terminal to ask for its passphrase: add it to your agent with \`ssh-add ${escapeRegExp(path)}\``,
      ),
      withinMs: 3000,
    });
    const viaSsh = await world.ssh(['host-1', 'true'], { configPath: config, timeoutMs: 15_000 });
    assertSshSurfaces(viaSsh, /^tunnel-config: authentication to jump .* add it to your agent with `ssh-add \S+`$/m);
  });

  test('IdentitiesOnly yes hides the agent\'s authorized key when IdentityFile names another', async () => {
    const config = writeProxyConfig(world, 'ssh_config_only_spare', {
      identityFile: world.keys.spare.path,
      jump: [`IdentityAgent ${agentWithClient}`],
    });
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, { code: 5, stderr: /^tunnel-config: authentication to jump as \S+ failed: it accepted none of the agent's keys, \S+\/spare: add your public key to \S+ authorized_keys on the jump\n$/, withinMs: 3000 });
    // ssh with the same config fails the same way
    const ssh = await world.ssh(['jump', 'true'], { configPath: config, timeoutMs: 15_000 });
    assert.equal(ssh.code, 255, describeRun(ssh));
  });
});

describe('auth succeeds like ssh', () => {
  test('IdentitiesOnly yes: the agent\'s unauthorized key is never offered, the IdentityFile logs in', async () => {
    const config = writeProxyConfig(world, 'ssh_config_identities_only', { jump: [`IdentityAgent ${agentWithSpare}`] });
    const offered = await keysOfferedDuring(async () => {
      assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1')));
    });
    assert.ok(!offered.includes(spareFingerprint), `the agent's spare key was offered: ${offered}`);

    // without IdentitiesOnly the agent's key goes first, as with ssh
    const loose = writeProxyConfig(world, 'ssh_config_identities_loose', { jump: [`IdentityAgent ${agentWithSpare}`, 'IdentitiesOnly no'] });
    const offeredLoose = await keysOfferedDuring(async () => {
      assertConnected(await connectProxy(world, proxyArgs(world, loose, 'host-1')));
    });
    assert.ok(offeredLoose.startsWith(spareFingerprint), `expected the spare key first: ${offeredLoose}`);
  });

  test('agent only: no IdentityFile on disk, the agent holds the authorized key', async () => {
    const config = writeProxyConfig(world, 'ssh_config_agent_only', {
      identityFile: world.nonexistent,
      jump: [`IdentityAgent ${agentWithClient}`, 'IdentitiesOnly no'],
    });
    assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1')));
  });

  test('agent only, found through SSH_AUTH_SOCK', async () => {
    const config = writeProxyConfig(world, 'ssh_config_auth_sock', {
      identityFile: world.nonexistent,
      jump: ['IdentityAgent SSH_AUTH_SOCK', 'IdentitiesOnly no'],
    });
    assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1'), { env: { SSH_AUTH_SOCK: agentWithClient } }));
    // and without the variable there is nothing to log in with
    const result = await runProxy(world, proxyArgs(world, config, 'host-1'));
    assertFailure(result, { code: 5, stderr: authFailed('there was no key to offer \\(no IdentityFile exists and no agent is set\\): set IdentityFile for jump or start ssh-agent'), withinMs: 3000 });
  });

  test('the passphrase-protected IdentityFile, unlocked in the agent', async () => {
    const config = writeProxyConfig(world, 'ssh_config_unlocked', {
      identityFile: world.keys.passphrase.path,
      jump: [`IdentityAgent ${agentWithPassphraseKey}`, 'BatchMode no'],
    });
    assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1')));
  });
});

describe('IdentityFile key types', () => {
  for (const type of ['ecdsa', 'rsa', 'ed25519'] as const) {
    test(`a ${type} key logs in`, async () => {
      const path = join(world.dir, `client-${type}`);
      const made = await world.run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `client-${type}`, '-f', path]);
      assert.equal(made.code, 0, made.stderr);
      const publicKey = readFileSync(`${path}.pub`, 'utf8');
      const before = readFileSync(world.jumpAuthorizedKeys, 'utf8');
      writeFileSync(world.jumpAuthorizedKeys, `${before}${publicKey}`);
      try {
        const config = writeProxyConfig(world, `ssh_config_${type}`, { identityFile: path });
        assertConnected(await connectProxy(world, proxyArgs(world, config, 'host-1')));
      } finally {
        writeFileSync(world.jumpAuthorizedKeys, before);
      }
    });
  }
});
