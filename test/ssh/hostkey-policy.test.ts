import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TunnelError } from '../../src/errors.js';
import {
  parseStrictHostKeyChecking,
  renderAddedKeyMessage,
  renderAskPrompt,
  renderHostKeyMessage,
  type StrictHostKeyChecking,
} from '../../src/ssh/hostkey-policy.js';
import { decideJumpHostKey, type JumpHostKeyDecision } from '../../src/ssh/hostkey-decision.js';
import { checkHostKey, parseKnownHosts, type HostKeyCheck, type KnownHostEntry } from '../../src/ssh/knownhosts.js';

// Compiled to dist/test/proxy/, three levels below the repo root.
const fixtureDir = fileURLToPath(new URL('../../../fixtures/knownhosts/', import.meta.url));
const plainFile = join(fixtureDir, 'known_hosts');
const entries = parseKnownHosts(readFileSync(plainFile, 'utf8'), plainFile);
const hasSsh = spawnSync('ssh', ['-V']).error === undefined;

function keyOf(name: string): Buffer {
  return Buffer.from(readFileSync(join(fixtureDir, `${name}.pub`), 'utf8').split(' ')[1] ?? '', 'base64');
}

function entryAt(line: number): KnownHostEntry {
  const entry = entries.find((candidate) => candidate.line === line);
  assert.ok(entry, `fixture line ${line}`);
  return entry;
}

describe('parseStrictHostKeyChecking', () => {
  const cases: Array<[string, StrictHostKeyChecking]> = [
    ['yes', 'yes'],
    ['true', 'yes'],
    ['no', 'no'],
    ['false', 'no'],
    ['off', 'off'],
    ['ask', 'ask'],
    ['accept-new', 'accept-new'],
    ['Accept-New', 'accept-new'],
    [' YES ', 'yes'],
  ];
  for (const [value, strict] of cases) {
    test(`"${value}" → ${strict}`, () => {
      assert.equal(parseStrictHostKeyChecking(value), strict);
    });
  }

  for (const value of ['', 'maybe', 'accept', 'constructor']) {
    test(`"${value}" is a usage error`, () => {
      assert.throws(() => parseStrictHostKeyChecking(value), (error) => error instanceof TunnelError && error.code === 'usage');
    });
  }

  // What each ssh_config spelling comes back as from `ssh -G`, and what we make of that.
  const viaSshG: Array<[configured: string, normalised: StrictHostKeyChecking]> = [
    ['yes', 'yes'],
    ['no', 'no'],
    ['off', 'no'],
    ['ask', 'ask'],
    ['accept-new', 'accept-new'],
  ];
  test('reads what ssh -G prints', { skip: !hasSsh && 'ssh not installed' }, () => {
    for (const [configured, normalised] of viaSshG) {
      const result = spawnSync('ssh', ['-F', '/dev/null', '-G', '-o', `StrictHostKeyChecking=${configured}`, 'jump.example.com'], {
        encoding: 'utf8',
      });
      const printed = /^stricthostkeychecking (\S+)$/m.exec(result.stdout)?.[1];
      assert.ok(printed !== undefined, `ssh -G printed no stricthostkeychecking for ${configured}`);
      assert.equal(parseStrictHostKeyChecking(printed), normalised, `${configured} printed as ${printed}`);
    }
  });
});

describe('decideJumpHostKey on one known_hosts check (no CheckHostIP)', () => {
  const ok: HostKeyCheck = { status: 'ok', entry: entryAt(2) };
  const revoked: HostKeyCheck = { status: 'revoked', entry: entryAt(10) };
  const changed: HostKeyCheck = { status: 'changed', entries: [entryAt(2)] };
  const unknown: HostKeyCheck = { status: 'unknown' };
  const accept: JumpHostKeyDecision = { action: 'accept', record: [] };
  const append: JumpHostKeyDecision = { action: 'accept', record: ['host'] };

  const cases: Array<[HostKeyCheck, StrictHostKeyChecking, JumpHostKeyDecision]> = [
    [ok, 'yes', accept],
    [ok, 'ask', accept],
    [ok, 'accept-new', accept],
    [ok, 'no', accept],
    [ok, 'off', accept],
    [unknown, 'yes', { action: 'refuse', reason: 'unknown' }],
    [unknown, 'ask', { action: 'ask', record: ['host'] }],
    [unknown, 'accept-new', append],
    // Product rule: no/off never accept a key without recording it; they behave like accept-new.
    [unknown, 'no', append],
    [unknown, 'off', append],
  ];
  for (const strict of ['yes', 'ask', 'accept-new', 'no', 'off'] as const) {
    cases.push([changed, strict, { action: 'refuse', reason: 'changed' }]);
    cases.push([revoked, strict, { action: 'refuse', reason: 'revoked' }]);
  }

  for (const [check, strict, decision] of cases) {
    test(`${check.status} key with StrictHostKeyChecking ${strict} → ${decision.action}${'reason' in decision ? ` (${decision.reason})` : ''}`, () => {
      assert.deepEqual(decideJumpHostKey({ host: check, recordable: true }, strict), decision);
    });
  }
});

