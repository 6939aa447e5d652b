import type { Duplex } from 'node:stream';
import { TunnelError } from '../errors.js';
import { assertDirectJump, jumpConfigFrom, parseJumpSpec, parseSshG, sshGArgs, type JumpConfig } from '../jump/jump.js';
import { expandContext, runSshG, sshDefaults } from '../jump/resolve.js';
import { openTcp } from '../jump/tcp.js';
import { sharedEndError, type SharedChannel } from '../shared/client.js';
import { socketPathFor } from '../ssh/hostname.js';
import { askOnTerminal } from '../tty.js';
import { openHostChannel, type ChannelTarget } from './channel.js';
import { openStdout, relay } from './relay.js';
import { FAILOVER_CODES, type Route } from './routes.js';
import { openSharedChannel } from './shared.js';

export interface ProxyOptions {
  host: string;
  /** Tried in order: the first that reaches HOST carries the session. */
  routes: Route[];
  configFile?: string;
  verbose: boolean;
  /** How long a shared jump connection outlives its last channel; 0: no sharing. */
  persistSeconds: number;
}

export interface ProxyIo {
  env: NodeJS.ProcessEnv;
  stderr: (line: string) => void;
}

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
/** How often the proxy looks whether its ssh is still there. */
const PARENT_CHECK_MS = 500;

/** A channel to HOST, what ends it, and how its loss is told. */
interface Opened {
  channel: Duplex;
  close: () => void;
  link: Link & { afterClose?: () => TunnelError | undefined };
  silent: TunnelError;
}

/**
 * Runs the ProxyCommand: validates, then tries each route in turn: resolves its jump with `ssh -G`,
 * opens HOST's channel on the jump's shared connection or on a connection of its own, and relays.
 * Returns the exit status; when every route fails, throws one line per jump.
 */
export async function runProxy(options: ProxyOptions, io: ProxyIo): Promise<number> {
  const debug = options.verbose ? (line: string) => io.stderr(`debug: [${Math.round(performance.now())} ms] ${line}`) : undefined;
  const routes = options.routes.map((route) => ({ ...route, spec: parseJumpSpec(route.jump), socketPath: socketPathFor(route.socketDir, options.host) }));
  const shared = options.persistSeconds > 0;
  // Without sharing, ssh2 and ssh's defaults load while `ssh -G` runs; with it, only if it is not used.
  const loads: Loads = shared ? {} : { defaults: sshDefaults(io.env), connecting: loadConnection() };
  const failures: TunnelError[] = [];
  for (const [index, route] of routes.entries()) {
    let opened: Opened;
    try {
      opened = await openRoute(options, route, io, loads, debug);
    } catch (error) {
      if (!(error instanceof TunnelError) || !FAILOVER_CODES.has(error.code) || routes.length === 1) throw error;
      failures.push(error);
      debug?.(`${route.jump} failed (${error.code}): ${index + 1 < routes.length ? 'trying the next jump' : 'no jump left'}`);
      continue;
    }
    if (routes.length > 1) debug?.(`using jump ${index + 1} of ${routes.length}, ${route.jump}`);
    return pipeUntilDone(opened.channel, opened.close, opened.link, opened.silent);
  }
  throw everyRouteFailed(options.host, routes, failures);
}

/** One line per jump, in the order tried; the status is the first jump's. */
export function everyRouteFailed(host: string, routes: readonly Route[], failures: readonly TunnelError[]): TunnelError {
  const lines = failures.map((failure, index) => `via ${routes[index]?.jump ?? '?'} (jump ${index + 1} of ${routes.length}): ${failure.message}`);
  const first = failures[0];
  return new TunnelError(first?.code ?? 'unreachable', `${host} cannot be reached through any of its ${routes.length} jumps`, { lines });
}

interface Loads {
  defaults?: Promise<string>;
  connecting?: Promise<typeof import('../jump/index.js')>;
}

