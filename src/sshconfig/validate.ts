import { isIP } from 'node:net';
import { TunnelError } from '../errors.js';
import { parseDuration } from '../shared/paths.js';
import { hostNameProblem, quoteForMessage, socketDirProblem } from '../ssh/hostname.js';
import { patternMatches } from './pattern.js';
import { isRepeatable, normaliseSshOption, sshOptionKeyword, sshOptionListProblem, sshOptionProblem } from './ssh-options.js';
import { jumpText, routesOf } from './routes.js';
import type { TunnelSet } from './types.js';

/**
 * Validators for every value tunnel-config writes into ssh_config. Each returns the message to show, or
 * undefined when the value may be written. Values are refused, never quoted or escaped: a value that
 * needs quoting in ssh_config (or in the shell that runs ProxyCommand) is not one we write.
 */
export type Validator = (value: string) => string | undefined;

/** The characters of absolute paths we write: safe in ssh_config and in a `sh -c` ProxyCommand alike. */
const PATH_CHARS = /^[A-Za-z0-9._+@/-]+$/;

/** Why `value` cannot go into ssh_config at all, whatever the field. */
export function unsafeCharProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'may not contain a line break';
  if (/[\0-\x1f\x7f]/.test(value)) return 'may not contain control characters';
  if (/[^\x00-\x7f]/.test(value)) return 'may contain only ASCII characters';
  if (/\s/.test(value)) return 'may not contain spaces';
  for (const c of ['#', '"', "'", '%', '=', '\\', '`', '$']) {
    if (value.includes(c)) return `may not contain ${c === '"' ? "'\"'" : `"${c}"`}`;
  }
  return undefined;
}

const first = (...checks: Array<() => string | undefined>): string | undefined => {
  for (const check of checks) {
    const problem = check();
    if (problem !== undefined) return problem;
  }
  return undefined;
};

export const setNameProblem: Validator = (name) =>
  first(
    () => (name === '' ? 'is empty' : undefined),
    () => unsafeCharProblem(name),
    () => (/^[a-z0-9][a-z0-9_-]{0,31}$/.test(name) ? undefined : 'must be 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter or digit'),
  );

export const hostPatternProblem: Validator = (pattern) =>
  first(
    () => (pattern === '' ? 'is empty' : undefined),
    () => unsafeCharProblem(pattern),
    () => (pattern.includes('!') ? 'may not be negated with "!"' : undefined),
    () => (pattern.includes(',') ? 'may not contain ","; give several patterns instead' : undefined),
    () => (/^[*?]+$/.test(pattern) ? 'has no literal character, so it would claim any host; name the hosts, e.g. "host-*"' : undefined),
    () => (/^[A-Za-z0-9._*?-]+$/.test(pattern) ? undefined : 'may contain only ASCII letters, digits, "*", "?", "-", "." and "_"'),
    () => hostNameProblem(pattern.replace(/[*?]/g, 'x')),
  );

/** Host patterns as typed in one answer, separated by blanks or commas. */
export const splitHostPatterns = (answer: string): string[] => answer.split(/[\s,]+/).filter((pattern) => pattern !== '');

export const hostListProblem: Validator = (answer) => {
  const patterns = splitHostPatterns(answer);
  if (patterns.length === 0) return 'name at least one host or pattern, e.g. "host-*"';
  for (const pattern of patterns) {
    const problem = hostPatternProblem(pattern);
    if (problem) return `${quoteForMessage(pattern)} ${problem}`;
  }
  return undefined;
};

export const jumpHostProblem: Validator = (host) =>
  first(
    () => (host === '' ? 'is empty' : undefined),
    () => unsafeCharProblem(host),
    () => (isIP(host) !== 0 || hostNameProblem(host) === undefined ? undefined : 'must be a DNS name or an IPv4/IPv6 address'),
  );

export const aliasProblem: Validator = (alias) =>
  first(
    () => (alias === '' ? 'is empty' : undefined),
    () => unsafeCharProblem(alias),
    () => (/[*?]/.test(alias) ? 'must be a Host alias, not a pattern' : undefined),
    () => hostNameProblem(alias),
  );

export function portProblem(port: string | number): string | undefined {
  const text = String(port);
  if (!/^[1-9][0-9]{0,4}$/.test(text) || Number(text) > 65535) return 'must be a number from 1 to 65535';
  return undefined;
}

export const userProblem: Validator = (user) =>
  first(
    () => (user === '' ? 'is empty' : undefined),
    () => unsafeCharProblem(user),
    () => (/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(user) ? undefined : 'must be 1 to 32 letters, digits, "_", "." or "-", not starting with a digit, "." or "-"'),
  );

const pathProblem = (path: string, what: string, allowHome: boolean): string | undefined =>
  first(
    () => (path === '' ? 'is empty' : undefined),
    () => unsafeCharProblem(path),
    () => {
      const rest = allowHome && path.startsWith('~/') ? path.slice(1) : path;
      if (!rest.startsWith('/')) return `must be ${allowHome ? 'an absolute path or start with "~/"' : 'an absolute path'}`;
      if (!PATH_CHARS.test(rest)) return `may contain only ASCII letters, digits, ".", "_", "+", "@", "-" and "/" in ${what}`;
      if (rest.split('/').some((part) => part === '.' || part === '..')) return 'may not contain "." or ".." components';
      return undefined;
    },
  );

