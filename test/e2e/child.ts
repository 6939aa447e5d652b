import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { killTree, type ExitInfo } from '../support/process.js';
import type { World } from '../world.js';

export interface ChildExit extends ExitInfo {
  /** We SIGKILLed it (with its tree) at the timeout. */
  timedOut: boolean;
  /** From spawn to its own exit (descendants holding its pipes may end later). */
  ms: number;
}

/** A child with all three pipes open, for tests that stream its stdin/stdout themselves (world.run buffers them). */
export interface Child {
  pid: number;
  process: ChildProcessWithoutNullStreams;
  /** Settles once it has exited and its pipes are closed, by it and by every descendant that shared them. */
  exited: Promise<ChildExit>;
  stderr(): string;
}

export interface StartOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const stderrCap = 1 << 20;
const running = new Set<number>();

/**
 * Starts `command` in the world's clean environment and its own process group, like world.run;
 * it is SIGKILLed with its whole tree at the timeout or by killChildren().
 */
export function startChild(world: World, command: string, args: string[], options: StartOptions): Child {
  const started = performance.now();
  const child = spawn(command, args, { cwd: world.dir, env: world.env(options.env), detached: true, stdio: 'pipe' });
  const pid = child.pid ?? -1;
  if (pid > 0) running.add(pid);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < stderrCap) stderr += chunk;
  });
  // the command may exit without reading all we write
  child.stdin.on('error', () => {});
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree([pid]);
  }, options.timeoutMs);
  let exitedAt: number | undefined;
  child.once('exit', () => {
    exitedAt = performance.now();
  });
  const exited = new Promise<ChildExit>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      running.delete(pid);
      resolve({ code, signal, timedOut, ms: (exitedAt ?? performance.now()) - started });
    };
    child.once('error', (error) => {
      stderr += `spawn ${command} failed: ${error.message}\n`;
      finish(null, null);
    });
    // 'close': the pipes are closed too, so a descendant holding them (ssh's ProxyCommand) is gone as well
    child.once('close', finish);
  });
  return { pid, process: child, exited, stderr: () => stderr };
}

/** `ssh -F <world config> ...args` as a Child. */
export function startSsh(world: World, args: string[], options: StartOptions): Child {
  return startChild(world, 'ssh', ['-F', world.clientConfigPath, ...args], options);
}

/** For `after`: kills whatever startChild started that is still running, with its descendants. */
export function killChildren(): void {
  killTree(running);
  running.clear();
}
