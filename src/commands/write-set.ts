import type { TunnelSet } from '../sshconfig/types.js';
import { WizardCancelled } from '../wizard/cancelled.js';
import { applyChange, type ChangeOutcome, type CommandIo } from './apply-change.js';
import type { ConfigContext } from './config-context.js';
import { FLAG_OF_FIX, type Fix, listOf, type Placement, type PlacePolicy, placeSet, planPlacement } from './place-set.js';

export interface SetWrite {
  context: ConfigContext;
  /** The set as answered; an adoption may add to it. */
  set: TunnelSet;
  policy: PlacePolicy;
  /** e.g. `add "home"`, for the confirmation message. */
  summary: string;
  yes: boolean;
  dryRun: boolean;
  /** Run on the text about to be changed (again under the lock): throws when the change no longer applies. */
  guard: (text: string) => void;
}

/** In a terminal, when an earlier section would win over the block: says which and for what, and asks what to do. */
async function askPolicy(io: CommandIo, write: SetWrite): Promise<PlacePolicy> {
  const { context, set, policy } = write;
  if (!io.interactive || write.yes || policy.adopt || policy.placeBefore) return policy;
  const plan = planPlacement(context.file.text, set, policy, context.file.path, io.env);
  if (!('message' in plan) || plan.fixes.length === 0) return policy;
  io.stderr(`${plan.message}.`);
  const { askChoice } = await import('../wizard/index.js');
  const choice = await askChoice(
    'What should tunnel-config do?',
    [...plan.fixes.map(({ fix, label }) => ({ name: `${label[0]?.toUpperCase()}${label.slice(1)} (${FLAG_OF_FIX[fix]})`, value: fix as Fix | 'cancel' })), { name: 'Nothing: change nothing', value: 'cancel' }],
    io.prompt,
  );
  if (choice === 'cancel') throw new WizardCancelled();
  return { ...policy, [choice]: true };
}

/** What a placement did beyond adding or replacing the block, and what won before it, for stderr before the diff. */
function placementNote(placement: Placement, path: string): string | undefined {
  const { adoption, placedBefore, set, resolved } = placement;
  const fixes: string[] = [];
  if (adoption) {
    fixes.push(`lines ${adoption.firstLine}-${adoption.lastLine} of ${path} (the seed recipe through ${adoption.recipe.jump}) become set "${set.name}", keeping their hosts and options; \`tunnel-config remove ${set.name}\` puts them back`);
  }
  if (placedBefore !== undefined) fixes.push(`the block goes before ${placedBefore}, so that ssh reads it first`);
  for (const { from, labels } of placement.displaced ?? []) fixes.push(`${listOf(labels)} then go${labels.length === 1 ? 'es' : ''} through "${set.name}", no longer through "${from}"`);
  if (fixes.length === 0) return undefined;
  return resolved === undefined ? fixes.join('; ') : `${resolved}.\n${fixes.join('; ')}`;
}

/**
 * Places the set's block where ssh will use it for every name it claims (asking, or following --adopt and
 * --place-before, when an earlier section would win), shows the diff and writes it. The check runs again on
 * the file as it is under the lock, so nothing that would not take effect is ever written.
 */
export async function writeSet(io: CommandIo, write: SetWrite): Promise<{ outcome: ChangeOutcome; set: TunnelSet; text: string }> {
  const { context } = write;
  const path = context.file.path;
  const policy = await askPolicy(io, write);
  let last: { text: string; placement: Placement } | undefined;
  const place = (text: string): Placement => {
    if (last?.text !== text) {
      write.guard(text);
      last = { text, placement: placeSet(text, write.set, policy, path, io.env) };
    }
    return last.placement;
  };
  const first = place(context.file.text);
  const note = placementNote(first, path);
  if (note !== undefined && first.text !== context.file.text) io.stderr(note);
  const outcome = await applyChange(io, { file: context.file, summary: write.summary, change: (text) => place(text).text, yes: write.yes, dryRun: write.dryRun });
  const { set, text } = (last ?? { placement: first }).placement;
  return { outcome, set, text };
}
