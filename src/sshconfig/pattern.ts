/** OpenSSH's match_pattern(): `*` any run, `?` exactly one character, everything else literal and case-sensitive. */
export function patternMatches(pattern: string, text: string): boolean {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's').test(text);
}

/** A `Host` line's patterns: a negated match refuses the whole line, otherwise any pattern matching accepts it. */
export function hostLineMatches(patterns: readonly string[], host: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), host)) return false;
    } else if (patternMatches(pattern, host)) {
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH's match_pattern_list() as `Match host`/`originalhost` use it: comma-separated, `!`, case-insensitive. */
export function patternListMatches(list: string, text: string): boolean {
  return hostLineMatches(list.toLowerCase().split(','), text.toLowerCase());
}
