import { spawn } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basename, dirname, resolve } from 'node:path/posix';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  /** Sees stdout and stderr as they arrive (they are still collected). */
  onOutput?: (text: string) => void;
}

export interface FileFacts {
  kind: 'file' | 'directory' | 'symlink' | 'socket' | 'other';
  uid: number;
  gid: number;
  /** Permission bits with setuid, setgid and sticky. */
  mode: number;
}

/** The only I/O that --apply and --check do; tests pass their own. */
export interface SetupRunner {
  isRoot(): boolean;
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** lstat, or stat when `follow`; undefined when nothing is there. */
  stat(path: string, follow?: boolean): Promise<FileFacts | undefined>;
  readFile(path: string): Promise<string | undefined>;
  readLink(path: string): Promise<string | undefined>;
  /** The names in a directory; undefined when there is no directory there. */
  readDir(path: string): Promise<string[] | undefined>;
  /** The absolute path with every symbolic link resolved, like `realpath -m`: a part that does not exist is kept as given. */
  realPath(path: string): Promise<string>;
  /** Runs `body` with a fresh private directory, removed afterwards. */
  withTempDir<T>(body: (dir: string, write: (name: string, text: string) => Promise<string>) => Promise<T>): Promise<T>;
}

const kindOf = (facts: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isSocket(): boolean }): FileFacts['kind'] =>
  facts.isSymbolicLink() ? 'symlink' : facts.isDirectory() ? 'directory' : facts.isFile() ? 'file' : facts.isSocket() ? 'socket' : 'other';

const absent = (error: unknown): undefined => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EINVAL') return undefined;
  throw error;
};

function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    // its own process group, so a timeout ends everything it started
    const child = spawn(command, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => ((stdout += text), options.onOutput?.(text)));
    child.stderr.setEncoding('utf8').on('data', (text: string) => ((stderr += text), options.onOutput?.(text)));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${command}: ${error.message}\n`, timedOut });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

export const systemRunner: SetupRunner = {
  isRoot: () => process.getuid?.() === 0,
  run,
  async stat(path, follow = false) {
    try {
      const facts = follow ? await stat(path) : await lstat(path);
      return { kind: kindOf(facts), uid: facts.uid, gid: facts.gid, mode: facts.mode & 0o7777 };
    } catch (error) {
      return absent(error);
    }
  },
  readFile: (path) => readFile(path, 'utf8').catch(absent),
  readLink: (path) => readlink(path).catch(absent),
  readDir: (path) => readdir(path).catch(absent),
  async realPath(path) {
    const missing: string[] = [];
    for (let at = resolve(path); ; at = dirname(at)) {
      const found = await realpath(at).catch(absent);
      if (found !== undefined) return resolve(found, ...missing);
      if (at === '/') return resolve(path);
      missing.unshift(basename(at));
    }
  },
  async withTempDir(body) {
    const dir = await mkdtemp(join(tmpdir(), 'tunnel-config-server-'));
    try {
      return await body(dir, async (name, text) => {
        const path = join(dir, name);
        await writeFile(path, text, { mode: 0o600 });
        return path;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
