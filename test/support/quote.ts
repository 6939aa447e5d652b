const plain = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for /bin/sh (ssh runs ProxyCommand and remote commands through a shell). */
export function shellQuote(word: string): string {
  return plain.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A path as an ssh_config value: `%` escaped against token expansion, quoted if it has blanks. */
export function configPath(path: string): string {
  const escaped = path.replaceAll('%', '%%');
  return /[\s"]/.test(escaped) ? `"${escaped.replaceAll('"', '\\"')}"` : escaped;
}

/** A path inside a ProxyCommand: shell-quoted, with `%` escaped since ssh expands tokens there too. */
export function proxyCommandPath(path: string): string {
  return shellQuote(path).replaceAll('%', '%%');
}
