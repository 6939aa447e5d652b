import { beginMarker, endMarker, generatedComment } from './markers.js';
import type { TunnelSet } from './types.js';
import { jumpAliasFor, validateTunnelSet } from './validate.js';

/** The value of the set's `ProxyCommand`, exactly as written. */
export function renderProxyCommand(set: TunnelSet): string {
  const jump = 'alias' in set.jump ? set.jump.alias : jumpAliasFor(set.name);
  const config = set.configFile === undefined ? [] : ['-F', set.configFile];
  // Only when set, so that blocks written before --persist existed stay byte-identical.
  const persist = set.persist === undefined ? [] : ['--persist', set.persist];
  const program = set.nodePath === undefined ? [set.proxyPath] : [set.nodePath, set.proxyPath];
  return [...program, 'proxy', '--jump', jump, '--socket-dir', set.socketDir, ...config, ...persist, '--', '%h'].join(' ');
}

/** The lines of the block between its markers. */
function renderBody(set: TunnelSet): string[] {
  const lines: string[] = [];
  const jump = set.jump;
  if (!('alias' in jump)) {
    lines.push(`Host ${jumpAliasFor(set.name)}`, `  HostName ${jump.host}`);
    if (jump.port !== undefined) lines.push(`  Port ${jump.port}`);
    if (jump.user !== undefined) lines.push(`  User ${jump.user}`);
    if (jump.identityFile !== undefined) lines.push(`  IdentityFile ${jump.identityFile}`, '  IdentitiesOnly yes');
  }
  lines.push(`Host ${set.hosts.join(' ')}`, `  ProxyCommand ${renderProxyCommand(set)}`);
  if (set.user !== undefined) lines.push(`  User ${set.user}`);
  // The hidden hosts' keys stay checked by ssh under their own names: no StrictHostKeyChecking or known_hosts here.
  lines.push('  ServerAliveInterval 10', '  ServerAliveCountMax 3');
  return lines;
}

/** The managed block of `set`, markers included, every line ending with `eol`. Throws on a value we would not write. */
export function renderTunnelSet(set: TunnelSet, eol: '\n' | '\r\n' = '\n'): string {
  validateTunnelSet(set);
  const lines = [beginMarker(set.name), generatedComment(set.name), ...renderBody(set), endMarker(set.name)];
  return lines.map((line) => line + eol).join('');
}
