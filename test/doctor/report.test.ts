import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeKnownKey } from '../../src/doctor/known-key.js';
import { type DoctorStep, concludeReport, fail, failsOver, pass, renderDoctor, splitFix, unsure } from '../../src/doctor/steps.js';
import { judgeSocket } from '../../src/doctor/walk-socket.js';
import { fingerprintSha256, parseKnownHosts } from '../../src/ssh/knownhosts.js';

// Two made-up ED25519 public keys: a 51-byte blob each.
const blob = (fill: number): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, fill)]);
const key = blob(1);
const other = blob(2);
const line = (name: string, k: Buffer, marker = ''): string => `${marker}${name} ssh-ed25519 ${k.toString('base64')}`;
const entries = (text: string) => parseKnownHosts(text, '/kh');

test('a host key against known_hosts: matched, changed, revoked, unknown (and when ssh records it unasked)', () => {
  const facts = { name: 'host-1', key, files: ['/kh'], sshCommand: 'ssh host-1', strict: 'ask' };
  const ok = judgeKnownKey({ ...facts, check: { status: 'ok', entry: entries(line('host-1', key))[0]! } });
  assert.deepEqual(ok, { ok: true, detail: `ED25519 key ${fingerprintSha256(key)} of host-1 matches /kh:1` });
  const changed = judgeKnownKey({ ...facts, check: { status: 'changed', entries: entries(`# x\n${line('host-1', other)}`) } });
  assert.equal(changed.ok, false);
  assert.equal(changed.detail, `ED25519 key ${fingerprintSha256(key)} presented for host-1 is not the key known for it (/kh:2): the host key changed, or someone is in between`);
  assert.match(changed.fix ?? '', /only then remove the old one with `ssh-keygen -R 'host-1' -f \/kh` and run `ssh host-1` to record the new one$/);
  const revoked = judgeKnownKey({ ...facts, check: { status: 'revoked', entry: entries(line('*', key, '@revoked '))[0]! } });
  assert.deepEqual([revoked.ok, revoked.detail], [false, `ED25519 key ${fingerprintSha256(key)} of host-1 is marked @revoked in /kh:1`]);
  const unknown = judgeKnownKey({ ...facts, check: { status: 'unknown' } });
  assert.deepEqual(unknown, {
    ok: false,
    detail: `no key is known for host-1 in /kh; it presents ED25519 key ${fingerprintSha256(key)}`,
    fix: `check that fingerprint with the host's administrator, then add \`${line('host-1', key)}\` to /kh (doctor never writes known_hosts)`,
  });
  const acceptNew = judgeKnownKey({ ...facts, strict: 'accept-new', check: { status: 'unknown' } });
  assert.deepEqual(acceptNew, { ok: true, detail: `ED25519 key ${fingerprintSha256(key)} of host-1 is not in known_hosts yet; ssh records it on the first connect (StrictHostKeyChecking accept-new)` });
});

test('the socket: live with its banner, silent (status 10), not connected (status 6) told by what SFTP saw', () => {
  assert.deepEqual(judgeSocket({ state: 'live', banner: 'SSH-2.0-OpenSSH_9.6', ms: 4 }, 'unknown', '/s/pi.sock', 'pi', 'gw'), pass('socket', '/s/pi.sock answers SSH-2.0-OpenSSH_9.6 (4 ms)', 'gw'));
  const silent = judgeSocket({ state: 'silent', ms: 3, detail: 'closed without a byte' }, 'unknown', '/s/pi.sock', 'pi', 'gw');
  assert.deepEqual([silent.ok, silent.exitCode, silent.detail], [false, 10, "pi's tunnel is up on gw, but nothing answered behind it (closed without a byte)"]);
  const why = (file: 'missing' | 'socket' | 'other' | 'unknown'): string => judgeSocket({ state: 'stale', ms: 1 }, file, '/s/pi.sock', 'pi', 'gw').detail;
  assert.deepEqual(
    [why('missing'), why('socket'), why('other'), why('unknown')],
    [
      'pi is not connected: there is no /s/pi.sock on gw',
      'pi is not connected: /s/pi.sock is left over on gw: nothing listens on it',
      'pi is not connected: /s/pi.sock on gw is not a socket',
      'pi is not connected: nothing is listening on /s/pi.sock on gw',
    ],
  );
  assert.equal(judgeSocket({ state: 'stale', ms: 1 }, 'missing', '/s/pi.sock', 'pi', 'gw').exitCode, 6);
});

