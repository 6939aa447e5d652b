import type { Socket } from 'node:net';
import type { Client } from 'ssh2';
import { TunnelError } from '../errors.js';
import { connectJump } from './connect.js';
import { createHostKeyGuard } from './hostkey.js';
import { assertDirectJump, type JumpConfig } from './jump.js';
import { restrictionFromServerDebug } from './restrictions.js';

/**
 * The connection to the jump, as every part of tunnel-config makes it: the ProxyCommand, the shared
 * connection, and the fleet tools. Resolve with `resolveJump`, then `openJump`.
 */
export interface JumpSession {
  jump: JumpConfig;
  client: Client;
  /** What the jump's SSH_MSG_DEBUG said about an authorized_keys restriction, if anything. */
  restriction: () => string | undefined;
  /** Why the connection was lost, once it was; undefined while it is up. */
  lostError: () => TunnelError | undefined;
  onLost: (cb: () => void) => void;
}

export interface JumpIo {
  /** Asks a question on the terminal; resolves undefined when there is none. */
  ask: (question: string, options: { echo: boolean }) => Promise<string | undefined>;
  /** One line for the user, on stderr. */
  tell: (line: string) => void;
  debug?: (line: string) => void;
  /** For tunnel-config doctor: never write known_hosts; see HostKeyIo.readOnly. */
  readOnlyKnownHosts?: boolean;
  /** Told each host key the jump presents. */
  onHostKey?: (key: Buffer) => void;
  /** Told which identity the jump accepted. */
  onAuthenticated?: (identity: string) => void;
}

/** Connects to the jump: host key verified as ssh would, authenticated as ssh would. `socket`: a TCP connection started early (openTcp). */
export async function openJump(jump: JumpConfig, io: JumpIo, socket?: Promise<Socket>): Promise<JumpSession> {
  assertDirectJump(jump);
  const guard = await createHostKeyGuard(jump, {
    ask: (q) => io.ask(q, { echo: true }),
    tell: io.tell,
    ...(io.readOnlyKnownHosts ? { readOnly: true } : {}),
    ...(io.onHostKey ? { onKey: io.onHostKey } : {}),
  });
  let restriction: string | undefined;
  const client = await connectJump(jump, {
    guard,
    askPassphrase: (q) => io.ask(q, { echo: false }),
    ...(io.debug ? { debug: io.debug } : {}),
    ...(socket ? { socket } : {}),
    ...(io.onAuthenticated ? { onAuthenticated: io.onAuthenticated } : {}),
    onServerDebug: (text) => {
      restriction ??= restrictionFromServerDebug(text);
    },
  });
  return { jump, client, restriction: () => restriction, ...watchConnection(client, jump.name) };
}

function watchConnection(client: Client, jumpName: string): Pick<JumpSession, 'lostError' | 'onLost'> {
  let lost: Error | undefined;
  let closed = false;
  const callbacks: Array<() => void> = [];
  client.on('error', (error) => {
    lost ??= error;
  });
  client.on('close', () => {
    closed = true;
    for (const cb of callbacks) cb();
  });
  const lostError = (): TunnelError | undefined => {
    if (!closed && !lost) return undefined;
    const why = lost && /keepalive/i.test(lost.message) ? 'it stopped answering keepalives' : (lost?.message ?? 'the connection closed');
    return new TunnelError('unreachable', `lost the connection to ${jumpName} (${why}): check the jump and your network, then connect again`);
  };
  return { lostError, onLost: (cb) => (closed ? cb() : callbacks.push(cb)) };
}

/**
 * sshd turns Nagle off on a connection only once a session runs a program; a connection that carries only
 * stream-local channels keeps it on, and each small reply then waits for a delayed ACK (~40 ms). An idle
 * SFTP session, or where there is no SFTP a `true` run once (as `ssh JUMP nc -U` runs nc), makes the
 * jump's sshd send small packets at once. An account that allows neither only stays slower.
 */
export function keepInteractive(session: JumpSession): void {
  const runTrue = (): void => {
    if (session.lostError()) return;
    try {
      session.client.exec('true', (error, stream) => {
        if (!error) stream.resume().on('error', () => undefined);
      });
    } catch {
      // the connection ended meanwhile
    }
  };
  try {
    session.client.sftp((error) => {
      if (error) runTrue();
    });
  } catch {
    // the connection is going away
  }
}
