import chalk from 'chalk';
import { createTwoFilesPatch } from 'diff';

/** A unified diff of the config change, coloured when chalk sees a colour terminal. */
export function renderConfigDiff(path: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(path, path, before, after, 'before', 'after', { context: 3 });
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('=====') && !line.startsWith('Index: '))
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return chalk.bold(line);
      if (line.startsWith('+')) return chalk.green(line);
      if (line.startsWith('-')) return chalk.red(line);
      if (line.startsWith('@@')) return chalk.cyan(line);
      return line;
    })
    .join('\n');
}
