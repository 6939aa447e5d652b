import { TunnelError } from '../errors.js';
import { removeTunnelSet } from '../sshconfig/splice.js';
import { assertEditable } from '../sshconfig/store.js';
import { WizardCancelled } from '../wizard/cancelled.js';
import { applyChange, type CommandIo } from './apply-change.js';
import { loadConfig } from './config-context.js';
import { findBlock } from './edit.js';
import { parseSetArgs } from './set-flags.js';

export const removeUsage = `Usage: tunnel-config remove NAME [--config FILE] [--yes] [--dry-run]

Removes tunnel set NAME's block from your ssh_config; the rest of the file stays byte for byte.
`;

export async function removeCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseSetArgs(argv, 'remove', false);
  if (args.help) return io.stdout(removeUsage), 0;
  if (args.positionals.length > 1) throw new TunnelError('usage', 'remove takes one NAME (see tunnel-config remove --help)');
  const context = await loadConfig(args.config, io.env);
  // Refused before any question, not after the user has answered them all.
  if (!args.dryRun) await assertEditable(context.file.path);
  // Any block with sound markers can go, also one edited by hand beyond what tunnel-config reads.
  const { name } = findBlock(context, args.positionals[0], 'remove').block;
  try {
    const outcome = await applyChange(io, { file: context.file, summary: `remove "${name}"`, change: (text) => removeTunnelSet(text, name), yes: args.yes, dryRun: args.dryRun });
    if (outcome === 'written') io.stdout(`Removed tunnel set "${name}".\n`);
    return 0;
  } catch (error) {
    if (error instanceof WizardCancelled) return io.stderr('cancelled; nothing was changed'), 0;
    throw error;
  }
}
