import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { ExitCode } from '../errors.js';
import { decodeServerDebug, SERVER_DEBUG } from '../jump/connect.js';
import type { JumpSession } from '../jump/index.js';
import { assertDirectJump, type JumpConfig } from '../jump/jump.js';
import { resolveJump } from '../jump/resolve.js';
import { openTcp } from '../jump/tcp.js';
import { judgeKey } from './key-files.js';
import type { Route } from '../proxy/routes.js';
import { asTunnelError, type DoctorStep, fail, pass, splitFix } from './steps.js';
import { type HiddenHost, walkSocket } from './walk-socket.js';

export interface WalkIo {
  env: NodeJS.ProcessEnv;
  /** Asks for a key's passphrase on the terminal; undefined when nobody can answer. Host keys are never asked about. */
  askPassphrase: (question: string) => Promise<string | undefined>;
}

/** Bounds the TCP connect when ConnectTimeout is not set, so that a blackholed jump cannot hold the doctor for minutes. */
const TCP_SECONDS = 15;

/**
 * Walks one jump of the ProxyCommand as the proxy would go: ssh -G for the jump, its name, TCP, its host key,
 * the login, stream-local channels, HOST's socket and banner, and HOST's own host key. Stops at the first
 * failure; never asks about a host key and never writes known_hosts.
 */
export async function walkJump(route: Route, configFile: string | undefined, hidden: HiddenHost, io: WalkIo): Promise<DoctorStep[]> {
  const steps: DoctorStep[] = [];
  const name = route.jump;
  const jumpSsh = `ssh${configFile === undefined ? '' : ` -F ${configFile}`} ${name}`;
  const failWith = (step: DoctorStep['step'], error: unknown, fix?: string): DoctorStep[] => {
    const known = asTunnelError(error);
    const split = splitFix(known.message);
    steps.push(fail(step, split.detail, fix ?? split.fix, known.exitCode, name));
    return steps;
  };

  let jump: JumpConfig;
  try {
    jump = await resolveJump(name, configFile, io.env);
    assertDirectJump(jump);
  } catch (error) {
    return failWith('jump', error);
  }
  steps.push(pass('jump', `${name} is ${jump.user}@${jump.hostName} port ${jump.port} (ssh -G${configFile === undefined ? '' : ` -F ${configFile}`} ${name})`, name));

  if (isIP(jump.hostName.replace(/^\[|\]$/g, '')) !== 0) {
    steps.push(pass('name', `${jump.hostName} is an address`, name));
  } else {
    try {
      const addresses = await lookup(jump.hostName, { all: true });
      steps.push(pass('name', `${jump.hostName} is ${addresses.map((a) => a.address).join(', ')}`, name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'failed';
      steps.push(fail('name', `${jump.hostName} does not resolve (${code})`, `check HostName for ${name} in ssh_config, and your DNS`, ExitCode.unreachable, name));
      return steps;
    }
  }

  const started = performance.now();
  let socket: Socket;
  try {
    socket = await openTcp({ ...jump, connectTimeoutSeconds: jump.connectTimeoutSeconds ?? TCP_SECONDS });
  } catch (error) {
    const refused = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';
    return failWith('tcp', error, refused ? `start the jump's sshd, or correct Port for ${name}` : `check that ${jump.hostName} is up and that your network and its firewall let you reach port ${jump.port}`);
  }
  steps.push(pass('tcp', `connected to ${socket.remoteAddress ?? jump.hostName} port ${jump.port} in ${Math.round(performance.now() - started)} ms`, name));

  let presented: Buffer | undefined;
  let identity: string | undefined;
  const said: string[] = [];
  const { openJump } = await import('../jump/index.js');
  let session: JumpSession;
  try {
    session = await openJump(
      jump,
      {
        ask: (question, { echo }) => (echo ? Promise.resolve(undefined) : io.askPassphrase(question)),
        tell: () => undefined,
        readOnlyKnownHosts: true,
        onHostKey: (key) => (presented = key),
        onAuthenticated: (who) => (identity = who),
        debug: (line) => {
          if (line.startsWith(SERVER_DEBUG)) said.push(decodeServerDebug(line.slice(SERVER_DEBUG.length)));
        },
      },
      Promise.resolve(socket),
    );
  } catch (error) {
    const known = asTunnelError(error);
    if (presented === undefined) return failWith('handshake', known);
    const verdict = await judgeKey(jump, presented, jumpSsh);
    if (known.code === 'hostKey') {
      if (!verdict.ok) steps.push(fail('jump-host-key', verdict.detail, verdict.fix ?? '', ExitCode.hostKey, name));
      else failWith('jump-host-key', known);
      return steps;
    }
    steps.push(pass('jump-host-key', verdict.detail, name));
    return failWith(known.code === 'auth' ? 'auth' : 'handshake', known);
  }
  try {
    steps.push(pass('jump-host-key', presented ? (await judgeKey(jump, presented, jumpSsh)).detail : 'verified', name));
    steps.push(pass('auth', `logged in as ${jump.user} with ${identity ?? 'an identity'}`, name));
    await walkSocket(session, route, hidden, steps, () => said);
  } finally {
    session.client.end();
  }
  return steps;
}
