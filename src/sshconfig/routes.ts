import type { JumpTarget, TunnelSet } from './types.js';

/** One of a set's jumps, as its hosts' ProxyCommand names it, with the socket directory there. */
export interface SetRoute {
  target: JumpTarget;
  /** What the ProxyCommand passes as `--jump`: the user's alias, or the Host alias of the section we write. */
  alias: string;
  socketDir: string;
}

/** The Host alias of the section we write for a set's Nth jump (1-based) that describes its own jumphost. */
export const jumpAliasFor = (name: string, nth = 1): string => `tunnel-config-${name}-jump${nth === 1 ? '' : String(nth)}`;

/** A set's jumps in the order its hosts' ProxyCommand tries them. */
export function routesOf(set: TunnelSet): SetRoute[] {
  const all = [{ jump: set.jump, socketDir: set.socketDir }, ...(set.moreJumps ?? [])];
  return all.map(({ jump, socketDir }, index) => ({
    target: jump,
    alias: 'alias' in jump ? jump.alias : jumpAliasFor(set.name, index + 1),
    socketDir,
  }));
}

/** How a jump is shown to a person: its alias, or [user@]host[:port]. */
export function jumpText(target: JumpTarget): string {
  if ('alias' in target) return target.alias;
  return `${target.user === undefined ? '' : `${target.user}@`}${target.host}${target.port === undefined ? '' : `:${target.port}`}`;
}
