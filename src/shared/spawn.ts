import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { StartReport } from './daemon.js';
import type { SharedPaths } from './paths.js';
import { takeStartLock } from './store.js';

export interface StartOptions {
  paths: SharedPaths;
  key: string;
  jump: string;
  configFile: string | undefined;
  idleSeconds: number;
  env: NodeJS.ProcessEnv;
  /** How long the shared process may take to connect: the handshake bound plus a margin. */
  timeoutMs: number;
}

export type StartResult = StartReport | { state: 'started-by-another' } | { state: 'unavailable'; why: string };

const cliPath = fileURLToPath(new URL('../cli.js', import.meta.url));
const POLL_MS = 20;

/**
 * Starts the shared process for a key, detached, and waits for its one report. Only one process starts it
 * (a lock file); the others wait until it is up, then use it.
 */
export async function startShared(options: StartOptions): Promise<StartResult> {
  const lock = takeStartLock(options.paths.lock);
  if ('heldBy' in lock) return waitForOther(options);
  try {
    return await spawnDaemon(options);
  } finally {
    lock.release();
  }
}

async function waitForOther(options: StartOptions): Promise<StartResult> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (!existsSync(options.paths.lock)) return { state: 'started-by-another' };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { state: 'unavailable', why: 'another proxy is still starting it' };
}

function spawnDaemon(options: StartOptions): Promise<StartResult> {
  const args = [cliPath, 'shared', 'serve', '--key', options.key, '--jump', options.jump, '--idle', String(options.idleSeconds)];
  if (options.configFile !== undefined) args.push('-F', options.configFile);
  let log: number | 'ignore' = 'ignore';
  try {
    log = openSync(`${options.paths.socket.replace(/\.sock$/, '')}.log`, 'w', 0o600);
  } catch {
    // no log then
  }
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log, 'pipe'], env: options.env });
  if (typeof log === 'number') closeSync(log);
  const pipe = child.stdio[3] as Readable;
  return new Promise((resolve) => {
    let text = '';
    let settled = false;
    const settle = (result: StartResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      pipe.destroy();
      child.unref();
      resolve(result);
    };
    const timer = setTimeout(() => settle({ state: 'unavailable', why: `it did not report within ${options.timeoutMs} ms` }), options.timeoutMs);
    pipe.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const line = text.split('\n')[0];
      if (!text.includes('\n') || line === undefined) return;
      try {
        settle(JSON.parse(line) as StartReport);
      } catch {
        settle({ state: 'unavailable', why: 'its report was unreadable' });
      }
    });
    pipe.on('error', () => undefined);
    // The report comes before the pipe's end; a process that dies first closes the pipe without one.
    pipe.on('end', () => settle({ state: 'unavailable', why: 'it ended before reporting' }));
    child.on('error', (error) => settle({ state: 'unavailable', why: error.message }));
  });
}
