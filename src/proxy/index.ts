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
import { openSharedChannel } from './shared.js';

export interface ProxyOptions {
  host: string;
  jump: string;
  socketDir: string;
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

/**
 * Runs the ProxyCommand: validates, resolves the jump with `ssh -G`, then opens HOST's channel on the
 * jump's shared connection, or on a connection of its own. Returns the exit status.
 */
export async function runProxy(options: ProxyOptions, io: ProxyIo): Promise<number> {
  const socketPath = socketPathFor(options.socketDir, options.host);
  const spec = parseJumpSpec(options.jump);
  const debug = options.verbose ? (line: string) => io.stderr(`debug: [${Math.round(performance.now())} ms] ${line}`) : undefined;
  const shared = options.persistSeconds > 0;
  // Without sharing, ssh2 and ssh's defaults load while `ssh -G` runs; with it, only if it is not used.
  let defaults = shared ? undefined : sshDefaults(io.env);
  let connecting = shared ? undefined : loadConnection();
  const sshG = await runSshG(sshGArgs(spec, options.configFile), io.env);
  const ctx = expandContext(io.env);
  const early = jumpConfigFrom(parseSshG(sshG), spec.host, ctx);
  assertDirectJump(early);
  debug?.(`jump ${early.name}: ${early.user}@${early.hostName}:${early.port}, socket ${socketPath}`);

  if (shared) {
    const channel = await openSharedChannel({
      jumpArg: options.jump,
      jumpName: early.name,
      configFile: options.configFile,
      sshG,
      host: options.host,
      socketDir: options.socketDir,
      idleSeconds: options.persistSeconds,
      connectTimeoutSeconds: early.connectTimeoutSeconds,
      env: io.env,
      tell: io.stderr,
      debug,
    });
    if (channel) return pipeUntilDone(channel, () => undefined, sharedLink(channel, early.name), silentBehind(options.host, socketPath, early.name));
  }

  // The TCP connection is under way while the SSH library loads.
  const tcp = openTcp(early);
  tcp.catch(() => undefined);
  defaults ??= sshDefaults(io.env);
  connecting ??= loadConnection();
  const jump: JumpConfig = jumpConfigFrom(parseSshG(sshG), spec.host, ctx, parseSshG(await defaults));
  const { openJump, keepInteractive } = await connecting;
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
  return pipeUntilDone(channel, () => session.client.end(), { lostError: session.lostError, onLost: session.onLost }, silentBehind(options.host, socketPath, jump.name));
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
