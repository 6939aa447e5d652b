import { strict } from './known-hosts.js';
import { sshSays } from './matrix.js';
import type { Ctx, Scenario } from './scenario.js';

/** A KnownHostsCommand script that prints `lines` ($1 is %H). */
const script = (lines: string[]): string => `#!/bin/sh\n${lines.map((line) => `echo "${line}"`).join('\n')}\nexit 0\n`;
const command = (tokens = '%H') => (c: Ctx): string[] => [`KnownHostsCommand ${c.dir}/known-hosts-command.sh ${tokens}`];
const printing = (lines: (c: Ctx) => string[]) => (c: Ctx): Record<string, string> => ({ 'known-hosts-command.sh': script(lines(c)) });

/** KnownHostsCommand: its output is read as more known_hosts lines; ssh accepts where it supplies the key. */
export const commandScenarios: Scenario[] = [
  strict('KnownHostsCommand prints the right key for %H', {
    config: command(),
    knownHosts: () => [],
    files: printing((c) => [`$1 ${c.key.ed25519}`]),
    ssh: { connects: true },
  }),
  strict('KnownHostsCommand prints the right key for %H · accept-new records nothing', {
    strict: 'accept-new',
    config: command(),
    knownHosts: () => [],
    files: printing((c) => [`$1 ${c.key.ed25519}`]),
    ssh: { connects: true },
  }),
  strict('KnownHostsCommand prints another key', {
    config: command(),
    knownHosts: () => [],
    files: printing((c) => [`$1 ${c.spare}`]),
    ssh: { refuses: sshSays.changed },
  }),
  strict('KnownHostsCommand prints another key · no', {
    strict: 'no',
    config: command(),
    knownHosts: () => [],
    files: printing((c) => [`$1 ${c.spare}`]),
    ssh: { connects: true },
    stricter: 'changedUnderNo',
  }),
  strict('KnownHostsCommand prints the right key and @revoked for it', {
    config: command(),
    knownHosts: () => [],
    files: printing((c) => [`$1 ${c.key.ed25519}`, `@revoked $1 ${c.key.ed25519}`]),
    ssh: { refuses: sshSays.revoked },
  }),
  strict('KnownHostsCommand prints @revoked for the key known_hosts has', {
    config: command(),
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    files: printing((c) => [`@revoked $1 ${c.key.ed25519}`]),
    ssh: { refuses: sshSays.revoked },
  }),
  strict('KnownHostsCommand prints nothing', {
    config: command(),
    knownHosts: () => [],
    files: printing(() => []),
    ssh: { refuses: sshSays.unknown },
  }),
  strict('KnownHostsCommand prints nothing · accept-new records in known_hosts', {
    strict: 'accept-new',
    config: command(),
    knownHosts: () => [],
    files: printing(() => []),
    ssh: { connects: true, records: (c) => [c.name] },
  }),
  strict('KnownHostsCommand prints the right key under another name', {
    config: command(),
    knownHosts: () => [],
    files: printing((c) => [`other.example ${c.key.ed25519}`]),
    ssh: { refuses: sshSays.unknown },
  }),
  strict('KnownHostsCommand prints the right key but exits 1', {
    config: command(),
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    files: (c) => ({ 'known-hosts-command.sh': script([`$1 ${c.key.ed25519}`]).replace('exit 0', 'exit 1') }),
    ssh: { refuses: /KnownHostsCommand failed\r?\n/ },
  }),
  strict('KnownHostsCommand names a missing program, known_hosts has the key', {
    config: (c) => [`KnownHostsCommand ${c.dir}/no-such-command %H`],
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    ssh: { connects: true },
  }),
  strict('KnownHostsCommand with %H %p %t %f prints the key only when each token is right', {
    config: command('%H %p %t %f'),
    knownHosts: () => [],
    files: (c) => ({
      'known-hosts-command.sh': [
        '#!/bin/sh',
        `if [ "$2" = "${c.port}" ] && [ "$3" = "ssh-ed25519" ] && [ "$4" = "${c.ed25519Fingerprint}" ]; then`,
        `  echo "$1 ${c.key.ed25519}"`,
        'fi',
        'exit 0',
        '',
      ].join('\n'),
    }),
    ssh: { connects: true },
  }),
  strict('KnownHostsCommand with HostKeyAlias: %H is the alias', {
    config: (c) => ['HostKeyAlias jump-alias', ...command()(c)],
    knownHosts: () => [],
    files: (c) => ({
      'known-hosts-command.sh': ['#!/bin/sh', `[ "$1" = jump-alias ] && echo "$1 ${c.key.ed25519}"`, 'exit 0', ''].join('\n'),
    }),
    ssh: { connects: true },
  }),
];
