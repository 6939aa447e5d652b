import { randomBytes } from 'node:crypto';
import type { Algorithms, Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { Client as SshClient } from '../jump/ssh2.js';
import { fileType, type FileType } from '../fleet/file-type.js';
import { openSocketChannel } from '../proxy/channel.js';

/** What the jump says about a path over SFTP: a socket (or server-setup's link to one), missing, something else, or unknown (no SFTP). */
export type PathState = 'socket' | 'missing' | 'other' | 'unknown';


/** Runs `work` on an SFTP session, or resolves undefined when the account has none. */
function withSftp<T>(client: Client, work: (sftp: SFTPWrapper) => Promise<T>): Promise<T | undefined> {
  return new Promise((resolve) => {
    client.sftp((error, sftp) => {
      if (error) return resolve(undefined);
      work(sftp).then(
        (value) => {
          sftp.end();
          resolve(value);
        },
        () => {
          sftp.end();
          resolve(undefined);
        },
      );
    });
  });
}

export async function pathState(client: Client, path: string): Promise<PathState> {
  const modeOf = (sftp: SFTPWrapper, look: 'lstat' | 'stat'): Promise<FileType | 'missing' | 'unknown'> =>
    new Promise((resolve) =>
      sftp[look](path, (error, attrs) => resolve(error ? ((error as Error & { code?: number }).code === 2 ? 'missing' : 'unknown') : fileType(attrs.mode))),
    );
  const state = await withSftp(client, async (sftp): Promise<PathState> => {
    const own = await modeOf(sftp, 'lstat');
    // server-setup's per-host link points at nothing until its host first connects: no socket yet.
    const type = own === 'link' ? await modeOf(sftp, 'stat') : own;
    return type === 'link' ? 'other' : type;
  });
  return state ?? 'unknown';
}

/** Whether this account may open stream-local channels, told apart from a host that is not there. */
export type StreamLocalTest =
  | { outcome: 'allowed' | 'refused'; path: string }
  /** The jump refused the test socket and said why in SSH_MSG_DEBUG ("Server has disabled streamlocal forwarding"). */
  | { outcome: 'disabled'; said: string }
  /** Nothing to test with: no SFTP to clean up after, or the socket could not be bound. */
  | { outcome: 'untestable'; why: string };

const TEST_DIR = '/tmp';

/**
 * Binds a socket of its own on the jump (a remote stream-local forward in /tmp) and opens a channel to it:
 * if that opens, stream-local channels are allowed. Only with SFTP, which removes the socket afterwards
 * (sshd leaves the file behind). `serverSaid` returns what the jump sent as SSH_MSG_DEBUG meanwhile.
 */
export async function testStreamLocal(client: Client, jumpName: string, serverSaid: () => string[]): Promise<StreamLocalTest> {
  const path = `${TEST_DIR}/tunnel-config-doctor-${randomBytes(6).toString('hex')}.sock`;
  const result = await withSftp(client, async (sftp) => {
    const heard = serverSaid().length;
    const bound = await new Promise<Error | undefined>((resolve) => client.openssh_forwardInStreamLocal(path, (error) => resolve(error ?? undefined)));
    if (bound) {
      const said = serverSaid().slice(heard).find((text) => /disabled streamlocal forwarding/i.test(text));
      return said !== undefined ? ({ outcome: 'disabled', said } as const) : ({ outcome: 'untestable', why: `the jump would not bind a test socket in ${TEST_DIR} (${bound.message})` } as const);
    }
    // Our own socket: a connection to it comes back to us and is turned away.
    const turnAway = (_info: unknown, _accept: unknown, reject: () => void): void => reject();
    client.on('unix connection', turnAway);
    let outcome: 'allowed' | 'refused';
    try {
      const channel: ClientChannel = await openSocketChannel(client, { host: 'doctor', socketPath: path, jumpName }, 10);
      channel.close();
      outcome = 'allowed';
    } catch {
      outcome = 'refused';
    } finally {
      client.removeListener('unix connection', turnAway);
      await new Promise((resolve) => client.openssh_unforwardInStreamLocal(path, () => resolve(undefined)));
      await new Promise((resolve) => sftp.unlink(path, () => resolve(undefined)));
    }
    return { outcome, path } as const;
  });
  return result ?? { outcome: 'untestable', why: 'the account has no SFTP to remove a test socket with' };
}

/**
 * The hidden host's host key, from an SSH handshake over a new channel to its socket that goes only as far as
 * the key: the verifier keeps it and says no, so nothing is authenticated and nothing is trusted.
 */
export async function fetchHostKey(client: Client, target: { host: string; socketPath: string; jumpName: string }, hostKeyAlgorithms: string[], timeoutMs: number): Promise<Buffer> {
  const channel = await openSocketChannel(client, target, timeoutMs / 1000);
  return new Promise((resolve, reject) => {
    const ssh = new SshClient();
    let key: Buffer | undefined;
    const timer = setTimeout(() => finish(new Error(`no host key within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      ssh.removeAllListeners('error');
      ssh.on('error', () => undefined);
      ssh.end();
      channel.close();
      if (key) resolve(key);
      else reject(error ?? new Error('the handshake ended before a host key came'));
    };
    ssh.on('error', (error) => finish(error));
    ssh.on('close', () => finish());
    ssh.connect({
      sock: channel,
      username: 'tunnel-config-doctor',
      hostVerifier: (presented: Buffer) => {
        key = presented;
        setImmediate(() => finish());
        return false;
      },
      ...(hostKeyAlgorithms.length > 0 ? { algorithms: { serverHostKey: hostKeyAlgorithms } as Algorithms } : {}),
      readyTimeout: timeoutMs,
    });
  });
}
