import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { readBlockState } from '../sshconfig/hand-edits.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { defaultConfigPath, readConfig } from '../sshconfig/store.js';
import { hostNameProblem } from '../ssh/hostname.js';
import { hostsCachePath, readHostsCache } from './cache.js';

/** What a completion script asks for while completing: read from local files only, never the network. */
export type NameKind = 'sets' | 'hosts';

export interface ManagedNames {
  sets: string[];
  /** The sets' explicit host names; patterns (`host-*`) cannot be completed. */
  hosts: string[];
}

/** The set names and explicit host names in a config's managed blocks (pure: text in, names out). */
export function managedNames(text: string, source?: string): ManagedNames {
  const states = findManagedBlocks(text, source).map((block) => readBlockState(block, source));
  return {
    sets: states.map(({ block }) => block.name),
    hosts: states.flatMap(({ set }) => (set?.hosts ?? []).filter((host) => hostNameProblem(host) === undefined)),
  };
}

const unique = (names: readonly string[]): string[] => [...new Set(names)];

/** The names to offer, one a line; an unreadable config or cache offers none rather than printing an error into a shell. */
export async function completionNames(kind: NameKind, config: string | undefined, env: NodeJS.ProcessEnv): Promise<string[]> {
  const home = env.HOME || homedir();
  const path = config === undefined ? defaultConfigPath(home) : resolve(config);
  let managed: ManagedNames = { sets: [], hosts: [] };
  try {
    managed = managedNames((await readConfig(path)).text, path);
  } catch {
    // Broken markers or an unreadable file: nothing to offer from it.
  }
  if (kind === 'sets') return unique(managed.sets);
  return unique([...managed.hosts, ...(await readHostsCache(hostsCachePath(env, home)))]);
}
