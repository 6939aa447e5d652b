import { readFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { ExitCode, TunnelError } from '../errors.js';
import { probeSocket, type ProbeResult } from '../fleet/probe.js';
import { decodeServerDebug, LIBRARY, SERVER_DEBUG } from '../jump/connect.js';
import type { JumpSession } from '../jump/index.js';
import { assertDirectJump, type JumpConfig } from '../jump/jump.js';
import { runKnownHostsCommand } from '../jump/known-hosts-command.js';
import { resolveJump } from '../jump/resolve.js';
import { openTcp } from '../jump/tcp.js';
import { offeredAlgorithms } from '../ssh/algorithms.js';
import { socketPathFor } from '../ssh/hostname.js';
import { checkHostKey, type KnownHostEntry, knownHostNames, matchesHost, orderingKeyTypes, parseKnownHosts } from '../ssh/knownhosts.js';
import { judgeKnownKey } from './known-key.js';
import { fetchHostKey, pathState, type PathState, testStreamLocal } from './probes.js';
import type { JumpRoute } from './proxy-command.js';
import { type DoctorStep, fail, pass, unsure } from './steps.js';

export interface HiddenHost {
  /** What the ProxyCommand gets as %h: the host's HostName as ssh -G resolves it. */
  name: string;
  /** `ssh -G HOST` read like a jump's: its known_hosts files, HostKeyAlias, host key algorithms, StrictHostKeyChecking. */
  config: JumpConfig;
  /** `ssh [-F FILE] HOST`, for fixes. */
  sshCommand: string;
}

export interface WalkIo {
  env: NodeJS.ProcessEnv;
  /** Asks for a key's passphrase on the terminal; undefined when nobody can answer. Host keys are never asked about. */
  askPassphrase: (question: string) => Promise<string | undefined>;
}

const PROBE_MS = 3000;
/** Bounds the TCP connect when ConnectTimeout is not set, so that a blackholed jump cannot hold the doctor for minutes. */
const TCP_SECONDS = 15;

const asTunnelError = (error: unknown): TunnelError =>
  error instanceof TunnelError ? error : new TunnelError('internal', error instanceof Error ? error.message : String(error));

/** tunnel-config's messages end with what to do after the last ": "; the doctor shows that part as the fix. */
export function splitFix(message: string): { detail: string; fix: string } {
  const firstLine = message.split('\n')[0] ?? message;
  const at = firstLine.lastIndexOf(': ');
  return at < 0 ? { detail: firstLine, fix: 'see the line above' } : { detail: firstLine.slice(0, at), fix: firstLine.slice(at + 2) };
}

async function readKnownHostsFiles(files: readonly string[]): Promise<KnownHostEntry[]> {
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
  return texts.flatMap((text, i) => parseKnownHosts(text, files[i] ?? ''));
}

/** How a presented key stands against the host's known_hosts files and KnownHostsCommand, as ssh -G names them. */
async function judgeKey(config: JumpConfig, key: Buffer, sshCommand: string, entries?: KnownHostEntry[]) {
  const names = knownHostNames(config.hostName, config.port, config.hostKeyAlias);
  const files = [...config.userKnownHostsFiles, ...config.globalKnownHostsFiles];
  const fromFiles = entries ?? (await readKnownHostsFiles(files));
  const fromCommand = await runKnownHostsCommand(config, 'HOSTNAME', names[0], key).catch(() => []);
  const check = checkHostKey([...fromFiles, ...fromCommand], names, key);
  return judgeKnownKey({ name: names[0], key, check, files, sshCommand, strict: config.strictHostKeyChecking });
}

/**
 * Walks one jump of the ProxyCommand as the proxy would go: ssh -G for the jump, its name, TCP, its host key,
 * the login, stream-local channels, HOST's socket and banner, and HOST's own host key. Stops at the first
 * failure; never asks about a host key and never writes known_hosts.
 */
export async function walkJump(route: JumpRoute, configFile: string | undefined, hidden: HiddenHost, io: WalkIo): Promise<DoctorStep[]> {
  const steps: DoctorStep[] = [];
  const name = route.jump;
  const jumpSsh = `ssh${configFile === undefined ? '' : ` -F ${configFile}`} ${name}`;
  const failWith = (step: DoctorStep['step'], error: unknown, fix?: string): DoctorStep[] => {
    const known = asTunnelError(error);
    const split = splitFix(known.message);
    steps.push(fail(step, fix === undefined ? split.detail : (known.message.split('\n')[0] ?? known.message), fix ?? split.fix, known.exitCode, name));
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

/** From the open jump connection: stream-local channels, HOST's socket and banner, HOST's host key. */
async function walkSocket(session: JumpSession, route: JumpRoute, hidden: HiddenHost, steps: DoctorStep[], said: () => string[]): Promise<void> {
  const name = route.jump;
  const { client, jump } = session;
  let socketPath: string;
  try {
    socketPath = socketPathFor(route.socketDir, hidden.name);
  } catch (error) {
    const split = splitFix(asTunnelError(error).message);
    steps.push(fail('socket', split.detail, split.fix, ExitCode.usage, name));
    return;
  }
  const target = { host: hidden.name, socketPath, jumpName: name };
  const probe = await probeSocket(client, hidden.name, socketPath, name, PROBE_MS);
  if (probe.state === 'refused') {
    const split = splitFix(probe.detail ?? '');
    steps.push(fail('stream-local', split.detail, split.fix, ExitCode.refused, name));
    return;
  }
  if (probe.state === 'error') {
    steps.push(fail('socket', probe.detail ?? 'the channel could not be opened', `check the jump's sshd (its log), then run doctor again`, ExitCode.unreachable, name));
    return;
  }
  let file: PathState = 'unknown';
  if (probe.state === 'stale') {
    const restriction = session.restriction();
    if (restriction !== undefined) {
      const split = splitFix(restriction);
      steps.push(fail('stream-local', `${name} refuses channels to ${socketPath}: ${split.detail}`, split.fix, ExitCode.refused, name));
      return;
    }
    file = await pathState(client, socketPath);
    const test = await testStreamLocal(client, name, said);
    const allowIt = `allow it in the jump's sshd_config for ${jump.user} (AllowStreamLocalForwarding yes, or local; no DisableForwarding), then reload sshd`;
    if (test.outcome === 'refused') {
      steps.push(fail('stream-local', `${name} refuses ${jump.user} stream-local channels: it bound a test socket (${test.path}) but would not open it`, allowIt, ExitCode.refused, name));
      return;
    }
    if (test.outcome === 'disabled' && file !== 'missing') {
      steps.push(
        fail(
          'stream-local',
          `${name} would not open ${socketPath} and says it has disabled stream-local forwarding for ${jump.user} ("${test.said}")`,
          `${allowIt}; if only binding is disabled, ${socketPath} is left over from a tunnel that ended: restart ${hidden.name}'s tunnel`,
          ExitCode.refused,
          name,
        ),
      );
      return;
    }
    if (test.outcome === 'allowed') steps.push(pass('stream-local', `${name} opens stream-local channels for ${jump.user} (tested on a socket of its own)`, name));
    else steps.push(unsure('stream-local', `not told apart from an absent host: ${'why' in test ? test.why : `the jump has disabled binding sockets for ${jump.user}`}`, name));
  } else {
    steps.push(pass('stream-local', `${name} opens stream-local channels for ${jump.user} (${socketPath} opened)`, name));
  }
  const socketStep = judgeSocket(probe, file, socketPath, hidden.name, name);
  steps.push(socketStep);
  if (socketStep.ok !== true) return;

  let key: Buffer;
  const config = hidden.config;
  const names = knownHostNames(config.hostName, config.port, config.hostKeyAlias);
  const entries = await readKnownHostsFiles([...config.userKnownHostsFiles, ...config.globalKnownHostsFiles]);
  try {
    const known = orderingKeyTypes(entries.filter((entry) => matchesHost(entry, names[0])));
    const algorithms = offeredAlgorithms(config.algorithms, LIBRARY, known, hidden.name, config.algorithms.hostKeyOrderedByKnownHosts).hostKey;
    key = await fetchHostKey(client, target, algorithms, PROBE_MS * 2);
  } catch (error) {
    steps.push(fail('host-key', `${hidden.name} answered but its key exchange did not get as far as a host key (${(error as Error).message})`, `run \`${hidden.sshCommand} -v\` to see where it stops`, ExitCode.hostKey, name));
    return;
  }
  const verdict = await judgeKey(config, key, hidden.sshCommand, entries);
  steps.push(verdict.ok ? pass('host-key', verdict.detail, name) : fail('host-key', verdict.detail, verdict.fix ?? '', ExitCode.hostKey, name));
}

/** The socket step from what answered: the host's banner, nothing behind the tunnel, or no tunnel at all. */
export function judgeSocket(probe: ProbeResult, file: PathState, socketPath: string, host: string, jumpName: string): DoctorStep {
  if (probe.state === 'live') return pass('socket', `${socketPath} answers ${probe.banner ?? ''} (${probe.ms} ms)`, jumpName);
  if (probe.state === 'silent') {
    return fail(
      'socket',
      `${host}'s tunnel is up on ${jumpName}, but nothing answered behind it (${probe.detail ?? 'no banner'})`,
      `check that ${host}'s sshd is running and that its tunnel forwards to it (ssh -N -R ${socketPath}:localhost:22 …)`,
      ExitCode.silent,
      jumpName,
    );
  }
  const why =
    file === 'missing'
      ? `there is no ${socketPath} on ${jumpName}`
      : file === 'socket'
        ? `${socketPath} is left over on ${jumpName}: nothing listens on it`
        : file === 'other'
          ? `${socketPath} on ${jumpName} is not a socket`
          : `nothing is listening on ${socketPath} on ${jumpName}`;
  return fail(
    'socket',
    `${host} is not connected: ${why}`,
    `start ${host}'s tunnel (tunnel-config host-setup on ${host}, or ssh -N -R ${socketPath}:localhost:22 … there), or check the socket directory in the ProxyCommand`,
    ExitCode.offline,
    jumpName,
  );
}
