import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { hostNameProblem } from '../ssh/hostname.js';

/** Where the last `hosts` listing's names are kept for shell completion: $XDG_CACHE_HOME or ~/.cache, then tunnel-config/hosts.txt. */
export function hostsCachePath(env: NodeJS.ProcessEnv, home: string): string {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, '.cache');
  return join(base, 'tunnel-config', 'hosts.txt');
}

/** The cache's text: one name per line. */
export const renderHostsCache = (names: readonly string[]): string => names.map((name) => `${name}\n`).join('');

/** The names in the cache's text; a line that is not a valid host name is skipped, since a shell will read them. */
export const parseHostsCache = (text: string): string[] =>
  text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && hostNameProblem(line) === undefined);

/** The cached names, or none when there is no cache: completion must never fail or wait. */
export async function readHostsCache(path: string): Promise<string[]> {
  try {
    return parseHostsCache(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}
