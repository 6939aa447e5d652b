import { chmodSync, renameSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { ClientChannel } from 'ssh2';
import { TunnelError } from '../errors.js';
import { keepInteractive, openJump, type JumpSession } from '../jump/index.js';
import type { JumpConfig } from '../jump/jump.js';
import { openHostChannel } from '../proxy/channel.js';
import { socketPathFor } from '../ssh/hostname.js';
import { encodeJsonFrame, PROTOCOL_VERSION, type End, type Reply, type Request, type SharedStatus } from './protocol.js';
import { endConnection, isWellFormed, readRequest, spliceChannel } from './splice.js';
import type { SharedPaths } from './paths.js';
import { removeQuietly } from './store.js';

/** What the shared process tells the proxy that started it, once. */
export type StartReport = { state: 'ready'; messages: string[] } | { state: 'failed'; code: string; message: string; messages: string[] };

export interface DaemonOptions {
  jump: JumpConfig;
  paths: SharedPaths;
  token: string;
  idleSeconds: number;
  version: string;
  /** The one line for the proxy that started it. */
  report: (report: StartReport) => void;
  log: (line: string) => void;
}

const REQUEST_TIMEOUT_MS = 10_000;
const PATH_CHECK_MS = 5_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs the shared connection until it is idle for idleSeconds, stopped, replaced, or its jump is lost. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const { jump, paths } = options;
  const messages: string[] = [];
  let session: JumpSession;
  try {
    session = await openJump(jump, { ask: async () => undefined, tell: (line) => messages.push(line) });
  } catch (error) {
    const known = error instanceof TunnelError ? error : new TunnelError('internal', (error as Error).message);
    options.report({ state: 'failed', code: known.code, message: known.message, messages });
    return known.exitCode;
  }
  keepInteractive(session);

  const startedAt = Date.now();
  const channels = new Set<Socket>();
  let total = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let stopping = false;

  const server = createServer({ allowHalfOpen: true }, (conn) => void serve(conn));
  const temporary = `${paths.socket}.${process.pid}`;
  await listen(server, temporary);
  chmodSync(temporary, 0o600);
  renameSync(temporary, paths.socket);
  const inode = statSync(paths.socket).ino;
  options.log(`serving ${jump.name} on ${paths.socket}`);
  options.report({ state: 'ready', messages });

  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const stop = (why: string, end: End = { ok: true }): void => {
    if (stopping) return;
    stopping = true;
    options.log(`stopping: ${why}`);
    clearTimeout(idleTimer);
    clearInterval(pathCheck);
    if (ownsPath()) removeQuietly(paths.socket);
    server.close();
    for (const conn of channels) endConnection(conn, end);
    session.client.end();
    finish(0);
  };
  const armIdle = (): void => {
    clearTimeout(idleTimer);
    // setTimeout holds at most 2^31-1 ms (24.8 days); longer means "until stopped" in practice.
    const idleMs = Math.min(options.idleSeconds * 1000, MAX_TIMER_MS);
    if (channels.size === 0 && !stopping) idleTimer = setTimeout(() => stop(`idle for ${options.idleSeconds}s`), idleMs);
  };
  const ownsPath = (): boolean => {
    try {
      return statSync(paths.socket).ino === inode;
    } catch {
      return false;
    }
  };
  // Replaced (another process took the name) or removed: serve what is open, take nothing new.
  const pathCheck = setInterval(() => {
    if (!ownsPath()) stop('its socket was replaced or removed');
  }, PATH_CHECK_MS);
  pathCheck.unref();
  session.onLost(() => {
    const lost = session.lostError() ?? new TunnelError('unreachable', `lost the connection to ${jump.name}`);
    stop(lost.message, { ok: false, code: lost.code, message: lost.message });
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  armIdle();

  function status(): SharedStatus {
    return {
      jump: jump.name,
      target: `${jump.user}@${jump.hostName}:${jump.port}`,
      pid: process.pid,
      version: options.version,
      startedAt,
      channelsOpen: channels.size,
      channelsTotal: total,
      bytesIn,
      bytesOut,
      idleTimeoutSeconds: options.idleSeconds,
    };
  }

  async function serve(conn: Socket): Promise<void> {
    const read = await readRequest(conn, REQUEST_TIMEOUT_MS);
    if (read !== undefined) handle(conn, read.request, read.rest);
  }

  function handle(conn: Socket, request: Request, rest: Buffer): void {
    const reply = (value: Reply): boolean => conn.write(encodeJsonFrame('reply', value));
    if (!isWellFormed(request) || request.token !== options.token) {
      reply({ ok: false, code: 'internal', message: 'request refused' });
      conn.end();
      return;
    }
    if (request.version !== PROTOCOL_VERSION) {
      reply({ ok: false, code: 'version', message: `protocol ${request.version} is not ${PROTOCOL_VERSION}` });
      conn.end();
      return;
    }
    if (request.op === 'status') {
      reply({ ok: true, status: status() });
      conn.end();
      return;
    }
    if (request.op === 'stop') {
      reply({ ok: true });
      conn.end();
      stop('asked to stop');
      return;
    }
    if (stopping) {
      reply({ ok: false, code: 'version', message: 'the shared connection is stopping' });
      conn.end();
      return;
    }
    channels.add(conn);
    total += 1;
    clearTimeout(idleTimer);
    conn.once('close', () => {
      channels.delete(conn);
      armIdle();
    });
    void openChannel(conn, request, rest, reply);
  }

  async function openChannel(conn: Socket, request: Extract<Request, { op: 'open' }>, rest: Buffer, reply: (value: Reply) => boolean): Promise<void> {
    let channel: ClientChannel;
    try {
      channel = await openHostChannel(session, { host: request.host, socketPath: socketPathFor(request.socketDir, request.host), jumpName: jump.name });
    } catch (error) {
      const known = error instanceof TunnelError ? error : new TunnelError('internal', (error as Error).message);
      reply({ ok: false, code: known.code, message: known.message });
      conn.end();
      // A refusal that comes from the authorized_keys line this connection logged in with lasts as long as
      // the connection: end it, so that the line, once fixed, applies to the next connect.
      if (known.code === 'refused') stop('the jump refused a channel for the key this connection logged in with');
      return;
    }
    if (conn.destroyed) {
      channel.close();
      return;
    }
    reply({ ok: true });
    spliceChannel(conn, channel, rest, { in: (n) => (bytesIn += n), out: (n) => (bytesOut += n) });
  }
  return done;
}

function listen(server: Server, path: string): Promise<void> {
  removeQuietly(path);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}
