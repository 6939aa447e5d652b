import { Chalk, type ChalkInstance, supportsColor } from 'chalk';

/**
 * chalk for stdout as the environment asks: chalk's own detection (no colour when stdout is not a
 * terminal, FORCE_COLOR, TERM=dumb), and NO_COLOR, which chalk does not read: set and not empty, it turns
 * colour off unless FORCE_COLOR asks for it (as node's own styleText, and so the prompts, decide).
 */
export function stdoutColour(env: NodeJS.ProcessEnv = process.env, detected: number = supportsColor ? supportsColor.level : 0): ChalkInstance {
  const noColor = (env['NO_COLOR'] ?? '') !== '' && env['FORCE_COLOR'] === undefined;
  return new Chalk({ level: noColor ? 0 : (detected as 0 | 1 | 2 | 3) });
}
