import type { Client, ClientChannel } from 'ssh2';
import { TunnelError } from '../errors.js';
import { askOnTerminal } from '../tty.js';
import { openSocketChannel, type ChannelTarget } from './channel.js';
import { createHostKeyGuard } from '../jump/hostkey.js';
import { socketPathFor } from '../ssh/hostname.js';
import { restrictionFromServerDebug } from '../jump/restrictions.js';
import { resolveJump } from '../jump/resolve.js';
import { openStdout, relay } from './relay.js';

export interface ProxyOptions {
  host: string;
  jump: string;
  socketDir: string;
  configFile?: string;
  verbose: boolean;
}

export interface ProxyIo {
  env: NodeJS.ProcessEnv;
  stderr: (line: string) => void;
}

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/** Runs the ProxyCommand: validates, resolves the jump, connects, opens the socket channel and relays stdio. Returns the exit status. */
export async function runProxy(options: ProxyOptions, io: ProxyIo): Promise<number> {
  const socketPath = socketPathFor(options.socketDir, options.host);
  // ssh2 and the crypto setup load while `ssh -G` runs.
  const connecting = import('../jump/connect.js');
  connecting.catch(() => undefined);
  const jump = await resolveJump(options.jump, options.configFile, io.env);
  if (jump.proxyJump !== undefined || jump.proxyCommand !== undefined) {
    throw new TunnelError('usage', `the jump ${jump.name} is itself reached through ${jump.proxyJump ? 'ProxyJump' : 'ProxyCommand'}, which tunnel-config proxy does not follow: give --jump a host it can reach directly`);
  }
  const debug = options.verbose ? (line: string) => io.stderr(`debug: ${line}`) : undefined;
  debug?.(`jump ${jump.name}: ${jump.user}@${jump.hostName}:${jump.port}, socket ${socketPath}`);

  const guard = await createHostKeyGuard(jump, { ask: (q) => askOnTerminal(q, { echo: true }), tell: io.stderr });
  let restriction: string | undefined;
  const { connectJump } = await connecting;
  const client = await connectJump(jump, {
    guard,
    askPassphrase: (q) => askOnTerminal(q, { echo: false }),
    ...(debug ? { debug } : {}),
    onServerDebug: (text) => {
      restriction ??= restrictionFromServerDebug(text);
    },
  });

  const link = watchConnection(client, jump.name);
  const target: ChannelTarget = { host: options.host, socketPath, jumpName: jump.name };
  let channel: ClientChannel;
  try {
    channel = await openSocketChannel(client, target, jump.connectTimeoutSeconds);
  } catch (error) {
    client.end();
    const lostError = link.lostError();
    if (lostError) throw lostError;
    if (restriction && error instanceof TunnelError) {
      throw new TunnelError('refused', `${jump.name} refused to open ${socketPath}: ${restriction}`);
    }
    throw error;
  }
  debug?.(`channel to ${socketPath} open`);
  return pipeUntilDone(client, channel, link);
}

/** The connection to the jump after the handshake: whether, and why, it was lost. */
interface Link {
  lostError: () => TunnelError | undefined;
  onLost: (cb: () => void) => void;
}

function watchConnection(client: Client, jumpName: string): Link {
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
  return { lostError, onLost: (cb) => callbacks.push(cb) };
}

/** Relays stdio over the channel until it closes, the connection is lost, or a signal ends it. */
function pipeUntilDone(client: Client, channel: ClientChannel, link: Link): Promise<number> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (result: number | Error | undefined): void => {
      if (settled) return;
      settled = true;
      for (const name of Object.keys(SIGNALS)) process.removeListener(name, onSignal);
      client.end();
      if (typeof result === 'number') resolve(result);
      else reject(result);
    };
    const onSignal = (name: keyof typeof SIGNALS): void => {
      channel.destroy();
      finish(128 + SIGNALS[name]);
    };
    for (const name of Object.keys(SIGNALS)) process.on(name, onSignal);
    link.onLost(() => finish(link.lostError()));

    const { output, closeFd } = openStdout();
    relay(channel, process.stdin, output, closeFd).then(() => finish(0), finish);
  });
}
