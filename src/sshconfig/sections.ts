import { type Line, splitDirective, splitLines } from './lines.js';
import { findManagedBlocks } from './markers.js';
import type { ManagedBlock } from './types.js';

/** The part of a config file that one line belongs to, as ssh reads it. */
export interface Section {
  /** The `Host` or `Match` line that opens it; undefined for the lines before the first one, which apply to every host. */
  header: Line | undefined;
  /** The lines after the header up to the next Host/Match line or managed block, comments and blanks included. */
  body: Line[];
  /** Set instead when the line is inside a managed block (or in lines that follow one without a header of their own). */
  block?: ManagedBlock;
}

export const isSectionHeader = (line: Line): boolean => {
  const keyword = splitDirective(line.content)?.keyword;
  return keyword === 'host' || keyword === 'match';
};

/** The section that line `number` of `text` belongs to. */
export function sectionAt(text: string, number: number, source?: string): Section {
  const lines = splitLines(text);
  const blocks = findManagedBlocks(text, source);
  const blockOf = (line: Line): ManagedBlock | undefined => blocks.find((block) => line.start >= block.start && line.start < block.end);
  let headerIndex = -1;
  for (let index = number - 1; index >= 0; index--) {
    const line = lines[index];
    if (!line) continue;
    const block = blockOf(line);
    if (block) return { header: undefined, body: [], block };
    if (isSectionHeader(line)) {
      headerIndex = index;
      break;
    }
  }
  const header = headerIndex === -1 ? undefined : lines[headerIndex];
  const body: Line[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (blockOf(line) || isSectionHeader(line)) break;
    body.push(line);
  }
  return { header, body };
}

/**
 * Where a block must go to be read before line `number`: before the start of its managed block, before its
 * section's header (with the comments right above it), or, in the lines before any header, right before
 * the line itself (with the comments right above it).
 */
export function offsetBefore(text: string, number: number, source?: string): number {
  const section = sectionAt(text, number, source);
  if (section.block) return section.block.start;
  const lines = splitLines(text);
  const blocks = findManagedBlocks(text, source);
  let first = (section.header?.number ?? number) - 1;
  for (let above = first - 1; above >= 0; above--) {
    const line = lines[above];
    // Only a comment touching the line it describes, never across a managed block or a blank line.
    if (!line || !line.content.startsWith('#') || blocks.some((block) => line.start >= block.start && line.start < block.end)) break;
    first = above;
  }
  return lines[first]?.start ?? text.length;
}

/** True when the text from `offset` on would be read as part of a Host section placed there: it has a directive before any header. */
export function continuesSection(text: string, offset: number): boolean {
  for (const line of splitLines(text)) {
    if (line.start < offset) continue;
    if (/^[ \t]*(#.*)?\r?$/.test(line.content)) continue;
    return !isSectionHeader(line);
  }
  return false;
}
