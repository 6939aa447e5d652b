import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { keyTypeOfAlgorithm, type LibraryAlgorithms, offeredAlgorithms, orderHostKeyAlgorithms, ordersByKnownHosts } from '../../src/ssh/algorithms.js';

const library: LibraryAlgorithms = {
  supported: {
    hostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-dss'],
    kex: ['curve25519-sha256', 'ecdh-sha2-nistp256', 'diffie-hellman-group14-sha256', 'diffie-hellman-group14-sha1'],
    cipher: ['aes128-gcm@openssh.com', 'aes128-ctr', 'chacha20-poly1305@openssh.com', 'aes128-cbc'],
    mac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha1', 'hmac-md5'],
  },
  preferred: {
    hostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
    kex: ['curve25519-sha256', 'ecdh-sha2-nistp256', 'diffie-hellman-group14-sha256'],
    cipher: ['aes128-gcm@openssh.com', 'aes128-ctr', 'chacha20-poly1305@openssh.com'],
    mac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha1'],
  },
};

const ssh9 = {
  hostKey: ['ssh-ed25519-cert-v01@openssh.com', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'sk-ssh-ed25519@openssh.com', 'rsa-sha2-512', 'rsa-sha2-256'],
  kex: ['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'diffie-hellman-group14-sha256'],
  cipher: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes128-gcm@openssh.com'],
  mac: ['umac-64-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha1'],
};

describe('offeredAlgorithms', () => {
  test("only what ssh would offer and the library supports; the library's order for kex, ciphers, MACs", () => {
    assert.deepEqual(offeredAlgorithms(ssh9, library, [], 'jump'), {
      hostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256'],
      kex: ['curve25519-sha256', 'diffie-hellman-group14-sha256'],
      cipher: ['aes128-gcm@openssh.com', 'aes128-ctr', 'chacha20-poly1305@openssh.com'],
      mac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha1'],
    });
  });

  test('SHA-1 ssh-rsa is never offered unless ssh would offer it', () => {
    assert.equal(offeredAlgorithms(ssh9, library, [], 'jump').hostKey.includes('ssh-rsa'), false);
    assert.ok(offeredAlgorithms({ ...ssh9, hostKey: [...ssh9.hostKey, 'ssh-rsa'] }, library, ['ssh-rsa'], 'jump').hostKey.includes('ssh-rsa'));
  });

  test("known key types come first, as ssh orders them, when the first algorithm's type is not known", () => {
    assert.deepEqual(offeredAlgorithms(ssh9, library, ['ecdsa-sha2-nistp256'], 'jump').hostKey, ['ecdsa-sha2-nistp256', 'ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256']);
  });

  test("the list as it is when the first algorithm's type is known (the certificate's plain type counts)", () => {
    assert.deepEqual(offeredAlgorithms(ssh9, library, ['ssh-ed25519', 'ssh-rsa'], 'jump').hostKey, ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256']);
  });

  test('an explicit or ^ list is offered as configured, whatever is known (so the jump presents what it presents to ssh)', () => {
    const rsaFirst = { ...ssh9, hostKey: ['rsa-sha2-512', 'ssh-ed25519'] };
    assert.deepEqual(offeredAlgorithms(rsaFirst, library, ['ssh-ed25519'], 'jump', false).hostKey, ['rsa-sha2-512', 'ssh-ed25519']);
    assert.deepEqual(offeredAlgorithms(rsaFirst, library, ['ssh-ed25519'], 'jump', true).hostKey, ['ssh-ed25519', 'rsa-sha2-512']);
  });

  test('an empty list from ssh -G falls back to the library defaults', () => {
    assert.deepEqual(offeredAlgorithms({ hostKey: [], kex: [], cipher: [], mac: [] }, library, [], 'jump'), library.preferred);
  });

  for (const [kind, value] of [['kex', ['sntrup761x25519-sha512@openssh.com']], ['cipher', ['aes256-cbc-nope']], ['mac', ['umac-128@openssh.com']], ['hostKey', ['ssh-ed25519-cert-v01@openssh.com']]] as const) {
    test(`nothing usable in ${kind} is a usage error naming the option`, () => {
      assert.throws(
        () => offeredAlgorithms({ ...ssh9, [kind]: [...value] }, library, [], 'jump'),
        (error) => error instanceof TunnelError && error.code === 'usage' && /none of the \w+ ssh would use for jump/.test(error.message),
      );
    });
  }
});

describe('orderHostKeyAlgorithms and keyTypeOfAlgorithm', () => {
  test('rsa-sha2-* sign with ssh-rsa keys', () => {
    assert.equal(keyTypeOfAlgorithm('rsa-sha2-512'), 'ssh-rsa');
    assert.equal(keyTypeOfAlgorithm('ssh-ed25519'), 'ssh-ed25519');
  });
  test('certificates and sk keys name their plain type', () => {
    assert.equal(keyTypeOfAlgorithm('rsa-sha2-512-cert-v01@openssh.com'), 'ssh-rsa');
    assert.equal(keyTypeOfAlgorithm('ssh-ed25519-cert-v01@openssh.com'), 'ssh-ed25519');
    assert.equal(keyTypeOfAlgorithm('sk-ssh-ed25519-cert-v01@openssh.com'), 'sk-ssh-ed25519@openssh.com');
  });
  test('known types first, each group in configured order', () => {
    assert.deepEqual(orderHostKeyAlgorithms(['ssh-ed25519', 'rsa-sha2-512', 'ecdsa-sha2-nistp256', 'rsa-sha2-256'], ['ssh-rsa'], true), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519', 'ecdsa-sha2-nistp256']);
    assert.deepEqual(orderHostKeyAlgorithms(['ssh-ed25519', 'rsa-sha2-512'], ['ssh-rsa'], false), ['ssh-ed25519', 'rsa-sha2-512']);
  });
  test('ordersByKnownHosts: the default list, or the default with more appended (+), only', () => {
    const defaults = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512'];
    assert.equal(ordersByKnownHosts(defaults, defaults), true);
    assert.equal(ordersByKnownHosts([...defaults, 'ssh-rsa'], defaults), true);
    assert.equal(ordersByKnownHosts(['rsa-sha2-512', 'ssh-ed25519', 'ecdsa-sha2-nistp256'], defaults), false);
    assert.equal(ordersByKnownHosts(['ssh-ed25519', 'rsa-sha2-512'], defaults), false);
    assert.equal(ordersByKnownHosts(defaults, undefined), false);
  });
});

describe("ssh2's algorithm lists", () => {
  test('are where the connection reads them, and cover what OpenSSH 9 offers by default', () => {
    const constants = createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as Record<string, string[]>;
    for (const name of ['SUPPORTED_KEX', 'DEFAULT_KEX', 'SUPPORTED_SERVER_HOST_KEY', 'SUPPORTED_CIPHER', 'SUPPORTED_MAC', 'DEFAULT_CIPHER', 'DEFAULT_MAC', 'DEFAULT_SERVER_HOST_KEY']) {
      assert.ok(Array.isArray(constants[name]) && (constants[name]?.length ?? 0) > 0, name);
    }
    assert.ok(constants.SUPPORTED_KEX?.includes('curve25519-sha256'));
    assert.ok(constants.SUPPORTED_SERVER_HOST_KEY?.includes('rsa-sha2-512'));
  });
});
