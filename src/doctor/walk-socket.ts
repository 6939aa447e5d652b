import { ExitCode } from '../errors.js';
import { probeSocket, type ProbeResult } from '../fleet/probe.js';
import { LIBRARY } from '../jump/connect.js';
import type { JumpSession } from '../jump/index.js';
import type { JumpConfig } from '../jump/jump.js';
import { offeredAlgorithms } from '../ssh/algorithms.js';
import { socketPathFor } from '../ssh/hostname.js';
import { knownHostNames, matchesHost, orderingKeyTypes } from '../ssh/knownhosts.js';
import { readKnownHostsFiles } from '../jump/hostkey.js';
import { judgeKey } from './key-files.js';
import { fetchHostKey, pathState, type PathState, testStreamLocal } from './probes.js';
import type { Route } from '../proxy/routes.js';
import { asTunnelError, type DoctorStep, fail, pass, splitFix, unsure } from './steps.js';

const PROBE_MS = 3000;

export interface HiddenHost {
  /** What the ProxyCommand gets as %h: the host's HostName as ssh -G resolves it. */
  name: string;
  /** `ssh -G HOST` read like a jump's: its known_hosts files, HostKeyAlias, host key algorithms, StrictHostKeyChecking. */
  config: JumpConfig;
  /** `ssh [-F FILE] HOST`, for fixes. */
  sshCommand: string;
}

/** From the open jump connection: stream-local channels, HOST's socket and banner, HOST's host key. */
export async function walkSocket(session: JumpSession, route: Route, hidden: HiddenHost, steps: DoctorStep[], said: () => string[]): Promise<void> {
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
