import { connect as tcpConnect, type Socket } from 'node:net';
import { TunnelError } from '../errors.js';
import type { JumpConfig } from './jump.js';

export const where = (jump: JumpConfig): string => `${jump.name}${jump.name === jump.hostName ? '' : ` (${jump.hostName})`} port ${jump.port}`;

export function socketError(jump: JumpConfig, error: NodeJS.ErrnoException): TunnelError {
  const cause = { cause: error };
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new TunnelError('unreachable', `could not resolve ${jump.hostName} (the jump ${jump.name}): check its HostName and your DNS`, cause);
    case 'ECONNREFUSED':
      return new TunnelError('unreachable', `connection refused by ${where(jump)}: is its sshd running on that port?`, cause);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new TunnelError('unreachable', `no route to ${where(jump)}: check your network`, cause);
    default:
      return new TunnelError('unreachable', `connection to ${where(jump)} failed: ${error.message}`, cause);
  }
}

/**
 * The TCP connection to the jump, bounded by ConnectTimeout. It can start before the SSH library is
 * loaded; an error before the handshake takes over is kept, not thrown.
 */
export function openTcp(jump: JumpConfig): Promise<Socket> {
  const seconds = jump.connectTimeoutSeconds;
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: jump.hostName, port: jump.port, noDelay: true });
    const timer = seconds
      ? setTimeout(() => {
          socket.destroy();
          reject(new TunnelError('unreachable', `timed out after ${seconds}s connecting to ${where(jump)} (ConnectTimeout): check the jump is up and reachable`));
        }, seconds * 1000)
      : undefined;
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // Until the SSH client attaches its own listeners; a reset meanwhile shows as a destroyed socket.
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(socketError(jump, error));
    });
  });
}
