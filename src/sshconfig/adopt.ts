import { TunnelError } from '../errors.js';
import { quoteForMessage } from '../ssh/hostname.js';
import { detectEol, splitDirective } from './lines.js';
import { patternMatches } from './pattern.js';
import { recognizeRecipe, type SeedRecipe } from './recipe.js';
import { renderTunnelSet } from './render.js';
import { continuesSection, sectionAt } from './sections.js';
import { isRepeatable, normaliseSshOption, sshOptionKeyword, sshOptionProblem, writtenSshOptions } from './ssh-options.js';
import type { TunnelSet } from './types.js';
import { hostPatternProblem, validateTunnelSet } from './validate.js';

/** A seed-recipe section that a set can take the place of. */
export interface Adoption {
  /** The set with the section's hosts, User and other options added, and its lines kept for `remove`. */
  set: TunnelSet;
  recipe: SeedRecipe;
  /** Line numbers of the section's Host line and of its last directive. */
  firstLine: number;
  lastLine: number;
  /** The section's text, [start, end) in the config. */
  start: number;
  end: number;
}

/**
 * The section of line `number` of `text` (a config without `set`'s block), adopted into `set`; or why it
 * cannot be: it must be a `Host` section of the user's own whose ProxyCommand is the seed recipe for the
 * set's socket directory, and whose other lines could all be `--ssh-option` lines.
 */
export function adoptSection(text: string, number: number, set: TunnelSet, source?: string): Adoption | { problem: string } {
  const section = sectionAt(text, number, source);
  if (section.block) return { problem: `it is in tunnel set "${section.block.name}"` };
  const header = section.header;
  const headerWords = header && splitDirective(header.content);
  if (!header || headerWords?.keyword !== 'host') return { problem: header ? 'it is under a Match line, not a Host section' : 'it applies to every host, not to a Host section' };
  for (const pattern of headerWords.args) {
    const problem = hostPatternProblem(pattern);
    if (problem) return { problem: `its Host pattern ${quoteForMessage(pattern)} ${problem}` };
  }
  let recipe: SeedRecipe | undefined;
  let user: string | undefined;
  const options: string[] = [];
  let last = header;
  for (const line of section.body) {
    const directive = splitDirective(line.content);
    if (!directive) continue;
    last = line;
    const { keyword, args } = directive;
    const at = `line ${line.number} (\`${line.content.trim()}\`)`;
    if (keyword === 'proxycommand') {
      if (recipe) return { problem: `${at} is a second ProxyCommand` };
      recipe = recognizeRecipe(args);
      if (!recipe) return { problem: `its ProxyCommand is not the seed recipe (ssh JUMP nc -U DIR/%h.sock, ssh -W DIR/%h.sock JUMP, or ssh JUMP socat - UNIX-CONNECT:DIR/%h.sock)` };
    } else if (keyword === 'hostname' && args.join(' ') === '%h') {
      // The recipe's `HostName %h` names each host after itself: nothing to keep.
    } else if (keyword === 'user' && args.length === 1) {
      user ??= args[0];
    } else {
      const option = normaliseSshOption(`${keyword} ${args.join(' ')}`);
      const problem = sshOptionProblem(option);
      if (problem) return { problem: `${at} cannot be kept: ${problem}` };
      options.push(option);
    }
  }
  if (!recipe) return { problem: 'it has no ProxyCommand' };
  if (recipe.socketDir !== set.socketDir) {
    return { problem: `its sockets are in ${recipe.socketDir}, the set's in ${set.socketDir} (give --socket-dir ${recipe.socketDir})` };
  }
  // The set's own answers come first: ssh keeps the first value of a keyword.
  const given = set.sshOptions ?? [];
  const kept = writtenSshOptions(options).filter(
    (option) => isRepeatable(sshOptionKeyword(option)) || !given.some((mine) => sshOptionKeyword(mine) === sshOptionKeyword(option)),
  );
  const adopted: TunnelSet = {
    ...set,
    // A name the set's patterns already cover (host-1 under host-*) is not listed again.
    hosts: [...set.hosts, ...headerWords.args.filter((word) => !set.hosts.some((mine) => mine === word || (!/[*?]/.test(word) && patternMatches(mine, word))))],
    adopted: splitLinesBetween(text, header.start, last.end),
  };
  const sshOptions = [...given, ...kept.filter((option) => !given.includes(option))];
  if (sshOptions.length > 0) adopted.sshOptions = sshOptions;
  const adoptedUser = set.user ?? user;
  if (adoptedUser !== undefined) adopted.user = adoptedUser;
  try {
    validateTunnelSet(adopted);
  } catch (error) {
    if (error instanceof TunnelError) return { problem: error.message };
    throw error;
  }
  return { set: adopted, recipe, firstLine: header.number, lastLine: last.number, start: header.start, end: last.end };
}

/** The contents of the lines in [start, end), without their line endings. */
function splitLinesBetween(text: string, start: number, end: number): string[] {
  return text
    .slice(start, end)
    .replace(/\r?\n$/, '')
    .split(/\r?\n/);
}

/** `text` with the adopted section replaced by the set's block. */
export function replaceWithBlock(text: string, adoption: Adoption): string {
  const eol = detectEol(text);
  const rest = text.slice(adoption.end);
  let block = renderTunnelSet(adoption.set, eol, { reopen: continuesSection(rest, 0) });
  // A section that ended the file without a final newline: so does the block.
  if (!text.slice(adoption.start, adoption.end).endsWith('\n')) block = block.slice(0, -eol.length);
  return text.slice(0, adoption.start) + block + rest;
}
