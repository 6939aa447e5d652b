import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TunnelError } from '../../src/errors.js';

export const CHILD = fileURLToPath(new URL('./store-child.js', import.meta.url));
export const BACKUP = /\.tunnel-config-backup-\d{8}T\d{6}Z(-\d+)?$/;
/** A uid and gid that no test process runs as, for files "owned by another user". */
export const NOBODY = 65534;

export const isRoot = process.getuid?.() === 0;

/** A fresh directory used as HOME; mounts made under it are unmounted before it is removed. */
export async function tempHome(t: TestContext): Promise<{ home: string; mounts: string[] }> {
  const home = await realpath(await mkdtemp(join(tmpdir(), 'tunnel-config-store-')));
  const mounts: string[] = [];
  t.after(async () => {
    for (const mount of mounts.reverse()) execFileSync('umount', [mount]);
    await rm(home, { recursive: true, force: true });
  });
  return { home, mounts };
}

/** Mounts a tmpfs at `dir`, or says why it cannot. */
export async function mountTmpfs(mounts: string[], dir: string, options: string): Promise<string | undefined> {
  await mkdir(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    return `mount is not permitted here: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  mounts.push(dir);
  return undefined;
}

/** Everything under `dir` that a write could change: kind, link target, mode, owner, mtime, content hash. */
export async function tree(dir: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    const stats = await lstat(path);
    const meta = `${(stats.mode & 0o7777).toString(8)} ${stats.uid}:${stats.gid}`;
    if (stats.isSymbolicLink()) entries[name] = `link -> ${await readlink(path)}`;
    else if (stats.isDirectory()) entries[name] = `dir ${meta}`;
    else entries[name] = `file ${meta} ${stats.mtimeMs} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
  }
  return entries;
}

export async function rejectsWith(promise: Promise<unknown>, code: TunnelError['code'], pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TunnelError, `not a TunnelError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), `more than one line: ${error.message}`);
    return true;
  });
}

export interface ChildRun {
  code: number;
  result: Record<string, unknown>;
  stderr: string;
}

/** Runs store-child.js (`read PATH` or `append PATH LINE [START_AT_MS] [HOLD_MS]`) and parses its one JSON line. */
export function runChild(args: string[], options: { uid?: number; gid?: number } = {}): Promise<ChildRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHILD, ...args], { ...options, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      resolve({ code, result: lastLine.startsWith('{') ? JSON.parse(lastLine) : { stdout, stderr }, stderr });
    });
  });
}

/** The pid of a process that has just ended: nothing runs under it (until the pids wrap around). */
export function deadPid(): number {
  const pid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  assert.ok(pid > 0);
  return pid;
}
