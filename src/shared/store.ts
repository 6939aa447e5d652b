import { randomBytes } from 'node:crypto';
import { constants, lstatSync, mkdirSync, openSync, readFileSync, closeSync, writeSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';

/** Why the shared directory cannot be used, or undefined when it is private to us. */
export function privateDirProblem(dir: string, uid: number): string | undefined {
  try {
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) return `${dir} is not a directory`;
    if (stat.uid !== uid) return `${dir} belongs to uid ${stat.uid}, not to you`;
    if ((stat.mode & 0o077) !== 0) return `${dir} is open to others (mode ${(stat.mode & 0o777).toString(8)}); it must be 0700`;
    return undefined;
  } catch (error) {
    return `${dir}: ${(error as Error).message}`;
  }
}

/** Creates the shared directory 0700 (its missing parents too) and checks it is ours and private. */
export function ensurePrivateDir(dir: string, uid: number): string | undefined {
  try {
    mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return `cannot create ${dir}: ${(error as Error).message}`;
  }
  return privateDirProblem(dir, uid);
}

const NOFOLLOW_READ = constants.O_RDONLY | constants.O_NOFOLLOW;

/** The secret every request must carry: a second check behind the directory's 0700. */
export function readToken(path: string): string | undefined {
  try {
    const fd = openSync(path, NOFOLLOW_READ);
    try {
      const token = readFileSync(fd, 'utf8').trim();
      return /^[0-9a-f]{64}$/.test(token) ? token : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Reads the token, creating it (exclusively, 0600) when there is none yet. */
export function ensureToken(path: string): string | undefined {
  const existing = readToken(path);
  if (existing !== undefined) return existing;
  const token = randomBytes(32).toString('hex');
  try {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, `${token}\n`);
    } finally {
      closeSync(fd);
    }
    return token;
  } catch {
    // Another process made it first.
    return readToken(path);
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the lock that lets one process start the shared connection for a key. Returns a release
 * function, or the pid of the live process that holds it. A lock whose process is gone is taken over.
 */
export function takeStartLock(path: string): { release: () => void } | { heldBy: number } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => removeQuietly(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { heldBy: -1 };
      const pid = lockHolder(path);
      if (pid !== undefined && isAlive(pid)) return { heldBy: pid };
      removeQuietly(path);
    }
  }
  return { heldBy: -1 };
}

export function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
