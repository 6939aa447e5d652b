import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { type ExpandContext, expandPath, jumpConfigFrom, parseJumpSpec, parseSshG, sshGArgs } from '../../src/jump/jump.js';

const ctx: ExpandContext = { home: '/home/me', localUser: 'me', uid: 1000, localHostName: 'laptop.lan', env: { SSH_AUTH_SOCK: '/run/agent.sock', KEYS: '/keys' } };

describe('parseJumpSpec', () => {
  const cases: Array<[string, object]> = [
    ['jump', { host: 'jump' }],
    ['jump.example.com', { host: 'jump.example.com' }],
    ['host@jump.example.com', { host: 'jump.example.com', user: 'host' }],
    ['jump.example.com:2222', { host: 'jump.example.com', port: 2222 }],
    ['me@10.0.0.1:22', { host: '10.0.0.1', user: 'me', port: 22 }],
    ['[::1]:2222', { host: '::1', port: 2222 }],
    ['me@[fe80::1%eth0]', { host: 'fe80::1%eth0', user: 'me' }],
  ];
  for (const [text, spec] of cases) test(`parses ${text}`, () => assert.deepEqual(parseJumpSpec(text), spec));

  const bad = ['', '-oProxyCommand=x', 'me@-jump', '-l@jump', 'jump:0', 'jump:70000', 'jump:port', 'a b', 'jump\n', 'a@b@c', 'jump:22:22'];
  // Shell metacharacters without whitespace: refused before `ssh -G` or anything else runs.
  const shellish = [
    'x$(touch M)', 'x`touch M`', 'x;touch', 'x|cat', 'x&', 'x&&y', "x'y", 'x"y', 'x<y', 'x>y', 'x\\y', 'x$HOME', 'x${HOME}',
    'x%h', 'x*', 'x?', 'x!', 'x#', 'x~', 'x(y)', 'x{y}', 'x=y', 'x,y', 'x+y', 'x/y', 'u$(id)@jump', 'u;x@jump', "u'@jump", 'u`id`@jump',
    '[::1;id]', '[::1$(id)]', '[::1]:22;x', 'x\ty', 'jump%', 'j^mp', 'x\u00e9',
  ];
  for (const text of shellish) {
    test(`refuses ${JSON.stringify(text)} before anything runs`, () =>
      assert.throws(() => parseJumpSpec(text), (e: unknown) => e instanceof TunnelError && e.code === 'usage' && e.message.includes('--jump')));
  }
  for (const text of bad) {
    test(`refuses ${JSON.stringify(text)}`, () =>
      assert.throws(() => parseJumpSpec(text), (e: unknown) => e instanceof TunnelError && e.code === 'usage' && e.message.includes('--jump')));
  }
});

describe('sshGArgs', () => {
  test('passes -F, user and port as options and the host after --', () => {
    assert.deepEqual(sshGArgs({ host: 'j', user: 'u', port: 2 }, '/cfg'), ['-G', '-F', '/cfg', '-l', 'u', '-p', '2', '--', 'j']);
    assert.deepEqual(sshGArgs({ host: 'j' }), ['-G', '--', 'j']);
  });
});

describe('expandPath', () => {
  const jump = { hostName: 'jump.example.com', port: 2222, user: 'host', name: 'jump' };
  const cases: Array<[string, string]> = [
    ['~/.ssh/id_ed25519', '/home/me/.ssh/id_ed25519'],
    ['~', '/home/me'],
    ['/x/~/y', '/x/~/y'],
    ['%d/.ssh/id_%r', '/home/me/.ssh/id_host'],
    ['~/.ssh/%h_%p_%n_%u_%i_%l_%L_%%', '/home/me/.ssh/jump.example.com_2222_jump_me_1000_laptop.lan_laptop_%'],
    ['${KEYS}/k', '/keys/k'],
    ['%z', '%z'],
  ];
  for (const [input, expected] of cases) test(`${input} → ${expected}`, () => assert.equal(expandPath(input, jump, ctx), expected));
});

