import type { NetNs } from '../../support/netns.js';
import { killTree, type ProcessTracker, type RunResult } from '../../support/process.js';
import { tunnelConfigBin, type World } from '../../world.js';
import { proxyArgs } from '../harness.js';

export interface Side {
  /** The run's cwd, holding its own copy of the scenario's files. */
  dir: string;
  config: string;
  /** Run inside this network namespace. */
  netns?: NetNs;
}

const timeoutMs = 20_000;

function command(side: Side, command: string, args: string[]): [string, string[]] {
  return side.netns ? side.netns.wrap(command, args) : [command, args];
}

/** `ssh -F CONFIG jump true` with no terminal (its own session, stdin /dev/null). */
export function runSsh(world: World, side: Side): Promise<RunResult> {
  const [file, args] = command(side, 'ssh', ['-F', side.config, 'jump', 'true']);
  return world.run(file, args, { cwd: side.dir, timeoutMs });
}

export interface ProxyRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * `tunnel-config proxy --jump jump -F CONFIG -- host-1` as ssh runs it (its own session, stdin a
 * pipe): stdin is closed once host-1's banner arrives, or the proxy ends on its own.
 */
export function runProxy(world: World, tracker: ProcessTracker, side: Side): Promise<ProxyRun> {
  const started = performance.now();
  const [file, args] = command(side, process.execPath, [tunnelConfigBin, 'proxy', ...proxyArgs(world, side.config, 'host-1')]);
  const tracked = tracker.spawn(file, args, { env: world.env(), cwd: side.dir, stdin: 'pipe', stdout: 'pipe' });
  const { child } = tracked;
  const chunks: Buffer[] = [];
  child.stdin?.on('error', () => {}); // EPIPE once it has exited
  child.stdout?.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    if (chunk.includes(0x0a)) child.stdin?.end();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree([tracked.pid]);
  }, timeoutMs);
  return new Promise((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(chunks), stderr: tracked.stderr(), ms: performance.now() - started, timedOut });
    };
    child.once('close', finish);
    child.once('error', () => finish(null, null));
  });
}

export function describeProxy(run: ProxyRun): string {
  const out = JSON.stringify(run.stdout.subarray(0, 200).toString('latin1'));
  return `proxy: exit ${String(run.code)}${run.signal ? ` signal ${run.signal}` : ''}${run.timedOut ? ' (timed out)' : ''} after ${Math.round(run.ms)} ms\nstdout (${run.stdout.length} bytes): ${out}\nstderr:\n${run.stderr}`;
}

export function describeSsh(run: RunResult): string {
  return `ssh: exit ${String(run.code)}${run.signal ? ` signal ${run.signal}` : ''}${run.timedOut ? ' (timed out)' : ''} after ${Math.round(run.ms)} ms\nstderr:\n${run.stderr}`;
}
