import { strict } from './known-hosts.js';
import { sshSays } from './matrix.js';
import type { Scenario } from './scenario.js';

const ipDiffers = /Warning: the ED25519 host key for 'jump\.test' differs from the key for the IP address '192\.0\.2\.1'[^]*Exiting, you have requested strict checking\.\r?\nHost key verification failed\./;
const checkHostIp = () => ['CheckHostIP yes'];

/**
 * CheckHostIP, which ssh skips for 127.0.0.0/8: against the jump at 192.0.2.1:22 in a network
 * namespace, named `jump.test` by the namespace's /etc/hosts.
 */
export const checkHostIpScenarios: Scenario[] = [
  strict('CheckHostIP: host and IP entries match', {
    jump: 'netns',
    config: checkHostIp,
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.ip} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('CheckHostIP: host entry ok, IP entry with another key · yes', {
    jump: 'netns',
    config: checkHostIp,
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.ip} ${c.spare}`],
    ssh: { refuses: ipDiffers },
  }),
  strict('CheckHostIP: host entry ok, IP entry with another key · accept-new', {
    jump: 'netns',
    strict: 'accept-new',
    config: checkHostIp,
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.ip} ${c.spare}`],
    ssh: { refuses: ipDiffers },
  }),
  strict('CheckHostIP: host entry ok, IP entry with another key · no', {
    jump: 'netns',
    strict: 'no',
    config: checkHostIp,
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.ip} ${c.spare}`],
    ssh: { connects: true },
    stricter: 'changedUnderNo',
  }),
  strict('CheckHostIP: host entry ok, IP entry with another key · off', {
    jump: 'netns',
    strict: 'off',
    config: checkHostIp,
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.ip} ${c.spare}`],
    ssh: { connects: true },
    stricter: 'changedUnderNo',
  }),
  strict('CheckHostIP: host entry ok, IP entry with another key · ask, no BatchMode', {
    jump: 'netns',
    strict: 'ask',
    batch: false,
    config: checkHostIp,
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.ip} ${c.spare}`],
    // the warning is part of the question, which nobody sees
    ssh: { refuses: sshSays.silent },
  }),
  strict('CheckHostIP no: an IP entry with another key is not looked at', {
    jump: 'netns',
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `${c.ip} ${c.spare}`],
    ssh: { connects: true },
  }),
  strict('CheckHostIP: host entry ok, no IP entry · accept-new records the IP', {
    jump: 'netns',
    strict: 'accept-new',
    config: checkHostIp,
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { connects: true, records: (c) => [c.ip] },
  }),
  strict('CheckHostIP: host entry ok, no IP entry · yes records the IP too', {
    jump: 'netns',
    config: checkHostIp,
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { connects: true, records: (c) => [c.ip] },
  }),
  strict('CheckHostIP no: host entry ok, no IP entry · accept-new records nothing', {
    jump: 'netns',
    strict: 'accept-new',
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('CheckHostIP: unknown host · accept-new records host and IP', {
    jump: 'netns',
    strict: 'accept-new',
    config: checkHostIp,
    knownHosts: () => [],
    ssh: { connects: true, records: (c) => [c.name, c.ip] },
  }),
  strict('CheckHostIP: unknown host · accept-new with HashKnownHosts yes records both hashed', {
    jump: 'netns',
    strict: 'accept-new',
    config: () => ['CheckHostIP yes', 'HashKnownHosts yes'],
    knownHosts: () => [],
    ssh: { connects: true, records: (c) => [c.name, c.ip] },
  }),
  strict('CheckHostIP: only the IP entry is known · yes', {
    jump: 'netns',
    config: checkHostIp,
    knownHosts: (c) => [`${c.ip} ${c.key.ed25519}`],
    ssh: { refuses: sshSays.unknown },
  }),
  strict('CheckHostIP: only the IP entry is known · accept-new records the host', {
    jump: 'netns',
    strict: 'accept-new',
    config: checkHostIp,
    knownHosts: (c) => [`${c.ip} ${c.key.ed25519}`],
    ssh: { connects: true, records: (c) => [c.name] },
  }),
];
