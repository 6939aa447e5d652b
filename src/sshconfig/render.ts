import { beginMarker, endMarker, generatedComment } from './markers.js';
import { DEFAULT_HOST_OPTIONS, sshOptionKeyword } from './ssh-options.js';
import type { TunnelSet } from './types.js';
import { routesOf } from './routes.js';
import { validateTunnelSet } from './validate.js';

/** The value of the set's `ProxyCommand`, exactly as written. */
export function renderProxyCommand(set: TunnelSet): string {
  const jumps = routesOf(set).flatMap(({ alias, socketDir }) => ['--jump', alias, '--socket-dir', socketDir]);
  const config = set.configFile === undefined ? [] : ['-F', set.configFile];
  // Only when set, so that blocks written before --persist existed stay byte-identical.
  const persist = set.persist === undefined ? [] : ['--persist', set.persist];
  const program = set.nodePath === undefined ? [set.proxyPath] : [set.nodePath, set.proxyPath];
  return [...program, 'proxy', ...jumps, ...config, ...persist, '--', '%h'].join(' ');
}

/** Above the lines of an adopted section, which are kept as `#|` comments. */
export const adoptedComment = (name: string): string => `# Adopted from this file; \`tunnel-config remove ${name}\` puts these lines back:`;
export const ADOPTED_PREFIX = '#|';
/** Ends a block placed where the lines after it belonged to no Host section, so that they still apply to every host. */
export const REOPEN_COMMENT = '# The lines after this block apply to every host, as they did before it was placed here:';

export interface RenderOptions {
  /** End the block with `Host *` (see REOPEN_COMMENT). */
  reopen?: boolean;
}

/** The lines of the block between its markers. */
function renderBody(set: TunnelSet, options: RenderOptions): string[] {
  const lines: string[] = [];
  if (set.adopted && set.adopted.length > 0) lines.push(adoptedComment(set.name), ...set.adopted.map((line) => ADOPTED_PREFIX + line));
  for (const { target: jump, alias } of routesOf(set)) {
    if ('alias' in jump) continue;
    lines.push(`Host ${alias}`, `  HostName ${jump.host}`);
    if (jump.port !== undefined) lines.push(`  Port ${jump.port}`);
    if (jump.user !== undefined) lines.push(`  User ${jump.user}`);
    if (jump.identityFile !== undefined) lines.push(`  IdentityFile ${jump.identityFile}`, '  IdentitiesOnly yes');
    lines.push(...(jump.options ?? []).map((option) => `  ${option}`));
  }
  lines.push(`Host ${set.hosts.join(' ')}`, `  ProxyCommand ${renderProxyCommand(set)}`);
  if (set.user !== undefined) lines.push(`  User ${set.user}`);
  const extra = set.sshOptions ?? [];
  lines.push(...extra.map((option) => `  ${option}`));
  // The hidden hosts' keys stay checked by ssh under their own names: no StrictHostKeyChecking or known_hosts here.
  for (const option of DEFAULT_HOST_OPTIONS) {
    if (!extra.some((given) => sshOptionKeyword(given) === sshOptionKeyword(option))) lines.push(`  ${option}`);
  }
  if (options.reopen) lines.push(REOPEN_COMMENT, 'Host *');
  return lines;
}

/** The managed block of `set`, markers included, every line ending with `eol`. Throws on a value we would not write. */
export function renderTunnelSet(set: TunnelSet, eol: '\n' | '\r\n' = '\n', options: RenderOptions = {}): string {
  validateTunnelSet(set);
  const lines = [beginMarker(set.name), generatedComment(set.name), ...renderBody(set, options), endMarker(set.name)];
  return lines.map((line) => line + eol).join('');
}
