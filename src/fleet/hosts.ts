import { TunnelError } from '../errors.js';
import { resolveJump } from '../jump/resolve.js';
import { type JumpIo, openJump } from '../jump/index.js';
import { hostLineMatches } from '../sshconfig/pattern.js';
import { listSocketDir } from './list.js';
import { type HostState, mapBounded, probeSocket } from './probe.js';

/** Where to look: one tunnel set's jump and socket directory, or an explicit jump and directory. */
export interface HostsTarget {
  /** The tunnel set's name; null for an explicit --jump. */
  set: string | null;
  /** The jump as the proxy takes it: an ssh_config alias or [user@]host[:port]. */
  jump: string;
  /** The ssh_config file to resolve the jump from (-F); undefined for ssh's default. */
  configFile: string | undefined;
  socketDir: string;
  /** The set's host names and patterns; undefined takes every socket in the directory. */
  hosts?: readonly string[];
}

/** One host as `hosts --json` prints it: these field names are for scripts and stay. */
export interface HostRow {
  name: string;
  set: string | null;
  jump: string;
  socketPath: string;
  /** `connected` (its socket is there) without a probe; what answered with one. */
  state: 'connected' | HostState;
  banner: string | null;
  rttMs: number | null;
}

export interface HostsIo extends Pick<JumpIo, 'ask' | 'tell'> {
  env: NodeJS.ProcessEnv;
  /** Called as probes finish, for a progress line. */
  progress?: (done: number, total: number) => void;
}

const PROBE_MS = 3000;
const PROBES_AT_ONCE = 64;

/**
 * Connects once to the target's jump as the proxy does, lists its socket directory over SFTP and, with
 * `probe`, asks every socket who answers, all over that one connection. A jump that fails, or a directory
 * the account cannot list, throws the TunnelError that says why.
 */
export async function surveyHosts(target: HostsTarget, io: HostsIo, options: { probe: boolean }): Promise<HostRow[]> {
  const jump = await resolveJump(target.jump, target.configFile, io.env);
  const session = await openJump(jump, { ask: io.ask, tell: io.tell });
  try {
    const listed = await listSocketDir(session.client, target.socketDir);
    if ('problem' in listed) throw new TunnelError('refused', `${target.jump}: ${listed.problem}`);
    const entries = listed.entries.filter((entry) => target.hosts === undefined || hostLineMatches(target.hosts, entry.host));
    const dir = target.socketDir.replace(/\/+$/, '');
    const rows = entries.map(
      (entry): HostRow => ({ name: entry.host, set: target.set, jump: target.jump, socketPath: `${dir}/${entry.host}.sock`, state: 'connected', banner: null, rttMs: null }),
    );
    if (!options.probe) return rows;
    let done = 0;
    return await mapBounded(rows, PROBES_AT_ONCE, async (row) => {
      const result = await probeSocket(session.client, row.name, row.socketPath, target.jump, PROBE_MS);
      io.progress?.(++done, rows.length);
      return { ...row, state: result.state, banner: result.banner ?? null, rttMs: result.ms };
    });
  } finally {
    session.client.end();
  }
}

/** The table for stdout: SET, or JUMP when no row has a set, or both when a set has several jumps; sorted by name, so that a host's view from each jump is together. */
export function renderHostRows(rows: readonly HostRow[]): string[][] {
  const bySet = rows.some((row) => row.set !== null);
  const jumpsOfSet = new Map<string | null, Set<string>>();
  for (const row of rows) jumpsOfSet.set(row.set, (jumpsOfSet.get(row.set) ?? new Set()).add(row.jump));
  const byJump = !bySet || [...jumpsOfSet.values()].some((jumps) => jumps.size > 1);
  const ordered = byJump && bySet ? [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : rows;
  return [
    ['NAME', ...(bySet ? ['SET'] : []), ...(byJump ? ['JUMP'] : []), 'STATE', 'BANNER', 'RTT'],
    ...ordered.map((row) => [
      row.name,
      ...(bySet ? [row.set ?? ''] : []),
      ...(byJump ? [row.jump] : []),
      row.state,
      row.banner ?? '',
      row.rttMs === null ? '' : `${row.rttMs} ms`,
    ]),
  ];
}
