/** OpenSSH's argv_split: words split on blanks, with '…', "…" and \\ escapes; null for an open quote. */
export function splitCommandLine(line: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') {
      i++;
      continue;
    }
    let word = '';
    let quote = '';
    for (; i < line.length; i++) {
      const c = line[i] ?? '';
      const next = line[i + 1];
      if (c === '\\' && (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' '))) {
        word += next;
        i++;
      } else if (quote === '' && (c === ' ' || c === '\t')) {
        break;
      } else if (quote === '' && (c === '"' || c === "'")) {
        quote = c;
      } else if (quote !== '' && c === quote) {
        quote = '';
      } else {
        word += c;
      }
    }
    if (quote !== '') return null;
    words.push(word);
  }
  return words;
}

/**
 * OpenSSH's percent_dollar_expand: `${VAR}` from the environment, then `%x` from `tokens`.
 * Returns null for an unknown token or an unset variable, which make ssh stop.
 */
export function expandTokens(text: string, tokens: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): string | null {
  let failed = false;
  const withEnv = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) failed = true;
    return value ?? '';
  });
  const out = withEnv.replace(/%(.?)/g, (_, token: string) => {
    if (token === '%') return '%';
    const value = tokens[token];
    if (value === undefined) failed = true;
    return value ?? '';
  });
  return failed ? null : out;
}
