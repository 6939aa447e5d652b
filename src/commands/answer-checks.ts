import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { TunnelError } from '../errors.js';
import { parseSshG } from '../jump/jump.js';
import { runSshG } from '../jump/resolve.js';
import { socketPathLimit } from '../ssh/hostname.js';
import { hostLineMatches } from '../sshconfig/pattern.js';
import { routesOf } from '../sshconfig/routes.js';
import type { TunnelSet } from '../sshconfig/types.js';
import { editDistance } from '../ui/suggest.js';

/** The shortest host name room worth allowing: a socket path that leaves less is refused up front. */
const MIN_HOST_ROOM = 8;

const PUBLIC_KEY = /^(ssh-|ecdsa-|sk-)[\w@.-]+ [A-Za-z0-9+/]/;

/** Why the IdentityFile would fail at ssh time, found now: it does not exist, or it is the public half. */
export async function identityProblem(path: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const expanded = path.replace(/^~(?=\/|$)/, env.HOME || homedir());
  let text: string;
  try {
    text = (await readFile(expanded)).subarray(0, 4096).toString('latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${path} does not exist: give the private key you log in to the jumphost with (such as ~/.ssh/id_ed25519)` : `${path} cannot be read (${code ?? 'error'})`;
  }
  if (path.endsWith('.pub') || PUBLIC_KEY.test(text.trimStart())) {
    return `${path} is a public key: give its private half${path.endsWith('.pub') ? ` (${path.slice(0, -'.pub'.length)})` : ''}, which ssh logs in with`;
  }
  return undefined;
}

/** The pattern lists of a config's Host lines. */
function hostLines(configText: string): string[][] {
  const lines: string[][] = [];
  for (const line of configText.split(/\r?\n/)) {
    const match = /^\s*host\s*[=\s]\s*(.+)$/i.exec(line);
    if (match?.[1]) lines.push(match[1].trim().split(/\s+/));
  }
  return lines;
}

/** The Host aliases a config names (not patterns), for suggestions. */
export function hostAliases(configText: string): string[] {
  return [...new Set(hostLines(configText).flat().filter((name) => !/[*?!]/.test(name)))];
}

/** Whether a Host line other than a catch-all `Host *` names the alias. */
export function configNames(configText: string, alias: string): boolean {
  return hostLines(configText).some((patterns) => !patterns.every((p) => p === '*') && hostLineMatches(patterns, alias));
}

export function closestAliases(typed: string, aliases: readonly string[]): string[] {
  return aliases.filter((alias) => editDistance(typed.toLowerCase(), alias.toLowerCase()) <= Math.max(2, Math.floor(typed.length / 4)));
}

/**
 * What only the machine can tell about the answers, checked before anything is written: the key file, the
 * jump alias (ssh -G names no HostName for an alias the config does not have), room for host names in
 * the socket directory. Each problem names the flag and what to give instead.
 */
export async function checkAnswerFacts(set: TunnelSet, config: { path: string; text: string }, env: NodeJS.ProcessEnv): Promise<void> {
  for (const { target: jump, socketDir } of routesOf(set)) {
    if ('identityFile' in jump && jump.identityFile !== undefined) {
      const problem = await identityProblem(jump.identityFile, env);
      if (problem) throw new TunnelError('usage', `--identity ${problem}`);
    }
    if ('alias' in jump && !configNames(config.text, jump.alias)) {
      // Not in the file itself: ssh may still know it (an Include, the system-wide config) and give it a HostName.
      const args = set.configFile === undefined ? ['-G', '--', jump.alias] : ['-G', '-F', set.configFile, '--', jump.alias];
      const resolved = parseSshG(await runSshG(args, env).catch(() => ''));
      const hostName = resolved.get('hostname')?.[0];
      if (hostName === undefined || hostName.toLowerCase() === jump.alias.toLowerCase()) {
        const close = closestAliases(jump.alias, hostAliases(config.text));
        const hint = close.length > 0 ? `did you mean ${close.join(' or ')}?` : `give a Host alias that ${config.path} has, or --jump-host`;
        throw new TunnelError('usage', `--jump-alias ${jump.alias}: ${config.path} has no Host ${jump.alias}, so ssh would look it up in DNS; ${hint}`);
      }
    }
    const room = socketPathLimit() - 1 - Buffer.byteLength(`${socketDir === '/' ? '' : socketDir}/.sock`);
    if (room < MIN_HOST_ROOM) {
      throw new TunnelError(
        'usage',
        `--socket-dir ${socketDir} leaves room for host names of at most ${Math.max(room, 0)} characters in a UNIX socket path (${socketPathLimit() - 1} bytes): use a shorter directory`,
      );
    }
  }
}