/** HOST's channel through one jump: on its shared connection when there is one to be had, else on a connection of its own. */
async function openRoute(
  options: ProxyOptions,
  route: Route & { spec: ReturnType<typeof parseJumpSpec>; socketPath: string },
  io: ProxyIo,
  loads: Loads,
  debug: ((line: string) => void) | undefined,
): Promise<Opened> {
  const { socketPath } = route;
  const sshG = await runSshG(sshGArgs(route.spec, options.configFile), io.env);
  const ctx = expandContext(io.env);
  const early = jumpConfigFrom(parseSshG(sshG), route.spec.host, ctx);
  assertDirectJump(early);
  debug?.(`jump ${early.name}: ${early.user}@${early.hostName}:${early.port}, socket ${socketPath}`);

  if (options.persistSeconds > 0) {
    const channel = await openSharedChannel({
      jumpArg: route.jump,
      jumpName: early.name,
      configFile: options.configFile,
      sshG,
      host: options.host,
      socketDir: route.socketDir,
      idleSeconds: options.persistSeconds,
      connectTimeoutSeconds: early.connectTimeoutSeconds,
      env: io.env,
      tell: io.stderr,
      debug,
    });
    if (channel) return { channel, close: () => undefined, link: sharedLink(channel, early.name), silent: silentBehind(options.host, socketPath, early.name) };
  }

  // The TCP connection is under way while the SSH library loads.
  const tcp = openTcp(early);
  tcp.catch(() => undefined);
  loads.defaults ??= sshDefaults(io.env);
  loads.connecting ??= loadConnection();
  const jump: JumpConfig = jumpConfigFrom(parseSshG(sshG), route.spec.host, ctx, parseSshG(await loads.defaults));
  const { openJump, keepInteractive } = await loads.connecting;
  const session = await openJump(jump, { ask: askOnTerminal, tell: io.stderr, ...(debug ? { debug } : {}) }, tcp);
  keepInteractive(session);
  const target: ChannelTarget = { host: options.host, socketPath, jumpName: jump.name };
  let channel: Duplex;
  try {
    channel = await openHostChannel(session, target);
  } catch (error) {
    session.client.end();
    throw error;
  }
  debug?.(`channel to ${socketPath} open`);
  return {
    channel,
    close: () => session.client.end(),
    link: { lostError: session.lostError, onLost: session.onLost },
    silent: silentBehind(options.host, socketPath, jump.name),
  };
}

/** ssh2 and the rest of the connection code: loaded only when the proxy connects on its own. */
function loadConnection(): Promise<typeof import('../jump/index.js')> {
  const loading = import('../jump/index.js');
  loading.catch(() => undefined);
  return loading;
}

/** Whether, and why, the carrier of the channel was lost. */
interface Link {
  lostError: () => TunnelError | undefined;
  onLost: (cb: () => void) => void;
}

/** A channel on the shared connection is lost when its end frame says so, or when none came. */
function sharedLink(channel: SharedChannel, jumpName: string): Link & { afterClose: () => TunnelError | undefined } {
  return { lostError: () => undefined, onLost: () => undefined, afterClose: () => sharedEndError(channel.ending, jumpName) };
}

/** An SSH server speaks first; a channel that closes before any byte came back had nothing behind it. */
function silentBehind(host: string, socketPath: string, jumpName: string): TunnelError {
  return new TunnelError(
    'silent',
    `${host}'s tunnel is up on ${jumpName} but nothing answered behind it (${socketPath} closed without a byte): check that ${host}'s sshd is running and that its tunnel forwards to it (ssh -N -R ${socketPath}:localhost:22 …)`,
  );
}

/** Relays stdio over the channel until it closes, its carrier is lost, its ssh is gone, or a signal ends it. */
function pipeUntilDone(channel: Duplex, close: () => void, link: Link & { afterClose?: () => TunnelError | undefined }, silent: TunnelError): Promise<number> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let answered = false;
    channel.once('data', () => {
      answered = true;
    });
    // No need to wait for the channel's close: EOF before the server's first byte is the answer.
    channel.once('end', () => {
      if (answered) return;
      channel.destroy();
      finish(silent);
    });
    const parent = process.ppid;
    const finish = (result: number | Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearInterval(parentCheck);
      for (const name of Object.keys(SIGNALS)) process.removeListener(name, onSignal);
      close();
      if (typeof result === 'number') resolve(result);
      else reject(result);
    };
    const onSignal = (name: keyof typeof SIGNALS): void => {
      channel.destroy();
      finish(128 + SIGNALS[name]);
    };
    for (const name of Object.keys(SIGNALS)) process.on(name, onSignal);
    link.onLost(() => finish(link.lostError()));
    // Nobody reads our output once our ssh is gone: end at once rather than hold the channel open.
    const parentCheck = setInterval(() => {
      if (process.ppid !== parent) {
        channel.destroy();
        finish(0);
      }
    }, PARENT_CHECK_MS);
    parentCheck.unref();

    const { output, closeFd } = openStdout();
    relay(channel, process.stdin, output, closeFd).then((end) => {
      if (end !== 'closed') return finish(0);
      finish(link.afterClose?.() ?? (answered ? 0 : silent));
    }, finish);
  });
}
