import type { World } from '../world.js';

/**
 * An ssh_config as a user has it before tunnel-config: the jumphost as `Host jump` and the hidden hosts'
 * user and known_hosts under `Host host-*`, with no ProxyCommand yet (that is what `tunnel-config add` writes).
 */
export function userConfigFor(world: World): string {
  const strict = (knownHosts: string): string[] => [
    `  IdentityFile ${world.keys.client.path}`,
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    `  UserKnownHostsFile ${knownHosts}`,
    `  GlobalKnownHostsFile ${world.nonexistent}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
  ];
  return [
    'Host jump',
    '  HostName 127.0.0.1',
    `  Port ${world.jumpPort}`,
    `  User ${world.user}`,
    ...strict(world.knownHostsJump),
    'Host host-*',
    `  User ${world.user}`,
    ...strict(world.knownHostsHosts),
    '',
  ].join('\n');
}
