import type { SetAnswers } from '../wizard/index.js';
import { parseCommandArgs } from './args.js';

/** The flags of `add` and `edit`; each wizard question has one, so scripts need no terminal. */
export const SET_FLAGS = {
  name: 'name',
  'jump-host': 'jumpHost',
  'jump-port': 'jumpPort',
  'jump-user': 'jumpUser',
  identity: 'identity',
  'jump-alias': 'jumpAlias',
  'socket-dir': 'socketDir',
  hosts: 'hosts',
  user: 'user',
  persist: 'persist',
} as const satisfies Record<string, keyof SetAnswers>;

/** Flags that may be given more than once: their values are joined as one list answer. */
const MULTIPLE = new Set(['hosts', 'jump-alias', 'jump-host', 'socket-dir']);

export interface ParsedSetArgs {
  given: Partial<SetAnswers>;
  positionals: string[];
  config: string | undefined;
  yes: boolean;
  dryRun: boolean;
  help: boolean;
  json: boolean;
  /** `--ssh-option`, each as given (undefined when none was); `--ssh-option ''` alone empties the list. */
  sshOptions: string[] | undefined;
  /** `--adopt` and `--place-before`: what to do when an earlier section would win over the block. */
  adopt: boolean;
  placeBefore: boolean;
  /** `--check`: connect once to the jump through the set, as its hosts' ProxyCommand will. */
  check: boolean;
}

/** The options of a config command's parser (add, edit, list, remove); `withSetFlags` adds the tunnel-set flags of add/edit. */
export function setCommandOptions(withSetFlags: boolean) {
  const setOptions = {
    ...Object.fromEntries(Object.keys(SET_FLAGS).map((flag) => [flag, { type: 'string' as const, multiple: MULTIPLE.has(flag) }])),
    'ssh-option': { type: 'string' as const, multiple: true },
    adopt: { type: 'boolean' as const, default: false },
    'place-before': { type: 'boolean' as const, default: false },
  };
  return {
    ...(withSetFlags ? setOptions : {}),
    config: { type: 'string', short: 'F' },
    yes: { type: 'boolean', short: 'y', default: false },
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  } as const;
}

/** Parses a config command's argv; `withSetFlags` adds the tunnel-set flags of add/edit. */
export function parseSetArgs(argv: string[], command: string, withSetFlags: boolean): ParsedSetArgs {
  const parsed = parseCommandArgs({ args: argv, allowPositionals: true, strict: true, options: setCommandOptions(withSetFlags) }, command);
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const given: Partial<SetAnswers> = {};
  for (const [flag, key] of Object.entries(SET_FLAGS)) {
    const value = values[flag];
    if (Array.isArray(value)) given[key] = value.join(',');
    else if (typeof value === 'string') given[key] = value;
  }
  return {
    given,
    positionals: parsed.positionals,
    config: values.config as string | undefined,
    yes: values.yes === true,
    dryRun: values['dry-run'] === true,
    help: values.help === true,
    json: values.json === true,
    sshOptions: values['ssh-option'] as string[] | undefined,
    adopt: values.adopt === true,
    placeBefore: values['place-before'] === true,
    check: values.check === true,
  };
}
