import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkHostIpName, decideJumpHostKey, isRecordableHostName, type HostKeyFacts, type JumpHostKeyDecision } from '../../src/ssh/hostkey-decision.js';
import type { StrictHostKeyChecking } from '../../src/ssh/hostkey-policy.js';
import type { HostKeyCheck, KnownHostEntry } from '../../src/ssh/knownhosts.js';

const entry = (line: number, source?: 'command'): KnownHostEntry => ({
  file: 'kh',
  line,
  marker: null,
  hosts: 'h',
  keyType: 'ssh-ed25519',
  key: Buffer.alloc(1),
  ...(source ? { source } : {}),
});
const ok: HostKeyCheck = { status: 'ok', entry: entry(1) };
const okByCommand: HostKeyCheck = { status: 'ok', entry: entry(1, 'command') };
const changed: HostKeyCheck = { status: 'changed', entries: [entry(2)] };
const revoked: HostKeyCheck = { status: 'revoked', entry: { ...entry(3), marker: 'revoked' } };
const unknown: HostKeyCheck = { status: 'unknown' };
const ALL: StrictHostKeyChecking[] = ['yes', 'ask', 'accept-new', 'no', 'off'];

describe('decideJumpHostKey', () => {
  const cases: Array<[string, HostKeyFacts, StrictHostKeyChecking[], JumpHostKeyDecision]> = [
    ['known key', { host: ok, recordable: true }, ALL, { action: 'accept', record: [] }],
    ['known key, address unknown: the address is recorded (ssh does under every mode)', { host: ok, ip: unknown, recordable: true }, ALL, { action: 'accept', record: ['ip'] }],
    ['known key, address unknown, nothing to record into', { host: ok, ip: unknown, recordable: false }, ALL, { action: 'accept', record: [] }],
    ['key from KnownHostsCommand: nothing recorded', { host: okByCommand, ip: unknown, recordable: true }, ALL, { action: 'accept', record: [] }],
    ['known key, address has another key', { host: ok, ip: changed, recordable: true }, ALL, { action: 'refuse', reason: 'ip-changed' }],
    ['changed key', { host: changed, recordable: true }, ALL, { action: 'refuse', reason: 'changed' }],
    ['revoked key', { host: revoked, recordable: true }, ALL, { action: 'refuse', reason: 'revoked' }],
    ['revoked for the address', { host: ok, ip: revoked, recordable: true }, ALL, { action: 'refuse', reason: 'revoked' }],
    ['known under the bare host only', { host: unknown, bareHost: ok, recordable: true }, ALL, { action: 'accept', record: [] }],
    ['known under the bare host, address has another key', { host: unknown, bareHost: ok, ip: changed, recordable: true }, ALL, { action: 'refuse', reason: 'ip-changed' }],
    ['unknown, no file to record into', { host: unknown, recordable: false }, ALL, { action: 'refuse', reason: 'unrecordable' }],
    ['unknown under yes', { host: unknown, recordable: true }, ['yes'], { action: 'refuse', reason: 'unknown' }],
    ['unknown under ask', { host: unknown, recordable: true }, ['ask'], { action: 'ask', record: ['host'] }],
    ['unknown under accept-new/no/off', { host: unknown, recordable: true }, ['accept-new', 'no', 'off'], { action: 'accept', record: ['host'] }],
    ['unknown host and address', { host: unknown, ip: unknown, recordable: true }, ['accept-new'], { action: 'accept', record: ['host', 'ip'] }],
    ['unknown host and address under ask', { host: unknown, ip: unknown, recordable: true }, ['ask'], { action: 'ask', record: ['host', 'ip'] }],
  ];
  for (const [name, facts, modes, decision] of cases) {
    for (const strict of modes) {
      test(`${name} (${strict})`, () => assert.deepEqual(decideJumpHostKey(facts, strict), decision));
    }
  }
});

describe('checkHostIpName', () => {
  const cases: Array<[string, string | undefined, number, string | undefined]> = [
    ['jump.test', '192.0.2.1', 22, '192.0.2.1'],
    ['jump.test', '192.0.2.1', 2222, '[192.0.2.1]:2222'],
    ['jump.test', '::ffff:192.0.2.1', 22, '192.0.2.1'],
    ['jump.test', '2001:db8::1', 22, '2001:db8::1'],
    ['jump.test', '127.0.0.1', 22, undefined],
    ['jump.test', '127.1.2.3', 2222, undefined],
    ['jump.test', '::1', 22, undefined],
    ['192.0.2.1', '192.0.2.1', 22, undefined],
    // ssh compares the address with its port form against the bare HostName, so these still check.
    ['192.0.2.1', '192.0.2.1', 2222, '[192.0.2.1]:2222'],
    ['jump.test', undefined, 22, undefined],
  ];
  for (const [host, address, port, expected] of cases) {
    test(`${host} at ${String(address)}:${port} → ${String(expected)}`, () => assert.equal(checkHostIpName(host, address, port), expected));
  }
});

describe('isRecordableHostName', () => {
  for (const name of ['jump.example.com', '192.0.2.1', 'jump_1']) test(`${name} is recordable`, () => assert.equal(isRecordableHostName(name), true));
  for (const name of ['j*mp', 'j?', 'a@b', 'x#', '[x]', 'a|b', "a'b", 'a"b', 'a\\b']) {
    test(`${name} is not`, () => assert.equal(isRecordableHostName(name), false));
  }
});
