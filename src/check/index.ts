import { TunnelError } from '../errors.js';
import { listSocketDir } from '../fleet/list.js';
import { mapBounded, probeSocket, type ProbeResult } from '../fleet/probe.js';
import { resolveJump } from '../jump/resolve.js';
import { hostLineMatches } from '../sshconfig/pattern.js';
import { type CheckStep, renderCheck, tryItCommand } from './render.js';

export interface CheckTarget {
  /** What the hosts' ProxyCommand passes as --jump: an alias in the config. */
  jump: string;
  /** The ssh_config file to resolve it from; undefined for ssh's default. */
  configFile: string | undefined;
  socketDir: string;
  /** The set's host names and patterns. */
  hosts: readonly string[];
}

export interface CheckIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (line: string) => void;
  /** Asks on the terminal (a new host key, a passphrase); undefined when nobody can answer. */
  ask: (question: string, options: { echo: boolean }) => Promise<string | undefined>;
}

const PROBE_MS = 3000;
const PROBES_AT_ONCE = 16;

/**
 * Connects once to the jump as the hosts' ProxyCommand will (its host key, offered for recording as ssh
 * would; the authentication), lists the socket directory when the account may, and asks each of the set's
 * sockets who answers. Prints one line per step and what to try; the status is 0 when the jump works.
 */
export async function checkTunnelSet(target: CheckTarget, io: CheckIo): Promise<number> {
  const steps: CheckStep[] = [];
  const report = (tryIt?: string): void => io.stdout(renderCheck(steps, tryIt));
  const fail = (error: unknown): number => {
    const known = error instanceof TunnelError ? error : new TunnelError('internal', (error as Error).message);
    steps.push({ status: 'fail', text: known.message });
    report();
    return known.exitCode;
  };

  let jump;
  try {
    jump = await resolveJump(target.jump, target.configFile, io.env);
  } catch (error) {
    return fail(error);
  }
  steps.push({ status: 'ok', text: `${target.jump} is ${jump.user}@${jump.hostName} port ${jump.port} (ssh -G)` });
  const { openJump } = await import('../jump/index.js');
  let session;
  try {
    session = await openJump(jump, { ask: io.ask, tell: io.stderr });
  } catch (error) {
    return fail(error);
  }
  try {
    steps.push({ status: 'ok', text: `host key of ${target.jump} verified, logged in as ${jump.user}` });
    const listed = await listSocketDir(session.client, target.socketDir);
    if ('problem' in listed) {
      steps.push({ status: 'warn', text: `${listed.problem}; the hosts still work, but which are connected cannot be shown` });
      report(tryItCommand(exampleHost(target.hosts, []), target.configFile));
      return 0;
    }
    const mine = listed.entries.filter((entry) => hostLineMatches(target.hosts, entry.host));
    steps.push({ status: 'ok', text: `${target.socketDir} holds ${mine.length} socket${mine.length === 1 ? '' : 's'} of this set (${listed.entries.length} in all)` });
    const results = await mapBounded(mine, PROBES_AT_ONCE, async (entry) => ({
      host: entry.host,
      result: await probeSocket(session.client, entry.host, `${target.socketDir.replace(/\/$/, '')}/${entry.host}.sock`, target.jump, PROBE_MS),
    }));
    const live = results.filter((r) => r.result.state === 'live').map((r) => r.host);
    steps.push(
      live.length > 0
        ? { status: 'ok', text: `connected right now: ${live.join(', ')}` }
        : { status: 'warn', text: 'no host of this set is connected right now: start a host\'s tunnel (tunnel-config host-setup)' },
    );
    for (const { host, result } of results.filter((r) => r.result.state !== 'live')) steps.push({ status: 'warn', text: `${host}: ${describe(result)}` });
    report(tryItCommand(exampleHost(target.hosts, live), target.configFile));
    return 0;
  } finally {
    session.client.end();
  }
}

function describe(result: ProbeResult): string {
  switch (result.state) {
    case 'stale':
      return 'stale (its socket is left over, nothing listens: the tunnel is down)';
    case 'silent':
      return `silent (the tunnel is up but nothing answered behind it: ${result.detail ?? ''})`;
    case 'refused':
      return `refused by the jump (${result.detail ?? ''})`;
    default:
      return result.detail ?? result.state;
  }
}

/** A host to try: a live one, else a name of the set, else a name its first pattern matches. */
export function exampleHost(hosts: readonly string[], live: readonly string[]): string {
  const named = hosts.find((host) => !/[*?!]/.test(host));
  const pattern = hosts.find((host) => !host.startsWith('!')) ?? 'host';
  return live[0] ?? named ?? pattern.replace(/\*/g, '1').replace(/\?/g, '1');
}
