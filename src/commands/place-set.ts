import { TunnelError } from '../errors.js';
import { type Adoption, adoptSection, replaceWithBlock } from '../sshconfig/adopt.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { offsetBefore, sectionAt } from '../sshconfig/sections.js';
import { moveTunnelSet, removeTunnelSet, upsertTunnelSet } from '../sshconfig/splice.js';
import type { TunnelSet } from '../sshconfig/types.js';
import { adoptedJumpProblem, type Conflict, findConflicts } from './take-effect.js';

/** What the user allowed when an earlier section would win over the set's block. */
export interface PlacePolicy {
  /** `--adopt`: a seed-recipe section that wins is replaced by the block, its other options kept. */
  adopt: boolean;
  /** `--place-before`: the block goes before the first section that wins. */
  placeBefore: boolean;
}

export type Fix = keyof PlacePolicy;

export const FLAG_OF_FIX: Record<Fix, string> = { adopt: '--adopt', placeBefore: '--place-before' };

export interface Placement {
  /** The config as it will be written; ssh -G sends every name of the set through its ProxyCommand. */
  text: string;
  /** The set as written: an adoption adds the section's hosts and options. */
  set: TunnelSet;
  adoption?: Adoption;
  /** What the block was placed before, for messages. */
  placedBefore?: string;
  /** Other sets that no longer get some of their names, because the block now comes first. */
  displaced?: Array<{ from: string; labels: string[] }>;
  /** What won before the fix, for the note shown with the diff. */
  resolved?: string;
}

/** What stops a placement, and the fixes that would work, for the wizard to offer and for the error to name. */
export interface Refusal {
  message: string;
  fixes: Array<{ fix: Fix; label: string }>;
}

/** The line of the config itself that a conflict comes from: its own line, or the Include that leads to it. */
const configLine = (conflict: Conflict): number | undefined => (conflict.shadow ? (conflict.shadow.via ?? conflict.shadow.line) : undefined);

export const listOf = (words: string[]): string => (words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);

/** Who wins for which names, one clause per winning line (with the line numbers of `text`), and what that means for `name`. */
function describe(conflicts: Conflict[], text: string, path: string, name: string): string {
  const blocks = findManagedBlocks(text, path);
  const groups = new Map<string, { where: string; labels: string[] }>();
  for (const { probe, shadow } of conflicts) {
    let where = 'a setting ssh reads before the block (in the system ssh_config, or under a Match that only ssh can decide)';
    if (shadow?.file !== undefined) where = `line ${shadow.line} of ${shadow.file} (\`${shadow.text}\`), included by line ${shadow.via} of ${path}`;
    else if (shadow) {
      const block = blocks.find((found) => shadow.line >= found.beginLine && shadow.line <= found.endLine);
      where = block ? `tunnel set "${block.name}" (line ${shadow.line} of ${path})` : `line ${shadow.line} of ${path} (\`${shadow.text}\`)`;
      if (!shadow.certain) where += ', under a Match that may apply';
    }
    const group = groups.get(where) ?? { where, labels: [] };
    if (!group.labels.includes(probe.label)) group.labels.push(probe.label);
    groups.set(where, group);
  }
  const all = [...new Set(conflicts.map(({ probe }) => probe.label))];
  return `${[...groups.values()].map(({ where, labels }) => `${where} comes first for ${listOf(labels)}`).join('; ')}, so ssh would not use the block of "${name}" for ${listOf(all)}`;
}

/** The other sets a placement takes names from, for the note: `host-1 goes through "home" now, not "work"`. */
function displaced(conflicts: Conflict[], text: string, path: string): Array<{ from: string; labels: string[] }> {
  const blocks = findManagedBlocks(text, path);
  const sets = new Map<string, string[]>();
  for (const { probe, shadow } of conflicts) {
    const block = shadow && shadow.file === undefined ? blocks.find((found) => shadow.line >= found.beginLine && shadow.line <= found.endLine) : undefined;
    if (block) sets.set(block.name, [...new Set([...(sets.get(block.name) ?? []), probe.label])]);
  }
  return [...sets].map(([from, labels]) => ({ from, labels }));
}

