import { findManagedBlocks } from './markers.js';
import { BOM, detectEol, splitDirective, splitLines } from './lines.js';
import { renderTunnelSet } from './render.js';
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

/** `text` with the block of `set` replaced in place, or inserted at `insertionOffset`. */
export function upsertTunnelSet(text: string, set: TunnelSet, source?: string): string {
  const existing = findManagedBlocks(text, source).find((block) => block.name === set.name);
  if (existing) {
    const eol = eolOf(existing);
    const block = renderTunnelSet(set, eol);
    const replacement = existing.text.endsWith('\n') ? block : block.slice(0, -eol.length);
    return text.slice(0, existing.start) + replacement + text.slice(existing.end);
  }
  const eol = detectEol(text);
  const block = renderTunnelSet(set, eol);
  const offset = insertionOffset(text, source);
  if (offset < text.length) return text.slice(0, offset) + block + text.slice(offset);
  if (text === '' || text === BOM || text.endsWith('\n')) return text + block;
  // The file has no final newline: keep it that way, so removing the block gives back the same bytes.
  return text + eol + block.slice(0, -eol.length);
}

/** `text` without the block named `name`; unchanged when there is none. */
export function removeTunnelSet(text: string, name: string, source?: string): string {
  const block = findManagedBlocks(text, source).find((found) => found.name === name);
  if (!block) return text;
  let before = text.slice(0, block.start);
  if (!block.text.endsWith('\n')) {
    const eol = eolOf(block);
    if (before.endsWith(eol)) before = before.slice(0, -eol.length);
    else if (before.endsWith('\n')) before = before.slice(0, -1);
  }
  return before + text.slice(block.end);
}
