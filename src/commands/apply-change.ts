import type { Context } from '@inquirer/type';
import { TunnelError } from '../errors.js';
import { type ConfigFile, updateConfig } from '../sshconfig/store.js';
import { renderConfigDiff } from '../ui/diff.js';

export interface CommandIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (line: string) => void;
  /** True when a person can answer questions (stdin and stdout are terminals). */
  interactive: boolean;
  /** Where the prompts read and write; tests pass streams. */
  prompt?: Context;
}

export interface Change {
  /** The file as read when the answers were gathered; a later outside edit is refused, not overwritten. */
  file: ConfigFile;
  /** What the change does, for messages: e.g. `add tunnel set "home"`. */
  summary: string;
  change: (text: string) => string;
  yes: boolean;
  dryRun: boolean;
}

export type ChangeOutcome = 'written' | 'unchanged' | 'dry-run' | 'declined';

/** Shows the change as a diff, asks to confirm (unless --yes), writes it through the store. */
export async function applyChange(io: CommandIo, plan: Change): Promise<ChangeOutcome> {
  const { path, text } = plan.file;
  const after = plan.change(text);
  if (after === text) {
    io.stderr(`${path} already has this; nothing to change`);
    return 'unchanged';
  }
  io.stdout(`${renderConfigDiff(path, text, after)}\n`);
  if (plan.dryRun) {
    io.stderr('dry run: nothing was written');
    return 'dry-run';
  }
  if (!plan.yes) {
    if (!io.interactive) throw new TunnelError('usage', `no terminal to confirm the change to ${path}: pass --yes to ${plan.summary} (or --dry-run to only show it)`);
    if (!(await (await import('../wizard/index.js')).askConfirm(`Write this change to ${path}?`, io.prompt))) {
      io.stderr('nothing was written');
      return 'declined';
    }
  }
  // A confirmed diff must be what is written; with --yes the change is made afresh on the file as it is under the lock,
  // so runs of tunnel-config in parallel (each with its own set) all land instead of all but one failing.
  const notify = (message: string): void => io.stderr(`tunnel-config: ${message}`);
  const result = await updateConfig(path, plan.change, plan.yes ? { notify } : { expectedFingerprint: plan.file.fingerprint, notify });
  io.stderr(`wrote ${result.target}${result.backup ? ` (backup of the previous version: ${result.backup})` : ''}`);
  return 'written';
}
