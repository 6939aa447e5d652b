import { TunnelError } from '../errors.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { upsertTunnelSet } from '../sshconfig/splice.js';
import { assertEditable } from '../sshconfig/store.js';
import { WizardCancelled } from '../wizard/cancelled.js';
import { applyChange, type CommandIo } from './apply-change.js';
import { type ConfigContext, loadConfig, selfPath, verifyWritten } from './config-context.js';
import { DEFAULT_PERSIST } from './defaults.js';
import { SET_QUESTIONS, answersOf, toTunnelSet, withDefaults } from './set-answers.js';
import { parseSetArgs } from './set-flags.js';

export const editUsage = `Usage: tunnel-config edit NAME [options]

Changes tunnel set NAME. In a terminal, the wizard asks every question with the current answer as its
default; flags given on the command line are not asked. Takes the flags of \`tunnel-config add\`
(except --name), plus --config FILE, --yes and --dry-run. A flag not given keeps its current value;
\`--persist default\` (or \`--persist ''\`) goes back to the proxy's default, ${DEFAULT_PERSIST}.
`;

/** The set called `name`, or an error listing the sets there are. */
export function findSet(context: ConfigContext, name: string | undefined, command: string): NonNullable<ConfigContext['sets'][number]> {
  if (name === undefined) throw new TunnelError('usage', `${command} needs the NAME of a tunnel set (see tunnel-config list)`);
  const set = context.sets.find((s) => s.name === name);
  if (set) return set;
  const names = context.sets.map((s) => s.name).join(', ') || 'none';
  throw new TunnelError('usage', `no tunnel set named "${name}" in ${context.file.path} (there are: ${names})`);
}

export async function editCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseSetArgs(argv, 'edit', true);
  if (args.help) return io.stdout(editUsage), 0;
  if (args.positionals.length > 1) throw new TunnelError('usage', 'edit takes one NAME (see tunnel-config edit --help)');
  const context = await loadConfig(args.config, io.env);
  // Refused before any question, not after the user has answered them all.
  if (!args.dryRun) await assertEditable(context.file.path);
  const current = findSet(context, args.positionals[0], 'edit');
  if (args.given.name !== undefined && args.given.name !== current.name) {
    throw new TunnelError('usage', `edit keeps the name "${current.name}"; to rename, remove it and add it again`);
  }
  const defaults = answersOf(current);
  let answers = { ...args.given, name: current.name };
  try {
    if (io.interactive && !args.yes) answers = { ...answers, ...(await (await import('../wizard/index.js')).askSet(SET_QUESTIONS, answers, defaults, io.prompt)) };
    const set = toTunnelSet(withDefaults(answers, defaults), selfPath(), context.configFile);
    // Under the lock, the set may have been removed meanwhile: editing it must not add it back.
    const change = (text: string): string => {
      if (!findManagedBlocks(text, context.file.path).some((block) => block.name === set.name)) {
        throw new TunnelError('conflict', `${context.file.path} changed since it was read: tunnel set "${set.name}" is gone; nothing was written`);
      }
      return upsertTunnelSet(text, set);
    };
    const outcome = await applyChange(io, { file: context.file, summary: `edit "${set.name}"`, change, yes: args.yes, dryRun: args.dryRun });
    if (outcome !== 'written') return 0;
    return verifyWritten(io, context, set, upsertTunnelSet(context.file.text, set));
  } catch (error) {
    if (error instanceof WizardCancelled) return io.stderr('cancelled; nothing was changed'), 0;
    throw error;
  }
}
