import { sshSays } from './matrix.js';
import type { Scenario } from './scenario.js';

/** A scenario under StrictHostKeyChecking yes and BatchMode yes unless it says otherwise. */
export function strict(name: string, rest: Omit<Scenario, 'name' | 'batch'> & { batch?: boolean }): Scenario {
  return { strict: 'yes', batch: true, ...rest, name };
}

const hashed = async (_: unknown, keygen: (args: string[]) => Promise<void>): Promise<void> => {
  await keygen(['-H', '-f', 'known_hosts']);
};

/** Entry forms, patterns, markers and HostKeyAlias, in one known_hosts file. */
export const knownHostsScenarios: Scenario[] = [
  strict('hashed entry (ssh-keygen -H)', {
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    prepare: hashed,
    ssh: { connects: true },
  }),
  strict('hashed entry with another key', {
    knownHosts: (c) => [`${c.name} ${c.spare}`],
    prepare: hashed,
    ssh: { refuses: sshSays.changed },
  }),
  strict('unknown key recorded hashed (HashKnownHosts yes) · accept-new', {
    strict: 'accept-new',
    config: () => ['HashKnownHosts yes'],
    knownHosts: () => [],
    ssh: { connects: true, records: (c) => [c.name] },
  }),
  strict('bare 127.0.0.1 entry (ssh retries without the port)', {
    knownHosts: (c) => [`${c.ip} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('bare 127.0.0.1 entry with another key · yes', {
    knownHosts: (c) => [`${c.ip} ${c.spare}`],
    ssh: { refuses: sshSays.unknown },
  }),
  strict('bare 127.0.0.1 entry with another key · accept-new', {
    strict: 'accept-new',
    knownHosts: (c) => [`${c.ip} ${c.spare}`],
    ssh: { connects: true, records: (c) => [c.name] },
  }),
  strict('[127.0.0.1]:PORT with another key and bare 127.0.0.1 with the right one', {
    knownHosts: (c) => [`${c.name} ${c.spare}`, `${c.ip} ${c.key.ed25519}`],
    ssh: { refuses: sshSays.changed },
  }),
  strict('entry under another port', {
    knownHosts: (c) => [`[${c.ip}]:${c.port + 1} ${c.key.ed25519}`],
    ssh: { refuses: sshSays.unknown },
  }),
  strict('pattern * matches', { knownHosts: (c) => [`* ${c.key.ed25519}`], ssh: { connects: true } }),
  strict('pattern [127.0.0.1]:* matches', { knownHosts: (c) => [`[${c.ip}]:* ${c.key.ed25519}`], ssh: { connects: true } }),
  strict('pattern [127.0.0.?]:PORT matches', {
    knownHosts: (c) => [`[127.0.0.?]:${c.port} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('pattern 127.0.0.? matches the portless retry', { knownHosts: (c) => [`127.0.0.? ${c.key.ed25519}`], ssh: { connects: true } }),
  strict('pattern [127.0.0.2]:* does not match', { knownHosts: (c) => [`[127.0.0.2]:* ${c.key.ed25519}`], ssh: { refuses: sshSays.unknown } }),
  strict('pattern [127.0.0.??]:PORT does not match', {
    knownHosts: (c) => [`[127.0.0.??]:${c.port} ${c.key.ed25519}`],
    ssh: { refuses: sshSays.unknown },
  }),
  strict('pattern *,![127.0.0.1]:PORT,!127.0.0.1 negates the jump', {
    knownHosts: (c) => [`*,!${c.name},!${c.ip} ${c.key.ed25519}`],
    ssh: { refuses: sshSays.unknown },
  }),
  strict('pattern *,![127.0.0.1]:PORT still matches the portless retry', {
    knownHosts: (c) => [`*,!${c.name} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('pattern *,!other.example matches', { knownHosts: (c) => [`*,!other.example ${c.key.ed25519}`], ssh: { connects: true } }),
  strict('a list of only negations never matches', { knownHosts: (c) => [`!other.example ${c.key.ed25519}`], ssh: { refuses: sshSays.unknown } }),
  strict('pattern * with another key', { knownHosts: (c) => [`* ${c.spare}`], ssh: { refuses: sshSays.changed } }),
  strict('another key under a pattern that negates the jump is ignored', {
    knownHosts: (c) => [`*,!${c.name},!${c.ip} ${c.spare}`, `${c.name} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('@revoked * (a pattern matching the jump)', {
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `@revoked * ${c.key.ed25519}`],
    ssh: { refuses: sshSays.revoked },
  }),
  strict('@revoked without a plain entry · accept-new', {
    strict: 'accept-new',
    knownHosts: (c) => [`@revoked ${c.name} ${c.key.ed25519}`],
    ssh: { refuses: sshSays.revoked },
  }),
  strict('@revoked ed25519 while ecdsa is known too (ssh negotiates ecdsa)', {
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.name} ${c.key.ecdsa}`, `@revoked ${c.name} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('@cert-authority only · yes', {
    knownHosts: (c) => [`@cert-authority ${c.name} ${c.ca}`],
    ssh: { refuses: sshSays.unknown },
  }),
  strict('@cert-authority only · accept-new', {
    strict: 'accept-new',
    knownHosts: (c) => [`@cert-authority ${c.name} ${c.ca}`],
    ssh: { connects: true, records: (c) => [c.name] },
  }),
  strict('@cert-authority naming the host key itself does not trust it', {
    knownHosts: (c) => [`@cert-authority ${c.name} ${c.key.ed25519}`],
    ssh: { refuses: sshSays.unknown },
  }),
  strict('HostKeyAlias: entry under the alias', {
    config: () => ['HostKeyAlias jump-alias'],
    knownHosts: (c) => [`jump-alias ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('HostKeyAlias: entry under the real name only', {
    config: () => ['HostKeyAlias jump-alias'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.ip} ${c.key.ed25519}`],
    ssh: { refuses: /No ED25519 host key is known for jump-alias and you have requested strict checking\.\r?\nHost key verification failed\./ },
  }),
  strict('HostKeyAlias: unknown key · accept-new records it under the alias', {
    strict: 'accept-new',
    config: () => ['HostKeyAlias jump-alias'],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { connects: true, records: () => ['jump-alias'] },
  }),
];
