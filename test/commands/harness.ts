import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { repoRoot, tunnelConfigBin } from '../world.js';

export { repoRoot, tunnelConfigBin };

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The HOME the binary sees: always a temp dir, so the real ~/.ssh is never touched. */
  home: string;
  cwd?: string;
  /** The script as given to node; a path relative to `cwd` shows what ProxyCommand makes of it. */
  bin?: string;
  timeoutMs?: number;
  /** Set on top of this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Run as this account (root only), e.g. one whose home in the user database is `home`. */
  user?: { uid: number; gid: number };
}

/** Runs the real binary as a script would: stdin is /dev/null (no terminal), no colour forced. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: options.home };
  delete env.FORCE_COLOR;
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [options.bin ?? tunnelConfigBin, ...args], {
    cwd: options.cwd ?? options.home,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tunnel-config ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr so far: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `tasks` with at most `limit` of them at a time, keeping the results in order. */
export async function inBatches<T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tasks.length; i = next++) results[i] = await (tasks[i] as () => Promise<T>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A fresh temp dir, removed by the returned function. */
export function tempDir(prefix = 'tc-cmd-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Fresh HOMEs for a test file, in one temp dir removed after it: each call makes a new HOME and, when
 * `config` is given, HOME/config holding it (mode 0600).
 */
export function tempHomes(): (config?: string | Buffer) => { home: string; file: string } {
  const temp = tempDir();
  after(temp.remove);
  let count = 0;
  return (config) => {
    const home = join(temp.dir, `home-${++count}`);
    mkdirSync(home);
    const file = join(home, 'config');
    if (config !== undefined) writeFileSync(file, config, { mode: 0o600 });
    return { home, file };
  };
}

/**
 * Everything observable about a directory tree: names, kinds, modes, link targets, inodes, times and
 * content hashes. Two equal snapshots mean nothing was written, replaced, created or removed.
 */
export function snapshotTree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (path: string, name: string): void => {
    const stats = lstatSync(path, { bigint: true });
    const common = `mode=${stats.mode.toString(8)} ino=${stats.ino} mtime=${stats.mtimeNs} ctime=${stats.ctimeNs}`;
    if (stats.isSymbolicLink()) entries[name] = `link -> ${readlinkSync(path)} ${common}`;
    else if (stats.isDirectory()) {
      entries[name] = `dir ${common}`;
      for (const child of readdirSync(path).sort()) walk(join(path, child), `${name}/${child}`);
    } else entries[name] = `file sha256=${createHash('sha256').update(readFileSync(path)).digest('hex')} ${common}`;
  };
  walk(dir, '.');
  return entries;
}

/** Backups tunnel-config made of `file` (named `<file>.tunnel-config-backup-<stamp>`). */
export function backupsOf(dir: string, file: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${file}.tunnel-config-backup-`))
    .map((name) => join(dir, name));
}

/** The one stderr line of a refused command, checked for its form: `tunnel-config: <message>`. */
export function assertOneErrorLine(result: CliResult, pattern: RegExp, context = ''): void {
  assert.equal(result.code, 2, `exit code ${context}\n${result.stderr}`);
  assert.match(result.stderr, /^tunnel-config: [^\n]+\n$/, `one line on stderr ${context}`);
  assert.match(result.stderr, pattern, context);
  assert.equal(result.stdout, '', `nothing on stdout ${context}`);
}

/** Flags for a valid `add` that describes its own jumphost. */
export const addFlags = (name: string, config: string, hosts = `${name}-*`): string[] => [
  'add',
  '--name',
  name,
  '--jump-host',
  'jump.example.com',
  '--jump-user',
  'me',
  '--hosts',
  hosts,
  '--config',
  config,
];

/** A user's config as people have them: global options, comments, a Host with tabs, a catch-all last. */
export const USER_CONFIG = [
  '# my ssh config',
  'ServerAliveInterval 60',
  '',
  'Host myserver',
  '\tHostName 192.0.2.10',
  '\tUser alice # the admin',
  '',
  'Host myjump',
  '  HostName 198.51.100.7',
  '',
  'Host *',
  '  ForwardAgent no',
  '',
].join('\n');

/** Removes every managed block from `text` (the begin marker up to and including its end marker's line). */
export const withoutBlocks = (text: string): string =>
  text.replace(/^# >>> tunnel-config (\S+) >>>\r?\n[\s\S]*?^# <<< tunnel-config \1 <<<(?:\r?\n)?/gm, '');
