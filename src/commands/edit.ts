import { TunnelError } from '../errors.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { assertEditable } from '../sshconfig/store.js';
import { WizardCancelled } from '../wizard/cancelled.js';
import type { BlockState } from '../sshconfig/hand-edits.js';
import { checkAnswerFacts } from './answer-checks.js';
import type { CommandIo } from './apply-change.js';
import { assertSshReadsFile, type ConfigContext, loadConfig, selfPath, verifyWritten } from './config-context.js';
import { DEFAULT_PERSIST } from './defaults.js';
import { SET_QUESTIONS, answersOf, keepJumps, toTunnelSet, withDefaults } from './set-answers.js';
import { parseSetArgs } from './set-flags.js';
import { askSshOptions, sshOptionsFrom, withSshOptions } from './ssh-option-answers.js';
import { assertSshReads, CHECK_HOST } from './take-effect.js';
import { writeSet } from './write-set.js';

export const editUsage = `Usage: tunnel-config edit NAME [options]

Changes tunnel set NAME. In a terminal, the wizard asks every question with the current answer as its
default; flags given on the command line are not asked. Takes the flags of \`tunnel-config add\`
(except --name), plus --config FILE, --yes and --dry-run. A flag not given keeps its current value;
\`--persist default\` (or \`--persist ''\`) goes back to the proxy's default, ${DEFAULT_PERSIST}.
\`--ssh-option\` replaces the set's options (\`--ssh-option ''\` removes them). Lines written into the
block by hand are shown, and kept as options.
`;

/** The block of the set called `name`, or an error listing the sets there are. */
export function findBlock(context: ConfigContext, name: string | undefined, command: string): BlockState {
  if (name === undefined) throw new TunnelError('usage', `${command} needs the NAME of a tunnel set (see tunnel-config list)`);
  const state = context.blocks.find((found) => found.block.name === name);
  if (state) return state;
  const names = context.blocks.map((found) => found.block.name).join(', ') || 'none';
  throw new TunnelError('usage', `no tunnel set named "${name}" in ${context.file.path} (there are: ${names})`);
}

/** What `edit` says about lines written into the block by hand, before it rewrites the block. */
export function handEditNote(state: BlockState): string | undefined {
  if (state.handLines.length === 0) return undefined;
  const lines = state.handLines.map(({ line, text }) => `line ${line} (\`${text.trim()}\`)`).join(', ');
  return `tunnel set "${state.block.name}" was edited by hand: ${lines}; its settings are kept (lines of your own as --ssh-option lines), comments in the block are not`;
}

export async function editCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseSetArgs(argv, 'edit', true);
  if (args.help) return io.stdout(editUsage), 0;
  if (args.positionals.length > 1) throw new TunnelError('usage', 'edit takes one NAME (see tunnel-config edit --help)');
  const context = await loadConfig(args.config, io.env);
  // Refused before any question, not after the user has answered them all.
  if (!args.dryRun) await assertEditable(context.file.path);
  await assertSshReadsFile(context);
  const state = findBlock(context, args.positionals[0], 'edit');
  const current = state.set;
  if (!current) throw new TunnelError('usage', state.problem ?? `tunnel set "${state.block.name}" cannot be read`);
  if (args.given.name !== undefined && args.given.name !== current.name) {
    throw new TunnelError('usage', `edit keeps the name "${current.name}"; to rename, remove it and add it again`);
  }
  assertSshReads(context.file.path, context.file.exists, CHECK_HOST, io.env);
  const note = handEditNote(state);
  if (note !== undefined) io.stderr(note);
  const defaults = answersOf(current);
  let answers = { ...args.given, name: current.name };
  let sshOptions = args.sshOptions;
  try {
    if (io.interactive && !args.yes) {
      answers = { ...answers, ...(await (await import('../wizard/index.js')).askSet(SET_QUESTIONS, answers, defaults, io.prompt)) };
      sshOptions = await askSshOptions(io, sshOptions, current.sshOptions ?? [], true);
    }
    const kept = keepJumps(current, withDefaults(answers, defaults), answers);
    const answered = kept.finish(withSshOptions(toTunnelSet(kept.answers, selfPath(), context.configFile), sshOptionsFrom(sshOptions, current.sshOptions, io.env)));
    await checkAnswerFacts(answered, context.file, io.env);
    // What the set adopted stays with it, for `remove` to put back.
    const set = current.adopted ? { ...answered, adopted: current.adopted } : answered;
    // Under the lock, the set may have been removed meanwhile: editing it must not add it back.
    const guard = (text: string): void => {
      if (!findManagedBlocks(text, context.file.path).some((block) => block.name === set.name)) {
        throw new TunnelError('conflict', `${context.file.path} changed since it was read: tunnel set "${set.name}" is gone; nothing was written`);
      }
    };
    const policy = { adopt: args.adopt, placeBefore: args.placeBefore };
    const written = await writeSet(io, { context, set, policy, summary: `edit "${set.name}"`, yes: args.yes, dryRun: args.dryRun, guard });
    if (written.outcome !== 'written') return 0;
    return await verifyWritten(io, context, written.set, written.text);
  } catch (error) {
    if (error instanceof WizardCancelled) return io.stderr('cancelled; nothing was changed'), 0;
    throw error;
  }
}
