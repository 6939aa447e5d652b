import { TunnelError } from '../errors.js';

/** sun_path sizes, including the terminating NUL. */
const SOCKET_PATH_LIMIT: Partial<Record<NodeJS.Platform, number>> = { darwin: 104, freebsd: 104, openbsd: 104 };
const DEFAULT_SOCKET_PATH_LIMIT = 108;
const HOST_CHARS = /^[A-Za-z0-9._-]+$/;

export function socketPathLimit(platform: NodeJS.Platform = process.platform): number {
  return SOCKET_PATH_LIMIT[platform] ?? DEFAULT_SOCKET_PATH_LIMIT;
}

/** Shows a rejected value safely on one line: control and non-ASCII characters escaped. */
export function quoteForMessage(value: string): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why `host` may not name a socket, or undefined when it may. */
export function hostNameProblem(host: string): string | undefined {
  if (host === '') return 'is empty';
  if (!HOST_CHARS.test(host)) return 'may contain only ASCII letters, digits, "-", "." and "_"';
  if (host.startsWith('-')) return 'may not start with "-"';
  if (host.startsWith('.') || host.endsWith('.')) return 'may not start or end with "."';
  if (host.includes('..')) return 'may not contain ".."';
  if (host.length > 253) return 'is longer than 253 characters';
  return undefined;
}

export function validateHostName(host: string): string {
  const problem = hostNameProblem(host);
  if (problem) throw new TunnelError('usage', `invalid host name ${quoteForMessage(host)}: a host name ${problem}`);
  return host;
}

/** Why `dir` may not be a socket directory, or undefined when it may. */
export function socketDirProblem(dir: string): string | undefined {
  if (!dir.startsWith('/')) return 'must be an absolute path';
  if (/[^\x21-\x7e]/.test(dir)) return 'may contain only printable ASCII without spaces';
  if (dir.split('/').some((part) => part === '..' || part === '.')) return 'may not contain "." or ".." components';
  return undefined;
}

export function validateSocketDir(dir: string): string {
  const problem = socketDirProblem(dir);
  if (problem) throw new TunnelError('usage', `invalid socket directory ${quoteForMessage(dir)}: it ${problem}`);
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

/** DIR/HOST.sock, checked against the platform's UNIX socket path limit. */
export function socketPathFor(dir: string, host: string, platform: NodeJS.Platform = process.platform): string {
  const cleanDir = validateSocketDir(dir);
  validateHostName(host);
  const path = `${cleanDir === '/' ? '' : cleanDir}/${host}.sock`;
  const limit = socketPathLimit(platform);
  if (Buffer.byteLength(path) + 1 > limit) {
    const room = limit - 1 - Buffer.byteLength(path) + host.length;
    throw new TunnelError(
      'usage',
      `socket path ${path} is ${Buffer.byteLength(path)} bytes, over the ${limit - 1}-byte UNIX socket limit: use a host name of at most ${Math.max(room, 0)} characters or a shorter --socket-dir`,
    );
  }
  return path;
}
