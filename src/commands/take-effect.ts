import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TunnelError } from '../errors.js';
import { jumpText, routesOf } from '../sshconfig/routes.js';
import { type Probe, probeNames } from '../sshconfig/claims.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { removeTunnelSet } from '../sshconfig/splice.js';
import { renderProxyCommand } from '../sshconfig/render.js';
import { findShadowingLine, type IncludedFile, type ShadowingLine, sampleHostFor } from '../sshconfig/shadow.js';
import type { TunnelSet } from '../sshconfig/types.js';

/**
 * Whether a block takes effect, asked of OpenSSH itself before anything is written: the would-be config
 * goes to a private temporary file and `ssh -G -F` resolves every name the set claims that another
 * section may claim too. Synchronous, so that it can run again under the config's lock.
 */

/** A name of the set for which ssh resolves another ProxyCommand (or a ProxyJump) than the set's. */
export interface Conflict {
  probe: Probe;
  /** The line that wins, as far as the text tells (line numbers of the config as it is, before any change). */
  shadow: ShadowingLine | undefined;
}

export interface SshResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs ssh (for `-G`): its output and status; a missing ssh is a usage error saying what to install. */
export function runSsh(args: string[], env: NodeJS.ProcessEnv): SshResult {
  const result = spawnSync('ssh', args, { env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) {
    throw new TunnelError('usage', `cannot ask ssh whether the change takes effect (ssh -G: ${result.error.message}); install OpenSSH's client`);
  }
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

/** ssh's first complaint, without its "terminating" line. */
const complaint = (stderr: string): string =>
  stderr
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !/^Pseudo-terminal/.test(line) && !/terminating, \d+ bad configuration/.test(line)) ?? 'it failed';

/** The name to ask ssh about when only the file as a whole matters. */
export const CHECK_HOST = 'tunnel-config-check';

/** A config ssh already refuses, reported with the line of the file as it is, before anything is written. */
export function assertSshReads(path: string, exists: boolean, host: string, env: NodeJS.ProcessEnv): void {
  if (!exists) return;
  const result = runSsh(['-G', '-F', path, '--', host], env);
  if (!result.ok) {
    throw new TunnelError('usage', `ssh cannot read ${path} as it is, before any change (${complaint(result.stderr)}): fix that first; nothing was written`);
  }
}

const INCLUDING = /^debug\d: (.+) line (\d+): Including file (.+) depth \d+(?: \(parse only\))?$/;

/** The would-be config in a private directory, for `fn`; removed afterwards. */
function withTemporaryConfig<T>(text: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tunnel-config-check-'));
  try {
    const path = join(dir, 'config');
    writeFileSync(path, text, { mode: 0o600 });
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The names of `set` that ssh would not send through its ProxyCommand in `text` (the whole config as it
 * would be written, the set's block included), with the line that wins for each. `path` is the config's
 * own path, for messages.
 */
export function findConflicts(text: string, set: TunnelSet, path: string, env: NodeJS.ProcessEnv): Conflict[] {
  const ours = renderProxyCommand(set);
  return withTemporaryConfig(text, (temporary) => {
    // One verbose run to learn the files each Include reads: their Host lines may claim the set's names too.
    const sample = runSsh(['-G', '-vvv', '-F', temporary, '--', sampleHostFor(set)], env);
    if (!sample.ok) {
      throw new TunnelError('usage', `ssh cannot read ${path} as it would be after the change (${complaint(sample.stderr).replaceAll(temporary, path)}); nothing was written`);
    }
    const includes = new Map<string, IncludedFile[]>();
    for (const line of sample.stderr.split('\n')) {
      const [, file = '', number = '', included = ''] = INCLUDING.exec(line.trim()) ?? [];
      if (included === '') continue;
      let includedText: string;
      try {
        includedText = readFileSync(included, 'utf8');
      } catch {
        continue;
      }
      const key = `${file === temporary ? '' : file}:${number}`;
      includes.set(key, [...(includes.get(key) ?? []), { path: included, text: includedText }]);
    }
    const resolver = (file: string | undefined, line: number): IncludedFile[] => includes.get(`${file ?? ''}:${line}`) ?? [];
    const others = [removeTunnelSet(text, set.name), ...[...includes.values()].flat().map((file) => file.text)];
    const blocks = findManagedBlocks(text, path);
    const block = blocks.find((found) => found.name === set.name);
    const options = { includes: resolver, ...(block ? { ourLines: { begin: block.beginLine, end: block.endLine } } : {}) };
    const conflicts: Conflict[] = [];
    for (const probe of probeNames(set.hosts, others)) {
      const result = runSsh(['-G', '-F', temporary, '--', probe.name], env);
      const proxyCommand = result.stdout.split('\n').find((line) => line.startsWith('proxycommand '))?.slice('proxycommand '.length);
      const shadow = findShadowingLine(text, probe.name, ours, options);
      // ssh cannot tell two sets with the same ProxyCommand apart; the text can, and the first set is the one edited.
      const otherSet = shadow?.certain && shadow.file === undefined && blocks.some((found) => shadow.line >= found.beginLine && shadow.line <= found.endLine);
      if (result.ok && proxyCommand === ours && !otherSet) continue;
      conflicts.push({ probe, shadow });
    }
    return conflicts;
  });
}

/** Where ssh would connect for these arguments: host name and port, as `ssh -G` resolves them; undefined when it cannot say. */
function resolvedEndpoint(args: string[], env: NodeJS.ProcessEnv): { hostName: string; port: string } | undefined {
  const result = runSsh(['-G', ...args], env);
  if (!result.ok) return undefined;
  const value = (keyword: string): string | undefined => new RegExp(`^${keyword} (.*)$`, 'm').exec(result.stdout)?.[1];
  const hostName = value('hostname');
  const port = value('port');
  return hostName === undefined || port === undefined ? undefined : { hostName: hostName.toLowerCase(), port };
}

/**
 * Why `--adopt` must not take a seed-recipe section: it goes through another jumphost than the set's (so the
 * hosts would silently change jumps). Both are resolved with `ssh -G` on the file; a recipe ssh cannot
 * resolve is not held against it.
 */
export function adoptedJumpProblem(recipeJump: string, set: TunnelSet, path: string, env: NodeJS.ProcessEnv): string | undefined {
  const recipe = resolvedEndpoint(['-F', path, ...recipeJump.split(/\s+/).filter((word) => word !== '')], env);
  if (!recipe) return undefined;
  const routes = routesOf(set);
  const ends = routes.map(({ target }) =>
    'alias' in target
      ? resolvedEndpoint(['-F', path, '--', target.alias], env)
      : resolvedEndpoint(['-F', path, ...(target.port === undefined ? [] : ['-p', String(target.port)]), '--', target.host], env),
  );
  if (ends.some((end) => end === undefined || (end.hostName === recipe.hostName && end.port === recipe.port))) return undefined;
  const theirs = routes.map(({ target }, index) => `${jumpText(target)} (${ends[index]?.hostName} port ${ends[index]?.port})`).join(', ');
  return `it goes through ${recipeJump} (${recipe.hostName} port ${recipe.port}), not the set's jump ${theirs}: give the set the jump its hosts use now (--jump-alias or --jump-host), or leave --adopt out`;
}
