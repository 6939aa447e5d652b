import { findManagedBlocks } from './markers.js';
import { BOM, detectEol, splitDirective, splitLines } from './lines.js';
import { ADOPTED_PREFIX, renderTunnelSet } from './render.js';
import { continuesSection } from './sections.js';
import type { ManagedBlock, TunnelSet } from './types.js';

/** A block keeps the line ending it was written with, so editing it is idempotent whatever the file around it. */
const eolOf = (block: ManagedBlock): '\n' | '\r\n' => (/^[^\n]*\r\n/.test(block.text) ? '\r\n' : '\n');

/**
 * Where a new block goes: before the first `Host` line with a bare `*` or the first `Match` line (and the
 * unindented comments right above it), since ssh takes the first value it sees and those sections come
 * after the specific ones; otherwise at the end of the file.
 */
export function insertionOffset(text: string, source?: string): number {
  const blocks = findManagedBlocks(text, source);
  const inBlock = (offset: number): boolean => blocks.some((block) => offset >= block.start && offset < block.end);
  const lines = splitLines(text).filter((line) => !inBlock(line.start));
  const index = lines.findIndex((line) => {
    const directive = splitDirective(line.content);
    return directive?.keyword === 'match' || (directive?.keyword === 'host' && directive.args.includes('*'));
  });
  if (index === -1) return text.length;
  let first = index;
  for (let above = index - 1; above >= 0; above--) {
    const line = lines[above];
    const next = lines[above + 1];
    // Only a comment touching the line it describes, never across a managed block or a blank line.
    if (!line || !next || line.end !== next.start || !line.content.startsWith('#')) break;
    first = above;
  }
  return lines[first]?.start ?? text.length;
}

/** The block ends with the `Host *` that gives the lines after it back to every host (see REOPEN_COMMENT). */
function endsReopened(block: ManagedBlock): boolean {
  const directives = splitLines(block.text).filter((line) => splitDirective(line.content) !== undefined);
  const last = directives.at(-1) === undefined ? undefined : splitDirective(directives.at(-1)?.content ?? '');
  return last?.keyword === 'host' && last.args.length === 1 && last.args[0] === '*';
}

/** `block` put into `text` at `offset`, the start of a line (or the end of the text), keeping a file without a final newline so. */
function insertAt(text: string, offset: number, block: string, eol: '\n' | '\r\n'): string {
  if (offset < text.length) return text.slice(0, offset) + block + text.slice(offset);
  if (text === '' || text === BOM || text.endsWith('\n')) return text + block;
  // The file has no final newline: keep it that way, so removing the block gives back the same bytes.
  return text + eol + block.slice(0, -eol.length);
}

/** `text` with the block of `set` replaced in place, or inserted at `insertionOffset`. */
export function upsertTunnelSet(text: string, set: TunnelSet, source?: string): string {
  const existing = findManagedBlocks(text, source).find((block) => block.name === set.name);
  if (existing) {
    const eol = eolOf(existing);
    const block = renderTunnelSet(set, eol, { reopen: endsReopened(existing) });
    const replacement = existing.text.endsWith('\n') ? block : block.slice(0, -eol.length);
    return text.slice(0, existing.start) + replacement + text.slice(existing.end);
  }
  return insertTunnelSet(text, set, insertionOffset(text, source));
}

/** `text` (without a block of `set`) with the block inserted at `offset`, ending with `Host *` when the lines after it need one. */
export function insertTunnelSet(text: string, set: TunnelSet, offset: number): string {
  const eol = detectEol(text);
  return insertAt(text, offset, renderTunnelSet(set, eol, { reopen: continuesSection(text, offset) }), eol);
}

/** `text` with the block of `set` (added if missing) moved to `offset` of `text`, which must not be inside that block. */
export function moveTunnelSet(text: string, set: TunnelSet, offset: number, source?: string): string {
  const existing = findManagedBlocks(text, source).find((block) => block.name === set.name);
  if (!existing) return insertTunnelSet(text, set, offset);
  if (offset > existing.start && offset < existing.end) throw new Error(`offset ${offset} is inside the block "${set.name}"`);
  const removed = removeTunnelSet(text, set.name, source);
  const before = removed.length - (text.length - existing.end);
  return insertTunnelSet(removed, set, offset <= existing.start ? Math.min(offset, before) : before + (offset - existing.end));
}

/** The lines a block adopted (`#|` lines before its first Host line), as they were. */
export function adoptedLines(block: ManagedBlock): string[] {
  const lines: string[] = [];
  for (const line of splitLines(block.text).slice(1, -1)) {
    if (splitDirective(line.content)?.keyword === 'host') break;
    if (line.content.startsWith(ADOPTED_PREFIX)) lines.push(line.content.slice(ADOPTED_PREFIX.length));
  }
  return lines;
}

/** `text` without the block named `name` (the lines it adopted put back in its place); unchanged when there is none. */
export function removeTunnelSet(text: string, name: string, source?: string): string {
  const block = findManagedBlocks(text, source).find((found) => found.name === name);
  if (!block) return text;
  const eol = eolOf(block);
  const adopted = adoptedLines(block);
  if (adopted.length > 0) {
    const back = adopted.join(eol) + (block.text.endsWith('\n') ? eol : '');
    return text.slice(0, block.start) + back + text.slice(block.end);
  }
  let before = text.slice(0, block.start);
  if (!block.text.endsWith('\n')) {
    if (before.endsWith(eol)) before = before.slice(0, -eol.length);
    else if (before.endsWith('\n')) before = before.slice(0, -1);
  }
  return before + text.slice(block.end);
}
