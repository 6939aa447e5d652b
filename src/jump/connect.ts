import type { Socket } from 'node:net';
import type { Algorithms, Client } from 'ssh2';
import { TunnelError } from '../errors.js';
import { type LibraryAlgorithms, offeredAlgorithms } from '../ssh/algorithms.js';
import { type AuthDeps, type AuthReport, createAuthHandler, defaultAuthDeps } from './auth.js';
import type { HostKeyGuard } from './hostkey.js';
import type { JumpConfig } from './jump.js';
import { Client as SshClient, constants } from './ssh2.js';
import { openTcp, socketError, where } from './tcp.js';
import { WholeIdentSocket } from './whole-ident-socket.js';

/** Bound on the SSH handshake when ConnectTimeout is not set, so a blackholed jump cannot hang us forever. */
const DEFAULT_HANDSHAKE_SECONDS = 30;

export interface ConnectOptions {
  guard: HostKeyGuard;
  /** Asks for a key's passphrase on the terminal; undefined when there is none. */
  askPassphrase: AuthDeps['askPassphrase'];
  /** Receives ssh2's debug lines (only with -v). */
  debug?: (line: string) => void;
  /** Receives the jump's SSH_MSG_DEBUG texts, which name authorized_keys restrictions. */
  onServerDebug?: (text: string) => void;
  /** A TCP connection already under way (see openTcp), so it overlaps with loading this module. */
  socket?: Promise<Socket>;
  /** Told, once logged in, which identity the jump accepted (see AuthReport.offered). */
  onAuthenticated?: (identity: string) => void;
}

export const SERVER_DEBUG = 'Debug output from server: ';

/** ssh2 logs the server's SSH_MSG_DEBUG text JSON-encoded. */
export function decodeServerDebug(encoded: string): string {
  try {
    const text: unknown = JSON.parse(encoded);
    return typeof text === 'string' ? text : encoded;
  } catch {
    return encoded;
  }
}

function authError(jump: JumpConfig, report: AuthReport): TunnelError {
  const head = `authentication to ${jump.name} as ${jump.user} failed`;
  const locked = report.locked[0];
  if (locked !== undefined) {
    const why = jump.batchMode
      ? 'BatchMode forbids asking for its passphrase'
      : report.wrongPassphrase
        ? 'the passphrase given was wrong'
        : 'there was no terminal to ask for its passphrase';
    return new TunnelError('auth', `${head}: ${report.locked.join(', ')} is passphrase-protected and ${why}: add it to your agent with \`ssh-add ${locked}\``);
  }
  const tried = [report.agentUsed ? "the agent's keys" : '', ...report.keysTried].filter(Boolean);
  if (tried.length === 0) {
    return new TunnelError('auth', `${head}: there was no key to offer (no IdentityFile exists and no agent is set): set IdentityFile for ${jump.name} or start ssh-agent`);
  }
  return new TunnelError('auth', `${head}: it accepted none of ${tried.join(', ')}: add your public key to ${jump.user}'s authorized_keys on the jump`);
}

function sshError(jump: JumpConfig, error: Error & { level?: string }, guard: HostKeyGuard, report: AuthReport): TunnelError {
  const refusal = guard.refusal();
  if (refusal) return refusal;
  if (error.level === 'client-authentication') return authError(jump, report);
  if (error.level === 'client-timeout' && /keepalive/i.test(error.message)) {
    return new TunnelError(
      'unreachable',
      `${jump.name} stopped answering: no reply to ${jump.serverAliveCountMax} keepalives ${jump.serverAliveIntervalSeconds}s apart (ServerAliveInterval/ServerAliveCountMax)`,
    );
  }
  if (/host key format|host key/i.test(error.message) && error.level === 'handshake') {
    return new TunnelError(
      'hostKey',
      `${jump.name} offers no host key algorithm that ssh would accept from it (${error.message}): check HostKeyAlgorithms and the key types known_hosts has for it; its host key may have changed: verify it with \`ssh ${jump.name}\``,
    );
  }
  if ((error as NodeJS.ErrnoException).code) return socketError(jump, error as NodeJS.ErrnoException);
  return new TunnelError('unreachable', `the SSH connection to ${where(jump)} failed (${error.message}): check that it is an SSH server and that its sshd accepts connections (MaxStartups, firewalls)`, { cause: error });
}