export const identityFileProblem: Validator = (path) => pathProblem(path, 'a key path', true);
export const proxyPathProblem: Validator = (path) => pathProblem(path, 'the tunnel-config path', false);
export const nodePathProblem: Validator = (path) => pathProblem(path, 'the node path', false);
export const configFileProblem: Validator = (path) => pathProblem(path, 'a config path', false);
/** The proxy's own rule, narrowed to characters that are also safe inside ProxyCommand's shell. */
export const socketDirValueProblem: Validator = (dir) =>
  first(
    () => unsafeCharProblem(dir),
    () => socketDirProblem(dir),
    () => pathProblem(dir, 'a socket directory', false),
  );

/** A time for the proxy's `--persist`, exactly as the proxy reads it. */
export const persistProblem: Validator = (time) =>
  first(
    () => (time === '' ? 'is empty' : undefined),
    () => unsafeCharProblem(time),
    () => (parseDuration(time) === undefined ? 'must be seconds, or a number with s, m or h (90s, 10m, 2h); 0 turns sharing off' : undefined),
  );

/** `--persist` as we write it: leading zeros dropped, any zero as `0`, the unit kept (`090s` → `90s`, `0m` → `0`). */
export function normalisePersist(time: string): string {
  const match = /^(\d+)([smh]?)$/.exec(time);
  if (!match) return time;
  const amount = Number(match[1]);
  return amount === 0 ? '0' : `${amount}${match[2] ?? ''}`;
}

/** An optional answer: empty means "not set". */
export const optional =
  (check: Validator): Validator =>
  (value) =>
    value === '' ? undefined : check(value);

export { jumpAliasFor } from './routes.js';

/** Checks a whole set before it is rendered; the error names the field by its `add` flag, and the value. */
export function validateTunnelSet(set: TunnelSet): void {
  const check = (field: string, value: string | number | undefined, problem: string | undefined): void => {
    if (problem !== undefined) throw new TunnelError('usage', `${field} ${quoteForMessage(String(value))}: ${problem}`);
  };
  check('--name', set.name, setNameProblem(set.name));
  const routes = routesOf(set);
  for (const { target, socketDir } of routes) {
    if ('alias' in target) {
      check('--jump-alias', target.alias, aliasProblem(target.alias));
    } else {
      check('--jump-host', target.host, jumpHostProblem(target.host));
      if (target.port !== undefined) check('--jump-port', target.port, portProblem(target.port));
      if (target.user !== undefined) check('--jump-user', target.user, userProblem(target.user));
      if (target.identityFile !== undefined) check('--identity', target.identityFile, identityFileProblem(target.identityFile));
      for (const option of target.options ?? []) {
        const keyword = sshOptionKeyword(option);
        const problem = ['port', 'identityfile', 'identitiesonly'].includes(keyword) ? 'is written from the set\'s own answers' : sshOptionProblem(option);
        check(`an option of jump ${target.host}`, option, problem ?? (normaliseSshOption(option) === option ? undefined : `is written as ${quoteForMessage(normaliseSshOption(option))}`));
      }
      const keywords = (target.options ?? []).map(sshOptionKeyword);
      const twice = keywords.find((keyword, index) => !isRepeatable(keyword) && keywords.indexOf(keyword) !== index);
      if (twice !== undefined) check(`an option of jump ${target.host}`, twice, 'is given twice, and ssh uses only the first');
    }
    check('--socket-dir', socketDir, socketDirValueProblem(socketDir));
  }
  routes.forEach((route, index) => {
    const same = routes.findIndex((other) => jumpText(other.target) === jumpText(route.target) && other.socketDir === route.socketDir);
    if (same !== index) check(route.alias === jumpText(route.target) ? '--jump-alias' : '--jump-host', jumpText(route.target), 'is given twice with the same socket directory');
  });
  if (set.hosts.length === 0) check('--hosts', '', 'name at least one host or pattern, e.g. "host-*"');
  set.hosts.forEach((pattern, index) => {
    check('--hosts', pattern, hostPatternProblem(pattern));
    if (set.hosts.indexOf(pattern) !== index) check('--hosts', pattern, 'is listed twice');
    // ssh would run our ProxyCommand to reach the jumphost itself, forever.
    for (const { alias } of routes) if (patternMatches(pattern, alias)) check('--hosts', pattern, `also matches the jumphost ${alias}`);
  });
  if (set.user !== undefined) check('--user', set.user, userProblem(set.user));
  check('tunnel-config path', set.proxyPath, proxyPathProblem(set.proxyPath));
  if (set.nodePath !== undefined) check('node path', set.nodePath, nodePathProblem(set.nodePath));
  if (set.configFile !== undefined) check('--config', set.configFile, configFileProblem(set.configFile));
  if (set.persist !== undefined) check('--persist', set.persist, persistProblem(set.persist));
  for (const option of set.sshOptions ?? []) {
    const written = normaliseSshOption(option);
    check('--ssh-option', option, sshOptionProblem(option) ?? (written === option ? undefined : `is written as ${quoteForMessage(written)}`));
  }
  const listProblem = sshOptionListProblem(set.sshOptions ?? []);
  if (listProblem !== undefined) throw new TunnelError('usage', `--ssh-option ${listProblem}`);
  for (const line of set.adopted ?? []) check('an adopted line', line, /[\r\n]/.test(line) ? 'may not contain a line break' : undefined);
}
