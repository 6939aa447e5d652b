import type { Client, ClientChannel } from 'ssh2';
import { TunnelError } from '../errors.js';
import type { JumpSession } from '../jump/index.js';

/** SSH_MSG_CHANNEL_OPEN_FAILURE reason codes (RFC 4254 §5.1). */
const ADMINISTRATIVELY_PROHIBITED = 1;

export interface ChannelTarget {
  host: string;
  socketPath: string;
  jumpName: string;
}

/** Why the jumphost refused to open the channel, as one line naming the cause and the fix. */
export function channelOpenError(target: ChannelTarget, reason: unknown, description: string): TunnelError {
  if (reason === ADMINISTRATIVELY_PROHIBITED) {
    return new TunnelError(
      'refused',
      `${target.jumpName} refused to open ${target.socketPath} (${description || 'administratively prohibited'}): its sshd forbids stream-local forwarding for this account; allow it with "AllowStreamLocalForwarding yes" (or "local"), and check "DisableForwarding", "AllowTcpForwarding", "PermitOpen" and authorized_keys "restrict"/"no-port-forwarding"`,
    );
  }
  return new TunnelError(
    'offline',
    `${target.host} is not connected to ${target.jumpName}: nothing is listening on ${target.socketPath}; start the host's tunnel (ssh -N -R ${target.socketPath}:localhost:22 ...) or check --socket-dir`,
  );
}

/** Bound on waiting for the jump's answer to the channel open when ConnectTimeout is not set, as for the handshake. */
const DEFAULT_CHANNEL_OPEN_SECONDS = 30;

/** Opens the direct-streamlocal channel; a jump that never answers fails after ConnectTimeout (or the default bound). */
export function openSocketChannel(client: Client, target: ChannelTarget, connectTimeoutSeconds?: number): Promise<ClientChannel> {
  const seconds = connectTimeoutSeconds ?? DEFAULT_CHANNEL_OPEN_SECONDS;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new TunnelError(
          'unreachable',
          `${target.jumpName} did not answer the request to open ${target.socketPath} within ${seconds}s (${connectTimeoutSeconds ? 'ConnectTimeout' : 'the default bound; set ConnectTimeout to change it'}): check that the jump's sshd is healthy (its log) and supports direct-streamlocal@openssh.com, then connect again`,
        ),
      );
    }, seconds * 1000);
    client.openssh_forwardOutStreamLocal(target.socketPath, (error, channel) => {
      clearTimeout(timer);
      if (!error) return resolve(channel);
      const { reason } = error as Error & { reason?: unknown };
      const description = error.message.replace(/^\(SSH\) Channel open failure: /, '');
      reject(channelOpenError(target, reason, description));
    });
  });
}

/**
 * HOST's channel on a jump session, as the proxy and the shared connection open it: a refusal is explained
 * by a lost connection, or by the authorized_keys restriction the jump announced at login.
 */
export async function openHostChannel(session: JumpSession, target: ChannelTarget): Promise<ClientChannel> {
  try {
    return await openSocketChannel(session.client, target, session.jump.connectTimeoutSeconds);
  } catch (error) {
    const lost = session.lostError();
    if (lost) throw lost;
    const restriction = session.restriction();
    if (restriction && error instanceof TunnelError && (error.code === 'offline' || error.code === 'refused')) {
      throw new TunnelError('refused', `${target.jumpName} refused to open ${target.socketPath}: ${restriction}`);
    }
    throw error;
  }
}
