import { userInfo } from 'node:os';
import { TunnelError } from '../errors.js';
import { openRequest, sendRequest, SharedChannel } from '../shared/client.js';
import { sharedDir, sharedKey, sharedPaths, type SharedPaths } from '../shared/paths.js';
import { startShared } from '../shared/spawn.js';
import { ensurePrivateDir, ensureToken } from '../shared/store.js';
import { socketPathLimit } from '../ssh/hostname.js';
import { packageVersion } from '../version.js';

export interface SharedOpenOptions {
  /** `--jump` as given, for the shared process to resolve again. */
  jumpArg: string;
  jumpName: string;
  configFile: string | undefined;
  /** The `ssh -G` text the shared connection is keyed on. */
  sshG: string;
  host: string;
  socketDir: string;
  idleSeconds: number;
  connectTimeoutSeconds: number | undefined;
  env: NodeJS.ProcessEnv;
  tell: (line: string) => void;
  debug: ((line: string) => void) | undefined;
}

/** The handshake's and the channel open's bound when ConnectTimeout is unset. */
const DEFAULT_BOUND_SECONDS = 30;
const MARGIN_MS = 5000;

/** Where this jump's shared connection lives, or why there is none to be had (then the proxy goes direct). */
function locate(options: SharedOpenOptions): { paths: SharedPaths; key: string; token: string } | string {
  const me = userInfo();
  const dir = sharedDir(options.env, options.env.HOME || me.homedir);
  const problem = ensurePrivateDir(dir, me.uid);
  if (problem !== undefined) return problem;
  const key = sharedKey(options.sshG, packageVersion(), me.uid);
  const paths = sharedPaths(dir, key);
  // The shared process binds a temporary name beside it first.
  if (Buffer.byteLength(`${paths.socket}.4194304`) >= socketPathLimit()) return `${paths.socket} is too long for a UNIX socket`;
  const token = ensureToken(paths.token);
  return token === undefined ? `cannot read or create ${paths.token}` : { paths, key, token };
}

/**
 * Opens HOST's channel on the jump's shared connection, starting the shared process when none runs.
 * Resolves undefined whenever sharing cannot be used, so the proxy connects on its own with the same
 * checks and errors; throws only what a direct connection would throw too (offline, refused, unreachable).
 */
export async function openSharedChannel(options: SharedOpenOptions): Promise<SharedChannel | undefined> {
  const debug = options.debug ?? (() => undefined);
  const located = locate(options);
  if (typeof located === 'string') {
    debug(`shared connection not used: ${located}`);
    return undefined;
  }
  const { paths, key, token } = located;
  const boundMs = (options.connectTimeoutSeconds ?? DEFAULT_BOUND_SECONDS) * 1000 + MARGIN_MS;
  const request = openRequest(token, options.host, options.socketDir);

  let answer = await sendRequest(request, { socket: paths.socket, timeoutMs: boundMs });
  if ('unavailable' in answer) {
    if (!answer.startable) {
      debug(`shared connection at ${paths.socket} not used: ${answer.unavailable}`);
      return undefined;
    }
    debug(`starting the shared connection for ${options.jumpName} at ${paths.socket}`);
    const started = await startShared({
      paths,
      key,
      jump: options.jumpArg,
      configFile: options.configFile,
      idleSeconds: options.idleSeconds,
      env: options.env,
      timeoutMs: boundMs,
    });
    if (started.state === 'ready' || started.state === 'failed') for (const line of started.messages) options.tell(line);
    if (started.state === 'failed') {
      // A jump that cannot be reached would only time out again; anything else the proxy retries itself, and may ask.
      if (started.code === 'unreachable') throw new TunnelError('unreachable', started.message);
      debug(`the shared connection did not start (${started.message}); connecting directly`);
      return undefined;
    }
    if (started.state === 'unavailable') {
      debug(`the shared connection did not start (${started.why}); connecting directly`);
      return undefined;
    }
    answer = await sendRequest(request, { socket: paths.socket, timeoutMs: boundMs });
    if ('unavailable' in answer) {
      debug(`shared connection at ${paths.socket} not used: ${answer.unavailable}`);
      return undefined;
    }
  }
  const { reply } = answer;
  if (!reply.ok) {
    answer.conn.destroy();
    if (reply.code === 'version' || reply.code === 'internal') {
      debug(`shared connection refused the request (${reply.message}); connecting directly`);
      return undefined;
    }
    throw new TunnelError(reply.code === 'offline' || reply.code === 'refused' || reply.code === 'unreachable' ? reply.code : 'unreachable', reply.message);
  }
  debug(`channel to ${options.socketDir}/${options.host}.sock open on the shared connection ${paths.socket}`);
  return new SharedChannel(answer.conn, answer.decoder);
}
