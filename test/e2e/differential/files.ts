import { strict } from './known-hosts.js';
import { sshSays } from './matrix.js';
import type { Scenario } from './scenario.js';

const revokedByFile = /Host key ED25519 SHA256:[^ ]+ revoked by file [^\n]*\r?\nHost key verification failed\./;
const noneFiles = () => ['UserKnownHostsFile none', 'GlobalKnownHostsFile none'];

/** Which files are read and written: several files, the global file, `none`, RevokedHostKeys. */
export const fileScenarios: Scenario[] = [
  strict('two UserKnownHostsFiles, the key in the 2nd', {
    config: (c) => [`UserKnownHostsFile ${c.dir}/kh1 ${c.dir}/kh2`],
    files: (c) => ({ kh1: '', kh2: `${c.name} ${c.key.ed25519}\n` }),
    ssh: { connects: true },
  }),
  strict('two UserKnownHostsFiles, the 1st missing, the key in the 2nd', {
    config: (c) => [`UserKnownHostsFile ${c.dir}/kh1 ${c.dir}/kh2`],
    files: (c) => ({ kh2: `${c.name} ${c.key.ed25519}\n` }),
    ssh: { connects: true },
  }),
  strict('two UserKnownHostsFiles, another key in the 1st, the right key in the 2nd', {
    config: (c) => [`UserKnownHostsFile ${c.dir}/kh1 ${c.dir}/kh2`],
    files: (c) => ({ kh1: `${c.name} ${c.spare}\n`, kh2: `${c.name} ${c.key.ed25519}\n` }),
    ssh: { connects: true },
  }),
  strict('two UserKnownHostsFiles, unknown key · accept-new records it in the 1st', {
    strict: 'accept-new',
    config: (c) => [`UserKnownHostsFile ${c.dir}/kh1 ${c.dir}/kh2`],
    files: () => ({ kh1: '', kh2: '' }),
    ssh: { connects: true, records: (c) => [c.name], recordsIn: 'kh1' },
  }),
  strict('GlobalKnownHostsFile only', {
    files: (c) => ({ global_known_hosts: `${c.name} ${c.key.ed25519}\n` }),
    ssh: { connects: true },
  }),
  strict('two GlobalKnownHostsFiles, the key in the 2nd', {
    config: (c) => [`GlobalKnownHostsFile ${c.dir}/global1 ${c.dir}/global2`],
    files: (c) => ({ global2: `${c.name} ${c.key.ed25519}\n` }),
    ssh: { connects: true },
  }),
  strict('GlobalKnownHostsFile with another key', {
    files: (c) => ({ global_known_hosts: `${c.name} ${c.spare}\n` }),
    ssh: { refuses: sshSays.changed },
  }),
  strict('GlobalKnownHostsFile has the key · accept-new records nothing', {
    strict: 'accept-new',
    knownHosts: () => [],
    files: (c) => ({ global_known_hosts: `${c.name} ${c.key.ed25519}\n` }),
    ssh: { connects: true },
  }),
  strict('UserKnownHostsFile none + GlobalKnownHostsFile none, ./none holds the key · yes', {
    config: noneFiles,
    files: (c) => ({ none: `${c.name} ${c.key.ed25519}\n` }),
    ssh: { refuses: sshSays.silent },
  }),
  strict('UserKnownHostsFile none + GlobalKnownHostsFile none, ./none holds the key · accept-new', {
    strict: 'accept-new',
    config: noneFiles,
    files: (c) => ({ none: `${c.name} ${c.key.ed25519}\n` }),
    ssh: { refuses: sshSays.silent },
  }),
  strict('UserKnownHostsFile none + GlobalKnownHostsFile none, no ./none · accept-new writes no ./none', {
    strict: 'accept-new',
    config: noneFiles,
    ssh: { refuses: sshSays.silent },
  }),
  strict('UserKnownHostsFile none, the key in GlobalKnownHostsFile', {
    config: () => ['UserKnownHostsFile none'],
    files: (c) => ({ global_known_hosts: `${c.name} ${c.key.ed25519}\n`, none: `${c.name} ${c.spare}\n` }),
    ssh: { connects: true },
  }),
  strict('RevokedHostKeys: a list of public keys with the host key', {
    config: (c) => [`RevokedHostKeys ${c.dir}/revoked_keys`],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    files: (c) => ({ revoked_keys: `${c.spare}\n${c.key.ed25519}\n` }),
    ssh: { refuses: revokedByFile },
  }),
  strict('RevokedHostKeys: a list of public keys with the host key · no', {
    strict: 'no',
    config: (c) => [`RevokedHostKeys ${c.dir}/revoked_keys`],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    files: (c) => ({ revoked_keys: `${c.key.ed25519}\n` }),
    ssh: { refuses: revokedByFile },
  }),
  strict('RevokedHostKeys: a list of public keys with other keys', {
    config: (c) => [`RevokedHostKeys ${c.dir}/revoked_keys`],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    files: (c) => ({ revoked_keys: `${c.spare}\n${c.ca}\n` }),
    ssh: { connects: true },
  }),
  strict('RevokedHostKeys: a KRL (ssh-keygen -k) with the host key', {
    config: (c) => [`RevokedHostKeys ${c.dir}/revoked.krl`],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    prepare: async (c, keygen) => keygen(['-k', '-f', 'revoked.krl', c.pub.ed25519]),
    ssh: { refuses: revokedByFile },
  }),
  strict('RevokedHostKeys: a KRL (ssh-keygen -k) with the host key · accept-new, unknown key', {
    strict: 'accept-new',
    config: (c) => [`RevokedHostKeys ${c.dir}/revoked.krl`],
    knownHosts: () => [],
    prepare: async (c, keygen) => keygen(['-k', '-f', 'revoked.krl', c.pub.ed25519]),
    ssh: { refuses: revokedByFile },
  }),
  strict('RevokedHostKeys: a KRL (ssh-keygen -k) with another key', {
    config: (c) => [`RevokedHostKeys ${c.dir}/revoked.krl`],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    prepare: async (c, keygen) => keygen(['-k', '-f', 'revoked.krl', c.pub.spare]),
    ssh: { connects: true },
  }),
  strict('RevokedHostKeys: a path that does not exist', {
    config: (c) => [`RevokedHostKeys ${c.dir}/no-such-krl`],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { refuses: /Error checking host key ED25519 SHA256:[^ ]+ in revoked keys file [^\n]*no-such-krl: No such file or directory\r?\nHost key verification failed\./ },
  }),
];
