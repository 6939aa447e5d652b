import { TunnelError } from '../errors.js';
import type { TunnelSet } from '../sshconfig/types.js';
import type { CommandIo } from './apply-change.js';
import { loadConfig } from './config-context.js';
import { parseSetArgs } from './set-flags.js';

export const listUsage = `Usage: tunnel-config list [--json] [--config FILE]

Lists the tunnel sets in your ssh_config (default ~/.ssh/config). --json prints them as JSON on stdout.
`;

const jumpText = (set: TunnelSet): string => {
  if ('alias' in set.jump) return set.jump.alias;
  const { host, port, user } = set.jump;
  return `${user ? `${user}@` : ''}${host}${port ? `:${port}` : ''}`;
};

/** A plain table: one row per set; an empty USER or PERSIST is ssh's or the proxy's default. */
export function renderSetTable(sets: readonly TunnelSet[]): string {
  const rows = [
    ['NAME', 'JUMP', 'SOCKET DIR', 'HOSTS', 'USER', 'PERSIST'],
    ...sets.map((s) => [s.name, jumpText(s), s.socketDir, s.hosts.join(','), s.user ?? '', s.persist ?? '']),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

export async function listCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseSetArgs(argv, 'list', false);
  if (args.help) return io.stdout(listUsage), 0;
  if (args.positionals.length > 0) throw new TunnelError('usage', 'list takes no arguments (see tunnel-config list --help)');
  const { sets, file } = await loadConfig(args.config, io.env);
  // persist is always there for scripts: null means the proxy's default.
  if (args.json) io.stdout(`${JSON.stringify(sets.map((set) => ({ ...set, persist: set.persist ?? null })), null, 2)}\n`);
  else if (sets.length === 0) io.stderr(`no tunnel sets in ${file.path}; add one with: tunnel-config add`);
  else io.stdout(renderSetTable(sets));
  return 0;
}
