import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

export interface RunResult {
  /** null when the command could not be started or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Everything host-setup asks of the machine, so the checks and installers run against a fake in tests. */
export interface HostSystem {
  platform: NodeJS.Platform;
  uid: number;
  userName: string;
  cwd: string;
  hostName(): string;
  /** The home directory of a local account (from the user database, as ssh sees it), or undefined. */
  homeOf(user: string): Promise<string | undefined>;
  /** The absolute path of an executable on PATH, or undefined. */
  findExecutable(name: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  /** A file's text, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** Replaces the file atomically (mode 0644), creating its directory. */
  writeText(path: string, text: string): Promise<void>;
  run(command: string, args: readonly string[]): Promise<RunResult>;
}

const RUN_TIMEOUT_MS = 60_000;

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env, timeout: RUN_TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr: stderr || (error !== null && code === null ? error.message : '') });
    });
    child.stdin?.end();
  });
}

export function nodeHostSystem(env: NodeJS.ProcessEnv = process.env): HostSystem {
  const me = userInfo();
  return {
    platform: process.platform,
    uid: me.uid,
    userName: me.username,
    cwd: process.cwd(),
    hostName: () => hostname(),
    async homeOf(user) {
      if (user === me.username) return me.homedir;
      const result = await run('getent', ['passwd', user], env);
      const home = result.code === 0 ? result.stdout.split('\n')[0]?.split(':')[5] : undefined;
      return home !== undefined && home !== '' ? home : undefined;
    },
    async findExecutable(name) {
      for (const dir of (env['PATH'] ?? '').split(':')) {
        // A relative PATH entry would mean something else to the service.
        if (!isAbsolute(dir)) continue;
        const path = join(dir, name);
        try {
          await access(path, constants.X_OK);
          if ((await stat(path)).isFile()) return path;
        } catch {
          // not here
        }
      }
      return undefined;
    },
    exists: (path) => access(path).then(() => true, () => false),
    readText: (path) =>
      readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      }),
    async writeText(path, text) {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      const temp = `${path}.tunnel-config-${process.pid}`;
      await writeFile(temp, text, { mode: 0o644 });
      await rename(temp, path);
    },
    run: (command, args) => run(command, args, env),
  };
}