describe('jumpConfigFrom real ssh -G output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-jump-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config');
  writeFileSync(
    config,
    [
      'Host jump',
      '  HostName 127.0.0.1',
      '  Port 2222',
      '  User host',
      '  IdentityFile ~/.ssh/jump_%r',
      '  IdentityFile /keys/second',
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${dir}/kh1 ${dir}/kh2`,
      '  StrictHostKeyChecking accept-new',
      '  HashKnownHosts yes',
      '  HostKeyAlias jumpalias',
      '  ConnectTimeout 7',
      '  ServerAliveInterval 5',
      '  ServerAliveCountMax 2',
      '  BatchMode yes',
      'Host *',
      '  User nobody-else',
      '',
    ].join('\n'),
  );
  const run = (args: string[]): string => execFileSync('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

  test('reads every option the proxy acts on', () => {
    const jump = jumpConfigFrom(parseSshG(run(sshGArgs(parseJumpSpec('jump'), config))), 'jump', ctx);
    assert.equal(jump.hostName, '127.0.0.1');
    assert.equal(jump.port, 2222);
    assert.equal(jump.user, 'host');
    assert.deepEqual(jump.identityFiles, ['/home/me/.ssh/jump_host', '/keys/second']);
    assert.equal(jump.identitiesOnly, true);
    assert.equal(jump.identityAgent, undefined);
    assert.deepEqual(jump.userKnownHostsFiles, [`${dir}/kh1`, `${dir}/kh2`]);
    assert.equal(jump.strictHostKeyChecking, 'accept-new');
    assert.equal(jump.hashKnownHosts, true);
    assert.equal(jump.hostKeyAlias, 'jumpalias');
    assert.equal(jump.connectTimeoutSeconds, 7);
    assert.equal(jump.serverAliveIntervalSeconds, 5);
    assert.equal(jump.serverAliveCountMax, 2);
    assert.equal(jump.batchMode, true);
    assert.equal(jump.proxyCommand, undefined);
    assert.equal(jump.proxyJump, undefined);
    assert.equal(jump.checkHostIp, false);
    assert.deepEqual(jump.revokedHostKeys, []);
    assert.equal(jump.knownHostsCommand, undefined);
    assert.ok(jump.algorithms.hostKey.includes('ssh-ed25519') && jump.algorithms.kex.length > 0 && jump.algorithms.cipher.length > 0 && jump.algorithms.mac.length > 0);
  });

  test('none means no file, never a file named "none"; RevokedHostKeys, KnownHostsCommand, CheckHostIP, algorithms', () => {
    const out = run([
      '-G', '-F', config, '-o', 'UserKnownHostsFile=none', '-o', 'GlobalKnownHostsFile=none', '-o', 'RevokedHostKeys=/etc/revoked', '-o', 'KnownHostsCommand=/bin/kh %H %t',
      '-o', 'CheckHostIP=yes', '-o', 'HostKeyAlgorithms=rsa-sha2-512,rsa-sha2-256', '-o', 'KexAlgorithms=-sntrup761x25519-sha512@openssh.com', 'jump',
    ]);
    const jump = jumpConfigFrom(parseSshG(out), 'jump', ctx);
    assert.deepEqual(jump.userKnownHostsFiles, []);
    assert.deepEqual(jump.globalKnownHostsFiles, []);
    assert.deepEqual(jump.revokedHostKeys, ['/etc/revoked']);
    assert.equal(jump.knownHostsCommand, '/bin/kh %H %t');
    assert.equal(jump.checkHostIp, true);
    assert.deepEqual(jump.algorithms.hostKey, ['rsa-sha2-512', 'rsa-sha2-256']);
    assert.equal(jump.algorithms.kex.includes('sntrup761x25519-sha512@openssh.com'), false);
  });

  test('user@host:port on the command line wins over the file, as with ssh', () => {
    const jump = jumpConfigFrom(parseSshG(run(sshGArgs(parseJumpSpec('admin@jump:2200'), config))), 'jump', ctx);
    assert.equal(jump.user, 'admin');
    assert.equal(jump.port, 2200);
    assert.equal(jump.hostName, '127.0.0.1');
  });

  test('defaults: agent from SSH_AUTH_SOCK, ask, no timeout, no keepalive', () => {
    const jump = jumpConfigFrom(parseSshG(run(sshGArgs(parseJumpSpec('other.example.com'), config))), 'other.example.com', ctx);
    assert.equal(jump.identityAgent, '/run/agent.sock');
    assert.equal(jump.strictHostKeyChecking, 'ask');
    assert.equal(jump.connectTimeoutSeconds, undefined);
    assert.equal(jump.serverAliveIntervalSeconds, 0);
    assert.equal(jump.user, 'nobody-else');
    assert.equal(jump.port, 22);
  });
});
