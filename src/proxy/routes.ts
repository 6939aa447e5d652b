import { DEFAULT_SOCKET_DIR } from '../commands/defaults.js';
import { type ErrorCode, TunnelError } from '../errors.js';
import { perJump } from '../ssh/per-jump.js';

/** One way to HOST: a jump and the socket directory HOST's tunnel binds there. */
export interface Route {
  jump: string;
  socketDir: string;
}

/**
 * Why the proxy (and the doctor walking its way) goes on to the next jump: that jump is down, HOST is not
 * connected to it, it refused the channel, or it did not let us log in. A host key that does not match is
 * never a reason to try elsewhere: it stops the proxy, as it stops ssh; so does nothing behind HOST's tunnel.
 */
export const FAILOVER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['unreachable', 'offline', 'refused', 'auth']);

/** Pairs the jumps with their socket directories: none given is the default for all, one is every jump's, else one per jump in order. */
export function pairRoutes(jumps: readonly string[], socketDirs: readonly string[]): Route[] {
  if (jumps.length === 0) throw new TunnelError('usage', 'proxy needs --jump JUMP (see tunnel-config proxy --help)');
  const dirs = perJump(socketDirs, jumps.length);
  if (dirs === undefined) {
    throw new TunnelError(
      'usage',
      `proxy got ${jumps.length} --jump and ${socketDirs.length} --socket-dir: give one --socket-dir for every jump, or one per jump in the same order`,
    );
  }
  const routes = jumps.map((jump, index) => ({ jump, socketDir: dirs[index] ?? DEFAULT_SOCKET_DIR }));
  const duplicate = routes.find((route, index) => routes.findIndex((other) => other.jump === route.jump && other.socketDir === route.socketDir) !== index);
  if (duplicate !== undefined) throw new TunnelError('usage', `proxy got --jump ${duplicate.jump} twice with the same socket directory: name each jump once`);
  return routes;
}
