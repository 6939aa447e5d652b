import { TunnelError } from '../errors.js';
import { renderTable } from '../ui/table.js';
import type { BlockState } from '../sshconfig/hand-edits.js';
import { jumpText, routesOf } from '../sshconfig/routes.js';
import type { TunnelSet } from '../sshconfig/types.js';
import type { CommandIo } from './apply-change.js';
import { loadConfig } from './config-context.js';
import { parseSetArgs } from './set-flags.js';

export const listUsage = `Usage: tunnel-config list [--json] [--config FILE]
       tunnel-config list --check [NAME] [--config FILE]

Lists the tunnel sets in your ssh_config (default ~/.ssh/config). --json prints them as JSON on stdout.
--check connects once to each set's jump (or NAME's) as its hosts will: host key, login, socket
directory, which hosts answer right now; the status is not 0 when a jump does not work.
A set edited by hand is marked * (edit keeps its settings), one tunnel-config cannot read ! (with why).
`;

/** The set's jumps in the order they are tried, and their socket directories (one when they share it). */
const jumpCells = (set: TunnelSet): [string, string] => {
  const routes = routesOf(set);
  const dirs = [...new Set(routes.map((route) => route.socketDir))];
  return [routes.map((route) => jumpText(route.target)).join(','), dirs.length === 1 ? (dirs[0] ?? '') : routes.map((route) => route.socketDir).join(',')];
};

/**
 * A plain table: one row per set; an empty USER or PERSIST is ssh's or the proxy's default. A set edited by
 * hand is marked `*`, one tunnel-config cannot read `!`; SSH OPTIONS is there when a set has some.
 */
export function renderSetTable(blocks: readonly BlockState[]): string {
  const withOptions = blocks.some((state) => (state.set?.sshOptions ?? []).length > 0);
  const row = ({ block, set, problem, handLines }: BlockState): string[] => {
    const mark = problem !== undefined ? '!' : handLines.length > 0 ? '*' : '';
    const cells = set ? [...jumpCells(set), set.hosts.join(','), set.user ?? '', set.persist ?? ''] : ['?', '?', '?', '', ''];
    return [`${block.name}${mark}`, ...cells, ...(withOptions ? [(set?.sshOptions ?? []).join('; ')] : [])];
  };
  const rows = [['NAME', 'JUMP', 'SOCKET DIR', 'HOSTS', 'USER', 'PERSIST', ...(withOptions ? ['SSH OPTIONS'] : [])], ...blocks.map(row)];
  return renderTable(rows);
}

/** The legend for the marks, one line per marked set, for stderr. */
export function renderSetNotes(blocks: readonly BlockState[]): string[] {
  return blocks.flatMap(({ block, problem, handLines }) => {
    if (problem !== undefined) return [`! ${problem}`];
    if (handLines.length === 0) return [];
    const lines = handLines.map(({ line, text }) => `line ${line} \`${text.trim()}\``).join(', ');
    return [`* ${block.name}: edited by hand (${lines}); \`tunnel-config edit ${block.name}\` keeps its settings`];
  });
}

/** The sets as JSON: `persist` always there (null for the default); `handEdited` and `problem` only when so. */
function setsAsJson(blocks: readonly BlockState[]): unknown[] {
  return blocks.map(({ block, set, problem, handLines }) => {
    if (!set) return { name: block.name, problem };
    return { ...set, persist: set.persist ?? null, ...(handLines.length > 0 ? { handEdited: handLines } : {}) };
  });
}

export async function listCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseSetArgs(argv, 'list', false);
  if (args.help) return io.stdout(listUsage), 0;
  if (args.positionals.length > (args.check ? 1 : 0)) throw new TunnelError('usage', `list takes ${args.check ? 'at most one NAME with --check' : 'no arguments'} (see tunnel-config list --help)`);
  const { blocks, file } = await loadConfig(args.config, io.env);
  if (args.check) return checkSets(blocks, args.positionals[0], io);
  if (args.json) io.stdout(`${JSON.stringify(setsAsJson(blocks), null, 2)}\n`);
  else if (blocks.length === 0) io.stderr(`no tunnel sets in ${file.path}; add one with: tunnel-config add`);
  else {
    io.stdout(renderSetTable(blocks));
    for (const note of renderSetNotes(blocks)) io.stderr(note);
  }
  return 0;
}

async function checkSets(blocks: readonly BlockState[], name: string | undefined, io: CommandIo): Promise<number> {
  const chosen = blocks.filter((state) => name === undefined || state.block.name === name);
  if (name !== undefined && chosen.length === 0) throw new TunnelError('usage', `no tunnel set named "${name}" (see tunnel-config list)`);
  const { checkSet } = await import('./check-set.js');
  let status = 0;
  for (const { set, block, problem } of chosen) {
    if (!set) {
      io.stderr(`${block.name}: not checked: ${problem ?? 'unreadable'}`);
      status ||= 2;
      continue;
    }
    status ||= await checkSet(set, io);
  }
  return status;
}
