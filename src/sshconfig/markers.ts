import { TunnelError } from '../errors.js';
import type { ManagedBlock } from './types.js';
import { splitLines, type Line } from './lines.js';

const NAME = '[a-z0-9][a-z0-9_-]{0,31}';
const BEGIN = new RegExp(`^# >>> tunnel-config (${NAME}) >>>[ \\t\\r]*$`);
const END = new RegExp(`^# <<< tunnel-config (${NAME}) <<<[ \\t\\r]*$`);
/** Anything a hand edit could have made of a marker: refused rather than silently taken for a comment. */
const LOOKALIKE = /^[ \t]*#[ \t]*(?:>>>|<<<)[ \t]*tunnel-config/i;

export const beginMarker = (name: string): string => `# >>> tunnel-config ${name} >>>`;
export const endMarker = (name: string): string => `# <<< tunnel-config ${name} <<<`;
export const generatedComment = (name: string): string =>
  `# Written by tunnel-config: change it with \`tunnel-config edit ${name}\` or \`tunnel-config remove ${name}\`.`;

interface Open {
  name: string;
  line: Line;
}

/**
 * The managed blocks of a config file, in file order.
 * Throws a usage error naming the lines when the markers are duplicated, unbalanced, nested or mismatched,
 * since guessing where a block ends could damage the user's own lines.
 */
export function findManagedBlocks(text: string, source = '~/.ssh/config'): ManagedBlock[] {
  const fail = (message: string): never => {
    throw new TunnelError('usage', `${source}: ${message}; fix or remove it by hand`);
  };
  const blocks: ManagedBlock[] = [];
  let open: Open | undefined;
  for (const line of splitLines(text)) {
    const begin = BEGIN.exec(line.content)?.[1];
    const end = END.exec(line.content)?.[1];
    if (begin !== undefined) {
      if (open) {
        fail(`tunnel-config marker for "${begin}" at line ${line.number} is inside the block "${open.name}" begun at line ${open.line.number}, which has no end marker before it`);
      }
      open = { name: begin, line };
    } else if (end !== undefined) {
      if (!open) fail(`tunnel-config end marker for "${end}" at line ${line.number} has no begin marker before it`);
      else if (open.name !== end) {
        fail(`tunnel-config block "${open.name}" begun at line ${open.line.number} is ended by the marker for "${end}" at line ${line.number}`);
      } else {
        const twin = blocks.find((block) => block.name === end);
        if (twin) fail(`two tunnel-config blocks for "${end}", at lines ${twin.beginLine}-${twin.endLine} and ${open.line.number}-${line.number}`);
        blocks.push({
          name: end,
          beginLine: open.line.number,
          endLine: line.number,
          start: open.line.start,
          end: line.end,
          text: text.slice(open.line.start, line.end),
        });
        open = undefined;
      }
    } else if (LOOKALIKE.test(line.content)) {
      fail(`line ${line.number} looks like a tunnel-config marker but is not one exactly (\`${beginMarker('NAME')}\` or \`${endMarker('NAME')}\`)`);
    }
  }
  if (open) fail(`tunnel-config marker for "${open.name}" at line ${open.line.number} has no end marker`);
  return blocks;
}
