import { strict } from './known-hosts.js';
import { sshSays } from './matrix.js';
import type { Scenario } from './scenario.js';

const negotiation = (what: string): RegExp => new RegExp(`Unable to negotiate with [^\\n]*: no matching ${what} found\\. Their offer: `);
const changedRsa = /REMOTE HOST IDENTIFICATION HAS CHANGED![^]*The fingerprint for the RSA key sent by the remote host is[^]*Host key verification failed\./;
const changedEcdsa = /REMOTE HOST IDENTIFICATION HAS CHANGED![^]*The fingerprint for the ECDSA key sent by the remote host is[^]*Host key verification failed\./;

/** HostKeyAlgorithms, a SHA-1-only jump, and KexAlgorithms/Ciphers/MACs the server does not offer. */
export const algorithmScenarios: Scenario[] = [
  strict('HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256 with only ed25519 known · yes', {
    config: () => ['HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { refuses: changedRsa },
  }),
  strict('HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256 with only ed25519 known · accept-new', {
    strict: 'accept-new',
    config: () => ['HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { refuses: changedRsa },
  }),
  strict('HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256 with ed25519 and rsa known', {
    config: () => ['HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.name} ${c.key.rsa}`],
    ssh: { connects: true },
  }),
  strict('HostKeyAlgorithms -ssh-ed25519* with only ed25519 known', {
    config: () => ['HostKeyAlgorithms -ssh-ed25519*'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { refuses: changedEcdsa },
  }),
  strict('HostKeyAlgorithms -ssh-ed25519* with ed25519 and ecdsa known', {
    config: () => ['HostKeyAlgorithms -ssh-ed25519*'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.name} ${c.key.ecdsa}`],
    ssh: { connects: true },
  }),
  strict('HostKeyAlgorithms ^rsa-sha2-512 with only ed25519 known', {
    config: () => ['HostKeyAlgorithms ^rsa-sha2-512'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { refuses: changedRsa },
  }),
  strict('HostKeyAlgorithms ^rsa-sha2-512 with every key known', {
    config: () => ['HostKeyAlgorithms ^rsa-sha2-512'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.name} ${c.key.ecdsa}`, `${c.name} ${c.key.rsa}`],
    ssh: { connects: true },
  }),
  strict('HostKeyAlgorithms ^rsa-sha2-512, unknown key · accept-new records the rsa key', {
    strict: 'accept-new',
    config: () => ['HostKeyAlgorithms ^rsa-sha2-512'],
    knownHosts: () => [],
    ssh: { connects: true, records: (c) => [c.name] },
  }),
  strict('HostKeyAlgorithms +ssh-rsa with only rsa known', {
    config: () => ['HostKeyAlgorithms +ssh-rsa'],
    knownHosts: (c) => [`${c.name} ${c.key.rsa}`],
    ssh: { connects: true },
  }),
  strict('HostKeyAlgorithms ssh-ed25519 with only rsa known', {
    config: () => ['HostKeyAlgorithms ssh-ed25519'],
    knownHosts: (c) => [`${c.name} ${c.key.rsa}`],
    ssh: { refuses: sshSays.changed },
  }),
  strict('SHA-1-only jump (ssh-rsa), default HostKeyAlgorithms', {
    jump: 'sha1',
    knownHosts: (c) => [`${c.name} ${c.key.rsa}`],
    ssh: { refuses: negotiation('host key type'), negotiation: true },
  }),
  strict('SHA-1-only jump (ssh-rsa), default HostKeyAlgorithms · no', {
    jump: 'sha1',
    strict: 'no',
    knownHosts: () => [],
    ssh: { refuses: negotiation('host key type'), negotiation: true },
  }),
  strict('SHA-1-only jump (ssh-rsa), HostKeyAlgorithms +ssh-rsa', {
    jump: 'sha1',
    config: () => ['HostKeyAlgorithms +ssh-rsa'],
    knownHosts: (c) => [`${c.name} ${c.key.rsa}`],
    ssh: { connects: true },
  }),
  strict('SHA-1-only jump (ssh-rsa), HostKeyAlgorithms +ssh-rsa, unknown key · accept-new', {
    jump: 'sha1',
    strict: 'accept-new',
    config: () => ['HostKeyAlgorithms +ssh-rsa'],
    knownHosts: () => [],
    ssh: { connects: true, records: (c) => [c.name] },
  }),
  strict('KexAlgorithms the server does not offer (diffie-hellman-group1-sha1)', {
    config: () => ['KexAlgorithms diffie-hellman-group1-sha1'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { refuses: negotiation('key exchange method'), negotiation: true },
  }),
  strict('Ciphers the server does not offer (3des-cbc)', {
    config: () => ['Ciphers 3des-cbc'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { refuses: negotiation('cipher'), negotiation: true },
  }),
  strict('MACs the server does not offer (hmac-md5 with aes128-ctr)', {
    config: () => ['Ciphers aes128-ctr', 'MACs hmac-md5'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { refuses: negotiation('MAC'), negotiation: true },
  }),
  strict('KexAlgorithms, Ciphers and MACs restricted to ones the server offers', {
    config: () => ['KexAlgorithms curve25519-sha256', 'Ciphers aes256-ctr', 'MACs hmac-sha2-256-etm@openssh.com'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
];
