import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { isKrl, parseRevokedKeyList } from '../../src/ssh/revoked-keys.js';

const fixtureDir = fileURLToPath(new URL('../../../fixtures/knownhosts/', import.meta.url));
const pub = (name: string): string => readFileSync(join(fixtureDir, `${name}.pub`), 'utf8').trim();
const blob = (name: string): Buffer => Buffer.from(pub(name).split(' ')[1] ?? '', 'base64');

describe('parseRevokedKeyList', () => {
  test('keys, comments, blank lines, leading blanks, CRLF', () => {
    const text = `# revoked\n\n  ${pub('revoked_ed25519')}\r\n\t${pub('jump_rsa')}\n`;
    assert.deepEqual(parseRevokedKeyList(text), { keys: [blob('revoked_ed25519'), blob('jump_rsa')] });
  });
  test('an empty file revokes nothing', () => assert.deepEqual(parseRevokedKeyList(''), { keys: [] }));
  const bad: Array<[string, string, number]> = [
    ['garbage', 'not a key\n', 1],
    ['a truncated key', `${pub('jump_ed25519').slice(0, 60)}\n`, 1],
    ['a type that does not match the blob', `ssh-rsa ${pub('jump_ed25519').split(' ')[1]}\n`, 1],
    ['options before the key', `# ok\nrestrict ${pub('jump_ed25519')}\n`, 2],
  ];
  for (const [name, text, line] of bad) test(`${name}: reported, so the check refuses`, () => assert.deepEqual(parseRevokedKeyList(text), { badLine: line }));
});

describe('isKrl', () => {
  test('the KRL magic', () => {
    assert.equal(isKrl(Buffer.from('SSHKRL\n\0\0\0\0\x01', 'latin1')), true);
    assert.equal(isKrl(Buffer.from(pub('jump_ed25519'))), false);
    assert.equal(isKrl(Buffer.alloc(0)), false);
  });
});
