import { isatty } from 'node:tty';
import { TunnelError } from '../errors.js';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { hostsCachePath, readHostsCache, renderHostsCache } from '../completion/cache.js';
import { type HostRow, type HostsIo, type HostsTarget, renderHostRows, surveyHosts } from '../fleet/hosts.js';
import { routesOf } from '../sshconfig/routes.js';
import { askOnTerminal } from '../tty.js';
import { renderTable } from '../ui/table.js';
import type { CommandIo } from './apply-change.js';
import { parseCommandArgs } from './args.js';
import { loadConfig } from './config-context.js';

export const hostsUsage = `Usage: tunnel-config hosts [SET] [--probe] [--json] [--config FILE | -F FILE]
       tunnel-config hosts --jump JUMP --socket-dir DIR [--probe] [--json] [--config FILE | -F FILE]

Lists the hidden hosts whose sockets are in a socket directory on the jumphost: for each tunnel set
in your ssh_config (or SET's), each of its jumps, or for an explicit jump and directory. The directory is read over SFTP
on one connection to the jump, made as the proxy makes it (host key, login).

  --probe    open a channel to every socket and read what answers: live (with the host's SSH
             banner), stale (a socket left behind, nothing listens), silent (nothing answered),
             refused (the jump's policy); all over the one connection, many at once
  --json     one object per host on stdout: name, set, jump, socketPath, state, banner, rttMs

Without --probe a host whose socket is there is shown as connected. The status is not 0 when a jump
fails or its directory cannot be listed (the other sets are shown first).
`;

export async function hostsCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      options: {
        jump: { type: 'string' },
        'socket-dir': { type: 'string' },
        probe: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        config: { type: 'string', short: 'F' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    'hosts',
  );
  if (values.help) return io.stdout(hostsUsage), 0;
  const { targets, status: loadStatus } = await chooseTargets(positionals, values, io);
  const progress = progressLine(values.probe);
  const hostsIo: HostsIo = { env: io.env, tell: io.stderr, ask: io.interactive ? askOnTerminal : async () => undefined, ...(progress ? { progress } : {}) };
  let status = loadStatus;
  const rows: HostRow[] = [];
  for (const target of targets) {
    try {
      rows.push(...(await surveyHosts(target, hostsIo, { probe: values.probe })));
    } catch (error) {
      if (!(error instanceof TunnelError)) throw error;
      io.stderr(`tunnel-config: ${target.set === null ? '' : `${target.set}: `}${error.message}`);
      status ||= error.exitCode;
    } finally {
      progress?.(0, 0);
    }
  }
  if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length > 0) io.stdout(renderTable(renderHostRows(rows)));
  else if (status === 0) io.stderr('no host sockets found');
  await rememberForCompletion(rows, io.env);
  return status;
}

/** The names just listed, for shell completion of ssh HOST; a cache that cannot be written is no failure. */
async function rememberForCompletion(rows: readonly HostRow[], env: NodeJS.ProcessEnv): Promise<void> {
  if (rows.length === 0) return;
  const path = hostsCachePath(env, env.HOME || homedir());
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const names = [...new Set([...(await readHostsCache(path)), ...rows.map((row) => row.name)])].sort();
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, renderHostsCache(names), { flag: 'wx', mode: 0o600 });
    await rename(temporary, path);
  } catch {
    // completion then offers the managed blocks' names only
  }
}

async function chooseTargets(
  positionals: string[],
  values: { jump?: string | undefined; 'socket-dir'?: string | undefined; config?: string | undefined },
  io: CommandIo,
): Promise<{ targets: HostsTarget[]; status: number }> {
  if (positionals.length > 1) throw new TunnelError('usage', 'hosts takes at most one SET (see tunnel-config hosts --help)');
  const [name] = positionals;
  if (values.jump !== undefined || values['socket-dir'] !== undefined) {
    if (values.jump === undefined || values['socket-dir'] === undefined) throw new TunnelError('usage', '--jump and --socket-dir go together (see tunnel-config hosts --help)');
    if (name !== undefined) throw new TunnelError('usage', `give either a SET ("${name}") or --jump and --socket-dir, not both`);
    return { targets: [{ set: null, jump: values.jump, configFile: values.config, socketDir: values['socket-dir'] }], status: 0 };
  }
  const { blocks, file } = await loadConfig(values.config, io.env);
  const chosen = blocks.filter((state) => name === undefined || state.block.name === name);
  if (name !== undefined && chosen.length === 0) throw new TunnelError('usage', `no tunnel set named "${name}" (see tunnel-config list)`);
  if (blocks.length === 0) throw new TunnelError('usage', `no tunnel sets in ${file.path}: add one with tunnel-config add, or pass --jump and --socket-dir`);
  let status = 0;
  const targets: HostsTarget[] = [];
  for (const { set, block, problem } of chosen) {
    if (!set) {
      io.stderr(`tunnel-config: ${block.name}: not listed: ${problem ?? 'unreadable'}`);
      status ||= 2;
      continue;
    }
    // A set with several jumps: each jump's view, so that a host connected to one and not the other shows it.
    for (const { alias, socketDir } of routesOf(set)) targets.push({ set: set.name, jump: alias, configFile: set.configFile, socketDir, hosts: set.hosts });
  }
  return { targets, status };
}

/** A progress line that rewrites itself, only on a terminal; (0, 0) clears it. */
function progressLine(probe: boolean): ((done: number, total: number) => void) | undefined {
  if (!probe || !isatty(2)) return undefined;
  return (done, total) => process.stderr.write(total === 0 ? '\r\x1b[K' : `\rprobed ${done}/${total}`);
}
