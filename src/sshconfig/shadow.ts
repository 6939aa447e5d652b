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

/**
 * The first line that gives `host` a ProxyCommand or ProxyJump before ours does (ssh keeps the first value
 * it reads), or undefined when ours is the first. `text` is the config with our block in place;
 * `ourProxyCommand` is what `renderProxyCommand` wrote. Mirrors OpenSSH's rules: `Host` patterns are
 * case-sensitive, `Match host` sees the HostName set so far, `ProxyJump none` gives way to a later
 * ProxyCommand. Files pulled in by `Include` are not read: only `ssh -G` sees those.
 */
export function findShadowingLine(text: string, host: string, ourProxyCommand: string): ShadowingLine | undefined {
  let active: Outcome = true;
  let hostName: string | undefined;
  let user: string | undefined;
  let uncertain: ShadowingLine | undefined;
  for (const line of splitLines(text)) {
    const directive = splitDirective(line.content);
    if (!directive) continue;
    const { keyword, args } = directive;
    const value = args[0];
    if (keyword === 'host') active = hostLineMatches(args, host);
    else if (keyword === 'match') active = matchLineMatches(args, host, hostName ?? host, user);
    else if (active !== true) {
      if (active === 'maybe' && (keyword === 'proxycommand' || (keyword === 'proxyjump' && value?.toLowerCase() !== 'none'))) {
        uncertain ??= { line: line.number, text: line.content.trim(), certain: false };
      }
    } else if (keyword === 'hostname' && value !== undefined) hostName ??= value.replace(/%h/g, host);
    else if (keyword === 'user' && value !== undefined) user ??= value;
    else if (keyword === 'proxyjump' && value?.toLowerCase() !== 'none') {
      return uncertain ?? { line: line.number, text: line.content.trim(), certain: true };
    } else if (keyword === 'proxycommand') {
      if (args.join(' ') === ourProxyCommand) return uncertain;
      return uncertain ?? { line: line.number, text: line.content.trim(), certain: true };
    }
  }
  return uncertain;
}

/** A host name the set claims, to ask the config about: a literal one if any, else the first pattern made literal. */
export function sampleHostFor(set: TunnelSet): string {
  const literal = set.hosts.find((pattern) => !/[*?]/.test(pattern));
  return literal ?? (set.hosts[0] ?? '').replace(/[*?]/g, 'x');
}
