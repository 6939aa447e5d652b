import { configPath } from './quote.js';

export interface ClientConfigPaths {
  jumpPort: number;
  user: string;
  clientKey: string;
  knownHostsJump: string;
  knownHostsHosts: string;
  /** A path that never exists, so no system-wide known_hosts is consulted. */
  nonexistent: string;
}

/**
 * Lines added to the client config. ssh keeps the first value it reads, so each part goes above
 * our defaults and overrides them: `top` before every Host block, `jump`/`hosts` first in theirs.
 */
export interface ClientConfigExtra {
  top?: string;
  jump?: string;
  hosts?: string;
  bottom?: string;
}

function indent(text: string | undefined): string[] {
  return (text ?? '').split('\n').filter((line) => line.trim() !== '').map((line) => `  ${line.trim()}`);
}

function strictClient(paths: ClientConfigPaths, knownHosts: string): string[] {
  return [
    `  IdentityFile ${configPath(paths.clientKey)}`,
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    `  UserKnownHostsFile ${configPath(knownHosts)}`,
    `  GlobalKnownHostsFile ${configPath(paths.nonexistent)}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
  ];
}

/** `Host jump` (the jumphost sshd) and `Host host-*` (hidden hosts reached through `proxyCommand`). */
export function renderClientConfig(paths: ClientConfigPaths, proxyCommand: string, extra: ClientConfigExtra = {}): string {
  const lines = [
    ...(extra.top ?? '').split('\n').filter((line) => line.trim() !== ''),
    'Host jump',
    ...indent(extra.jump),
    '  HostName 127.0.0.1',
    `  Port ${paths.jumpPort}`,
    `  User ${paths.user}`,
    ...strictClient(paths, paths.knownHostsJump),
    'Host host-*',
    ...indent(extra.hosts),
    `  User ${paths.user}`,
    `  ProxyCommand ${proxyCommand}`,
    ...strictClient(paths, paths.knownHostsHosts),
    ...(extra.bottom ?? '').split('\n').filter((line) => line.trim() !== ''),
  ];
  return `${lines.join('\n')}\n`;
}