describe('host key messages', () => {
  const context = (name: string, key: string) => ({ name, key: keyOf(key), jumpHost: 'jump' });

  test('changed: OpenSSH banner, presented fingerprint, every offending line, the ssh-keygen -R fix', () => {
    const check = checkHostKey(entries, 'jump.example.com', keyOf('rotated_ed25519'));
    assert.equal(check.status, 'changed');
    if (check.status !== 'changed') return;
    const lines = renderHostKeyMessage(check, context('jump.example.com', 'rotated_ed25519')).split('\n');
    assert.equal(lines[1], '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @');
    assert.ok(lines.includes('The fingerprint for the ED25519 key sent by the remote host is'));
    assert.ok(lines.includes('SHA256:0n6MoLXDqAaGktlTLy7t81P3MhtDQJAHGKFjSSchSZg.'));
    assert.ok(lines.includes(`Offending ED25519 key in ${plainFile}:2`));
    assert.ok(lines.includes(`Offending ECDSA key in ${plainFile}:3`));
    assert.equal(lines.filter((line) => line.includes('ssh-keygen -f')).length, 1);
    assert.ok(lines.includes(`  ssh-keygen -f '${plainFile}' -R 'jump.example.com'`));
  });

  test('changed: the fix quotes a [host]:port name and a path with a quote for the shell', () => {
    const entry: KnownHostEntry = { ...entryAt(4), file: "/home/o'neil/.ssh/known_hosts" };
    const message = renderHostKeyMessage({ status: 'changed', entries: [entry] }, context('[jump.example.com]:2222', 'jump_ed25519'));
    assert.ok(message.includes(`ssh-keygen -f '/home/o'\\''neil/.ssh/known_hosts' -R '[jump.example.com]:2222'`), message);
  });

  test('revoked: names the fingerprint and the @revoked line', () => {
    const check = checkHostKey(entries, 'jump.example.com', keyOf('revoked_ed25519'));
    assert.equal(check.status, 'revoked');
    if (check.status !== 'revoked') return;
    assert.equal(
      renderHostKeyMessage(check, context('jump.example.com', 'revoked_ed25519')),
      `the host key for jump.example.com (SHA256:TD1fWZdrgRE7psyOyv/rdj0HDyh2aiDRRBjjQB/GFtw) is marked @revoked in ${plainFile}:10`,
    );
  });

  test('unknown under yes: names key type, fingerprint and both fixes', () => {
    const message = renderHostKeyMessage({ status: 'unknown' }, context('[new.example.org]:2222', 'jump_ecdsa256'));
    assert.match(message, /^no ECDSA host key is known for \[new\.example\.org\]:2222 \(SHA256:nAN1KqUlgPMVqPihSephdpyMfnc3uE06xBA3FN97GFI\)/);
    assert.ok(message.includes('`ssh jump`'), message);
    assert.ok(message.includes('StrictHostKeyChecking accept-new'), message);
    assert.ok(!message.includes('\n'));
  });

  test('added and ask texts follow OpenSSH wording', () => {
    assert.equal(
      renderAddedKeyMessage(context('jump.example.com', 'jump_rsa'), '/h/.ssh/known_hosts'),
      "Warning: Permanently added 'jump.example.com' (RSA) to the list of known hosts in /h/.ssh/known_hosts.",
    );
    assert.equal(
      renderAskPrompt(context('jump.example.com', 'jump_ed25519')),
      "The authenticity of host 'jump.example.com' can't be established.\n" +
        'ED25519 key fingerprint is SHA256:Z8E9pfZkx40kMITqQ8h8RUo/unlDafnbcu/t3w3Ytr8.\n' +
        'Are you sure you want to continue connecting (yes/no/[fingerprint])? ',
    );
  });
});
