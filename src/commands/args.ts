import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TunnelError } from '../errors.js';

/**
 * node's parseArgs, with its errors turned into one usage line that points at the command's --help:
 * node's hint for a value that starts with "-" (`--name=-XYZ`) is kept, the one about positionals dropped.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T, command: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional.*$/s, '').replace(/\s*\n\s*/g, ' ');
    throw new TunnelError('usage', `${message} (see tunnel-config ${command} --help)`);
  }
}
