import type { ChalkInstance } from 'chalk';
import { createTwoFilesPatch } from 'diff';
import { stdoutColour } from './colour.js';

/** A unified diff of the config change, coloured only when stdout is a colour terminal and NO_COLOR is not set. */
export function renderConfigDiff(path: string, before: string, after: string, colour: ChalkInstance = stdoutColour()): string {
  const patch = createTwoFilesPatch(path, path, before, after, 'before', 'after', { context: 3 });
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('=====') && !line.startsWith('Index: '))
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return colour.bold(line);
      if (line.startsWith('+')) return colour.green(line);
      if (line.startsWith('-')) return colour.red(line);
      if (line.startsWith('@@')) return colour.cyan(line);
      return line;
    })
    .join('\n');
}
