import { STRING_FLAGS as HOST_SETUP_FLAGS } from '../commands/host-setup.js';
import { setCommandOptions } from '../commands/set-flags.js';

/** A command's flags as a shell sees them: every spelling, and which take a value (after which nothing is offered). */
export interface CommandFlags {
  flags: string[];
  /** Flags whose value is a file, completed as paths. */
  fileFlags: string[];
  /** Other flags that take a value. */
  valueFlags: string[];
}

interface Option {
  type: 'string' | 'boolean';
  short?: string;
}

const FILE_FLAGS = new Set(['config', 'identity', 'known-hosts']);

/** From a parseArgs options table, the same one the command parses with. */
export function flagsOf(options: Record<string, Option>): CommandFlags {
  const result: CommandFlags = { flags: [], fileFlags: [], valueFlags: [] };
  for (const [name, option] of Object.entries(options)) {
    const spellings = [`--${name}`, ...(option.short ? [`-${option.short}`] : [])];
    result.flags.push(...spellings);
    if (option.type === 'string') (FILE_FLAGS.has(name) ? result.fileFlags : result.valueFlags).push(...spellings);
  }
  return result;
}

const string = { type: 'string' } as const;
const boolean = { type: 'boolean' } as const;
const help = { type: 'boolean', short: 'h' } as const;

/**
 * Each command's flags. add/edit/list/remove and host-setup's value flags come from the commands' own tables;
 * the parsers of the others declare theirs inline, so they are listed here.
 */
export function commandFlags(): Record<string, CommandFlags> {
  return {
    add: flagsOf(setCommandOptions(true)),
    edit: flagsOf(setCommandOptions(true)),
    list: flagsOf(setCommandOptions(false)),
    remove: flagsOf(setCommandOptions(false)),
    'host-setup': flagsOf({
      ...Object.fromEntries(Object.keys(HOST_SETUP_FLAGS).map((flag) => [flag, string])),
      install: boolean,
      'dry-run': boolean,
      help,
    }),
    'server-setup': flagsOf({ mode: string, 'socket-dir': string, hosts: string, 'client-user': string, key: string, print: boolean, apply: boolean, check: boolean, help }),
    proxy: flagsOf({ jump: string, 'socket-dir': string, config: { type: 'string', short: 'F' }, verbose: { type: 'boolean', short: 'v' }, persist: string, help }),
    shared: flagsOf({ json: boolean, help }),
    hosts: flagsOf({ jump: string, 'socket-dir': string, probe: boolean, json: boolean, config: { type: 'string', short: 'F' }, help }),
    doctor: flagsOf({ json: boolean, config: { type: 'string', short: 'F' }, help }),
    completion: flagsOf({ help }),
  };
}

/** The commands whose positional argument is a tunnel set's name. */
export const SET_NAME_COMMANDS = ['edit', 'remove', 'hosts'] as const;

/** The commands whose positional argument is a hidden host's name. */
export const HOST_NAME_COMMANDS = ['doctor'] as const;

/** The ssh programs whose host names completion adds to. */
export const SSH_PROGRAMS = ['ssh', 'scp', 'sftp', 'rsync'] as const;

/** Words a command takes as its first argument, where it has a fixed set of them. */
export const COMMAND_WORDS: Record<string, string[]> = { shared: ['status', 'stop'], completion: ['bash', 'zsh', 'fish'] };
