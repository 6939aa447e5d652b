import { detectEol, splitLines } from './lines.js';
import { readTunnelBlock } from './parse.js';
import { renderTunnelSet } from './render.js';
import type { ManagedBlock, TunnelSet } from './types.js';

/** One line of a block that tunnel-config would not have written: a hand edit. */
export interface HandLine {
  /** 1-based, in the config file. */
  line: number;
  text: string;
}

/** What a managed block holds: its set, when tunnel-config can read it, and the lines someone wrote by hand. */
export interface BlockState {
  block: ManagedBlock;
  set?: TunnelSet;
  /** Why tunnel-config cannot read the block (a line it cannot keep), when it cannot. */
  problem?: string;
  /** Lines that are not what tunnel-config writes for the set; empty for a block as written. */
  handLines: HandLine[];
}

/** Reads a block without throwing: a block edited beyond what tunnel-config can keep is reported, not fatal. */
export function readBlockState(block: ManagedBlock, source?: string): BlockState {
  let read: ReturnType<typeof readTunnelBlock>;
  try {
    read = readTunnelBlock(block, source);
  } catch (error) {
    return { block, problem: error instanceof Error ? error.message : String(error), handLines: [] };
  }
  const eol = detectEol(block.text);
  const lines = splitLines(block.text);
  const kept = commonLines(
    lines.map((line) => line.content),
    splitLines(renderTunnelSet(read.set, eol, { reopen: read.reopen })).map((line) => line.content),
  );
  const handLines = lines.filter((_, index) => !kept.has(index)).map((line) => ({ line: block.beginLine + line.number - 1, text: line.content }));
  return { block, set: read.set, handLines };
}

/** Indexes into `a` of a longest common subsequence of `a` and `b`: the lines both have, in the same order. */
function commonLines(a: readonly string[], b: readonly string[]): Set<number> {
  const length = a.map(() => new Array<number>(b.length + 1).fill(0));
  length.push(new Array<number>(b.length + 1).fill(0));
  const at = (i: number, j: number): number => length[i]?.[j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = length[i] as number[];
      row[j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const common = new Set<number>();
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      common.add(i);
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  return common;
}