/** `set`'s block in `text`, placed so that it takes effect, or a TunnelError naming what wins and the fixes. */
export function placeSet(text: string, set: TunnelSet, policy: PlacePolicy, path: string, env: NodeJS.ProcessEnv): Placement {
  const refusal = planPlacement(text, set, policy, path, env);
  if ('message' in refusal) {
    const fixes = refusal.fixes.map(({ fix, label }) => `${FLAG_OF_FIX[fix]} to ${label}`);
    const hint = fixes.length > 0 ? `; pass ${fixes.join(', or ')}` : '; move or narrow that section by hand';
    throw new TunnelError('usage', `${refusal.message}; nothing was written${hint}`);
  }
  return refusal;
}

/** What a block placed before line `number` comes before, for messages: a set, a section's header, or the line. */
export function unitName(text: string, number: number, path: string): string {
  const section = sectionAt(text, number, path);
  if (section.block) return `tunnel set "${section.block.name}" (line ${section.block.beginLine})`;
  if (section.header) return `\`${section.header.content.trim()}\` (line ${section.header.number})`;
  const line = text.split('\n')[number - 1]?.trim();
  return line ? `\`${line}\` (line ${number})` : `line ${number}`;
}

/** The earliest line of the config that wins for some name, or undefined when one of them cannot be told. */
const earliest = (conflicts: Conflict[]): number | undefined =>
  conflicts.map(configLine).reduce<number | undefined>((a, b) => (a === undefined || b === undefined ? undefined : Math.min(a, b)), Number.POSITIVE_INFINITY);

/** The placement `policy` allows, or why there is none and which fixes would give one. */
export function planPlacement(text: string, set: TunnelSet, policy: PlacePolicy, path: string, env: NodeJS.ProcessEnv): Placement | Refusal {
  let placement: Placement = { text: upsertTunnelSet(text, set, path), set };
  let conflicts = findConflicts(placement.text, set, path, env);
  if (conflicts.length === 0) return placement;
  const message = describe(conflicts, placement.text, path, set.name);
  // Line numbers before the block are the same with or without it: a line that wins comes before it.
  const base = removeTunnelSet(text, set.name, path);
  const direct = conflicts.find((conflict) => conflict.shadow && conflict.shadow.file === undefined)?.shadow;
  const included = conflicts.find((conflict) => conflict.shadow?.file !== undefined)?.shadow?.file;
  let adoption: Adoption | { problem: string } = direct
    ? adoptSection(base, direct.line, set, path)
    : { problem: `the section that wins is in ${included ?? 'no file tunnel-config edits'}, which tunnel-config does not change` };
  if ('set' in adoption) {
    const problem = adoptedJumpProblem(adoption.recipe.jump, set, path, env);
    if (problem !== undefined) adoption = { problem };
  }
  const first = earliest(conflicts);
  const fixes: Refusal['fixes'] = [];
  if ('set' in adoption) {
    fixes.push({ fix: 'adopt', label: `turn the seed-recipe section at lines ${adoption.firstLine}-${adoption.lastLine} (through ${adoption.recipe.jump}) into set "${set.name}", keeping its other options` });
  }
  if (first !== undefined) fixes.push({ fix: 'placeBefore', label: `put the block before ${unitName(placement.text, first, path)}` });
  if (!policy.adopt && !policy.placeBefore) return { message, fixes };
  placement = { ...placement, resolved: message };

  if (policy.adopt) {
    if (!('set' in adoption)) return { message: `${message}; --adopt cannot take that section: ${adoption.problem}`, fixes: fixes.filter(({ fix }) => fix !== 'adopt') };
    placement = { text: replaceWithBlock(base, adoption), set: adoption.set, adoption, resolved: message };
    conflicts = findConflicts(placement.text, placement.set, path, env);
  }
  const before = earliest(conflicts);
  if (conflicts.length > 0 && policy.placeBefore && before !== undefined) {
    const offset = offsetBefore(placement.text, before, path);
    const taken = displaced(conflicts, placement.text, path);
    placement = { ...placement, text: moveTunnelSet(placement.text, placement.set, offset, path), placedBefore: unitName(placement.text, before, path), displaced: taken };
    conflicts = findConflicts(placement.text, placement.set, path, env);
  }
  if (conflicts.length === 0) return placement;
  return { message: describe(conflicts, placement.text, path, placement.set.name), fixes: policy.placeBefore ? [] : fixes.filter(({ fix }) => fix === 'placeBefore') };
}
