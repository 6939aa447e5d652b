import { TunnelError } from '../errors.js';
import { quoteForMessage } from '../ssh/hostname.js';
import { splitSshOptions, sshOptionListProblem, writtenSshOptions } from '../sshconfig/ssh-options.js';
import type { TunnelSet } from '../sshconfig/types.js';
import type { CommandIo } from './apply-change.js';
import { CHECK_HOST, runSsh } from './take-effect.js';

/** The wizard's question for `--ssh-option`; the answer lists the options separated by ";". */
export const SSH_OPTIONS_MESSAGE = 'Other ssh options for the hidden hosts, separated by ";", such as ForwardAgent yes (Enter for none):';
export const SSH_OPTIONS_EDIT_MESSAGE = 'Other ssh options for the hidden hosts, separated by ";" (Enter keeps them, Backspace then Enter for none):';

export const sshOptionsAnswerProblem = (answer: string): string | undefined => sshOptionListProblem(splitSshOptions(answer));

/** Asks the installed ssh whether it takes each option (its value included), as `ssh -G -o` would on the command line. */
function assertSshTakes(options: readonly string[], env: NodeJS.ProcessEnv): void {
  for (const option of options) {
    const result = runSsh(['-G', '-F', '/dev/null', '-o', option, '--', CHECK_HOST], env);
    const complaint = result.stderr.split('\n').find((line) => /bad|unsupported|deprecated|missing|invalid|unknown/i.test(line))?.trim();
    if (!result.ok || complaint !== undefined) {
      throw new TunnelError('usage', `--ssh-option ${quoteForMessage(option)}: ssh does not take it (${complaint ?? (result.stderr.trim() || 'it failed')})`);
    }
  }
}

/**
 * The set's options from `--ssh-option` (each may hold several, separated by ";"), or `current` when none was
 * given; `--ssh-option ''` empties the list. Checked as text, then by the installed ssh.
 */
export function sshOptionsFrom(given: readonly string[] | undefined, current: readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  if (given === undefined) return [...(current ?? [])];
  const options = given.flatMap(splitSshOptions);
  const problem = sshOptionListProblem(options);
  if (problem !== undefined) throw new TunnelError('usage', `--ssh-option ${problem}`);
  const written = writtenSshOptions(options);
  assertSshTakes(written, env);
  return written;
}

/** `set` with `options` as its --ssh-option lines. */
export function withSshOptions(set: TunnelSet, options: readonly string[]): TunnelSet {
  const { sshOptions: _, ...rest } = set;
  return options.length === 0 ? rest : { ...rest, sshOptions: [...options] };
}

/** In a terminal, the options question, its default the options given or current; `given` wins without asking. */
export async function askSshOptions(io: CommandIo, given: readonly string[] | undefined, current: readonly string[], edit: boolean): Promise<string[] | undefined> {
  if (given !== undefined || !io.interactive) return given === undefined ? undefined : [...given];
  const { askLine } = await import('../wizard/index.js');
  const answer = await askLine(edit && current.length > 0 ? SSH_OPTIONS_EDIT_MESSAGE : SSH_OPTIONS_MESSAGE, current.join('; '), sshOptionsAnswerProblem, io.prompt);
  return [answer];
}
