import { splitDirective, splitLines } from './lines.js';
import { hostLineMatches, patternListMatches } from './pattern.js';
import type { TunnelSet } from './types.js';

export interface ShadowingLine {
  /** 1-based. */
  line: number;
  /** The line as written, without indentation or line ending. */
  text: string;
  /** False when it sits under a `Match` whose outcome needs the running system (exec, localuser, …). */
  certain: boolean;
  /** The included file it is in; unset for the config itself. */
  file?: string;
  /** For a line in an included file: the line of the config itself whose `Include` led there. */
  via?: number;
}

type Outcome = boolean | 'maybe';

const both = (a: Outcome, b: Outcome): Outcome => (a === false || b === false ? false : a === 'maybe' || b === 'maybe' ? 'maybe' : true);

/** A `Match` line for this host, as far as it can be told from the text alone. */
function matchLineMatches(args: string[], host: string, hostName: string, user: string | undefined): Outcome {
  let outcome: Outcome = true;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    const negated = word.startsWith('!');
    const criterion = (negated ? word.slice(1) : word).toLowerCase();
    let result: Outcome;
    if (criterion === 'all') result = true;
    // Only true in a second pass, which keeps every value the first pass set: they never win over ours.
    else if (criterion === 'canonical' || criterion === 'final') result = false;
    else {
      const arg = args[++i];
      if (arg === undefined) result = 'maybe';
      else if (criterion === 'host') result = patternListMatches(arg, hostName);
      else if (criterion === 'originalhost') result = patternListMatches(arg, host);
      else if (criterion === 'user' && user !== undefined) result = patternListMatches(arg, user);
      else result = 'maybe';
    }
    outcome = both(outcome, negated && result !== 'maybe' ? !result : result);
  }
  return outcome;
}

/** A file that an `Include` line read, with its text. */
export interface IncludedFile {
  path: string;
  text: string;
}

/** The files the `Include` on line `line` of `file` (undefined: the config itself) read, in order, as `ssh -G -vvv` reports them. */
export type IncludeResolver = (file: string | undefined, line: number) => IncludedFile[];

export interface ShadowOptions {
  includes?: IncludeResolver;
  /** The lines of our block: a ProxyCommand elsewhere wins even when it is the same text (another set's). */
  ourLines?: { begin: number; end: number };
}

/**
 * The first line that gives `host` a ProxyCommand or ProxyJump before ours does (ssh keeps the first value
 * it reads), or undefined when ours is the first. `text` is the config with our block in place;
 * `ourProxyCommand` is what `renderProxyCommand` wrote. Mirrors OpenSSH's rules: `Host` patterns are
 * case-sensitive, `Match host` sees the HostName set so far, `ProxyJump none` gives way to a later
 * ProxyCommand, an `Include` is read where it stands (nothing in it applies when its section does not).
 */
export function findShadowingLine(text: string, host: string, ourProxyCommand: string, options: ShadowOptions = {}): ShadowingLine | undefined {
  const { includes, ourLines } = options;
  const isOurs = (line: number, args: string[]): boolean =>
    ourLines ? line >= ourLines.begin && line <= ourLines.end : args.join(' ') === ourProxyCommand;
  let hostName: string | undefined;
  let user: string | undefined;
  let uncertain: ShadowingLine | undefined;
  let found: ShadowingLine | 'ours' | undefined;

  const walk = (source: string, file: string | undefined, outer: Outcome, via: number | undefined, depth: number): void => {
    let active = outer;
    for (const line of splitLines(source)) {
      if (found) return;
      const directive = splitDirective(line.content);
      if (!directive) continue;
      const { keyword, args } = directive;
      const value = args[0];
      const here = (certain: boolean): ShadowingLine => ({
        line: line.number,
        text: line.content.trim(),
        certain,
        ...(file === undefined ? {} : { file }),
        ...(via === undefined ? {} : { via }),
      });
      if (keyword === 'host') active = both(outer, hostLineMatches(args, host));
      else if (keyword === 'match') active = both(outer, matchLineMatches(args, host, hostName ?? host, user));
      else if (keyword === 'include') {
        // ssh reads an Include in a section that does not apply, but nothing in it then applies either.
        if (active !== false && includes && depth < 16) {
          for (const included of includes(file, line.number)) walk(included.text, included.path, active, via ?? line.number, depth + 1);
        }
      } else if (active !== true) {
        if (active === 'maybe' && (keyword === 'proxycommand' || (keyword === 'proxyjump' && value?.toLowerCase() !== 'none'))) {
          uncertain ??= here(false);
        }
      } else if (keyword === 'hostname' && value !== undefined) hostName ??= value.replace(/%h/g, host);
      else if (keyword === 'user' && value !== undefined) user ??= value;
      else if (keyword === 'proxyjump' && value?.toLowerCase() !== 'none') found = here(true);
      else if (keyword === 'proxycommand') found = file === undefined && isOurs(line.number, args) ? 'ours' : here(true);
    }
  };
  walk(text, undefined, true, undefined, 0);
  return uncertain ?? (found === 'ours' ? undefined : found);
}

/** A host name the set claims, to ask the config about: a literal one if any, else the first pattern made literal. */
export function sampleHostFor(set: TunnelSet): string {
  const literal = set.hosts.find((pattern) => !/[*?]/.test(pattern));
  return literal ?? (set.hosts[0] ?? '').replace(/[*?]/g, 'x');
}