/** What the SSH library supports and prefers, for offeredAlgorithms. */
export const LIBRARY: LibraryAlgorithms = {
  supported: { hostKey: constants.SUPPORTED_SERVER_HOST_KEY, kex: constants.SUPPORTED_KEX, cipher: constants.SUPPORTED_CIPHER, mac: constants.SUPPORTED_MAC },
  preferred: { hostKey: constants.DEFAULT_SERVER_HOST_KEY, kex: constants.DEFAULT_KEX, cipher: constants.DEFAULT_CIPHER, mac: constants.DEFAULT_MAC },
};

/** Only what the user's ssh would offer this jump, host key algorithms in ssh's order. */
function libraryAlgorithms(jump: JumpConfig, guard: HostKeyGuard): Algorithms {
  const offered = offeredAlgorithms(jump.algorithms, LIBRARY, guard.knownTypes, jump.name, jump.algorithms.hostKeyOrderedByKnownHosts);
  return { serverHostKey: offered.hostKey, kex: offered.kex, cipher: offered.cipher, hmac: offered.mac } as Algorithms;
}

/** A ready SSH connection to the jump: host key verified, authenticated. */
export async function connectJump(jump: JumpConfig, options: ConnectOptions): Promise<Client> {
  const algorithms = libraryAlgorithms(jump, options.guard);
  const socket = await (options.socket ?? openTcp(jump));
  if (socket.destroyed) throw socketError(jump, Object.assign(new Error('the connection closed before the SSH handshake'), { code: 'ECONNRESET' }));
  options.guard.connectedTo(socket.remoteAddress);
  const client = new SshClient();
  const report: AuthReport = { agentUsed: false, keysTried: [], locked: [], wrongPassphrase: false };
  const handshakeSeconds = jump.connectTimeoutSeconds ?? DEFAULT_HANDSHAKE_SECONDS;

  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const fail = (error: TunnelError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners('ready');
      client.end();
      socket.destroy();
      reject(error);
    };
    const startTimer = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
        fail(
          new TunnelError(
            'unreachable',
            `${where(jump)} accepted the connection but the SSH handshake did not finish within ${handshakeSeconds}s (${jump.connectTimeoutSeconds ? 'ConnectTimeout' : 'the default bound; set ConnectTimeout to change it'}): check that the jump's sshd is healthy`,
          ),
        ),
        handshakeSeconds * 1000,
      );
    };
    const onAsk = (asking: boolean): void => (asking ? clearTimeout(timer) : startTimer());
    const auth = defaultAuthDeps(async (question) => {
      onAsk(true);
      try {
        return await options.askPassphrase(question);
      } finally {
        onAsk(false);
      }
    });
    options.guard.onAsk = onAsk;

    const debug = (line: string): void => {
      options.debug?.(line);
      if (options.onServerDebug && line.startsWith(SERVER_DEBUG)) {
        options.onServerDebug(decodeServerDebug(line.slice(SERVER_DEBUG.length)));
      }
    };

    const onError = (error: Error): void => fail(sshError(jump, error, options.guard, report));
    const onClose = (): void => fail(sshError(jump, new Error('connection closed during the handshake'), options.guard, report));
    client.once('ready', () => {
      settled = true;
      clearTimeout(timer);
      client.removeListener('error', onError).removeListener('close', onClose);
      options.onAuthenticated?.(report.offered ?? 'none (the jump asked for no key)');
      resolve(client);
    });
    // ssh2 can emit several errors for one failure; every one must have a listener.
    client.on('error', onError);
    client.once('close', onClose);
    startTimer();
    client.connect({
      // ssh2's parseHeader loses pieces of an identification line split over several segments
      sock: new WholeIdentSocket(socket),
      username: jump.user,
      hostVerifier: options.guard.verifier,
      algorithms,
      authHandler: createAuthHandler(jump, auth, report),
      keepaliveInterval: jump.serverAliveIntervalSeconds * 1000,
      keepaliveCountMax: jump.serverAliveCountMax,
      readyTimeout: 0,
      debug,
    });
  });
}