test('the verdict: through the first jump that gets through, status 0 only when every step passed; else the failure that stops the proxy', () => {
  const through = (jump: string): DoctorStep[] => ['jump', 'auth', 'socket', 'host-key'].map((step) => pass(step as DoctorStep['step'], 'fine', jump));
  const common = [pass('ssh', 'OpenSSH_9.6'), pass('config', 'ours')];
  const down = [pass('jump', 'a is x', 'a'), fail('tcp', 'connection refused', 'start it', 3, 'a')];
  const verdict = (steps: DoctorStep[]) => {
    const report = concludeReport('pi', steps);
    return [report.ok, report.exitCode, report.via];
  };
  // Reachable through b, but a is down: not every step passed, so a's status.
  assert.deepEqual(verdict([...common, ...down, ...through('b')]), [false, 3, 'b']);
  assert.deepEqual(verdict([...common, ...through('a'), ...down.map((step) => ({ ...step, jump: 'b' }))]), [false, 3, 'a']);
  assert.deepEqual(verdict([...common, ...through('a'), ...through('b')]), [true, 0, 'a']);
  // Every jump failed over: the first jump's status, as the proxy gives it.
  const offline = [...common, ...down, pass('jump', 'b', 'b'), unsure('stream-local', 'not told', 'b'), fail('socket', 'pi is not connected', 'start it', 6, 'b')];
  assert.deepEqual(verdict(offline), [false, 3, null]);
  // A jump's host key ends the proxy: its status, whatever came before.
  assert.deepEqual(verdict([...common, ...down, fail('jump-host-key', 'changed', 'verify', 4, 'b')]), [false, 4, null]);
  assert.deepEqual(verdict([...common.slice(0, 1), fail('config', 'not ours', 'edit', 2)]), [false, 2, null]);
  // A jump that stopped before the host key is no way through, even with no ✖.
  assert.deepEqual(verdict([...common, pass('jump', 'a', 'a')]).slice(0, 1), [false]);
  assert.deepEqual([failsOver(fail('socket', 'x', 'y', 6)), failsOver(fail('socket', 'x', 'y', 10)), failsOver(fail('auth', 'x', 'y', 5))], [true, false, true]);
});

test('rendering: ✔/✖/·, the fix under a failure, a heading per jump when there are several', () => {
  const one = concludeReport('pi', [pass('ssh', 'OpenSSH_9.6'), fail('config', 'not ours', 'edit it', 2)]);
  assert.equal(renderDoctor(one, 'ssh pi'), '✔ OpenSSH client: OpenSSH_9.6\n✖ ssh_config: not ours\n  fix: edit it\npi cannot be reached this way (status 2)\n');
  const two = concludeReport('pi', [pass('ssh', 'v'), pass('config', 'ours'), fail('tcp', 'refused', 'start it', 3, 'a'), unsure('stream-local', 'not told', 'b')]);
  assert.equal(
    renderDoctor(two, 'ssh pi'),
    '✔ OpenSSH client: v\n✔ ssh_config: ours\nthrough a:\n  ✖ TCP: refused\n    fix: start it\nthrough b:\n  · stream-local: not told\npi cannot be reached this way (status 3)\n',
  );
  const ok = concludeReport('pi', [pass('ssh', 'v'), pass('config', 'ours'), pass('host-key', 'matches', 'a')]);
  assert.equal(renderDoctor(ok, 'ssh -F /c pi'), '✔ OpenSSH client: v\n✔ ssh_config: ours\n✔ host key: matches\npi is reachable. Try it: ssh -F /c pi\n');
  const second = concludeReport('pi', [pass('ssh', 'v'), pass('config', 'ours'), fail('tcp', 'refused', 'start it', 3, 'a'), pass('host-key', 'matches', 'b')]);
  assert.match(renderDoctor(second, 'ssh pi'), /\npi is reachable through b, but not through every jump \(status 3\): fix the ✖ above\. Try it: ssh pi\n$/);
});

test('a one-line message split into what happened and what to do, at its last ": "', () => {
  assert.deepEqual(splitFix('connection refused by gw port 22: is its sshd running on that port?'), { detail: 'connection refused by gw port 22', fix: 'is its sshd running on that port?' });
  assert.deepEqual(splitFix('first line: do this\nmore'), { detail: 'first line', fix: 'do this' });
  assert.deepEqual(splitFix('no colon'), { detail: 'no colon', fix: 'see the line above' });
});
