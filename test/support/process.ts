import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunResult extends ExitInfo {
  stdout: Buffer;
  stderr: string;
  ms: number;
  timedOut: boolean;
  /** Processes of its group or tree still alive after it exited and kept its stdout/stderr open. */
  lingering: number[];
}

export interface RunOptions {
  input?: Buffer | string | Readable;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  /** Clock ticks after boot; with the pid it names one process even if the pid is reused later. */
  start: string;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may contain spaces and parentheses; the fields after the last ')' are fixed
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgid: Number(fields[2]), start: fields[19] ?? '' };
}

/** True while the process exists and is not a zombie (PID 1 here may never reap orphans). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

export function startTime(pid: number): string | undefined {
  return readStat(pid)?.start;
}

function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/**
 * Live processes that belong to `roots`: the roots, every member of their process groups
 * (our children are spawned as group leaders) and all descendants of those. sshd puts each
 * connection in a new session, so process groups alone would miss them.
 */
export function processTree(roots: Iterable<number>): Set<number> {
  const rootSet = new Set(roots);
  const stats = allProcesses();
  const children = new Map<number, number[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  const found = new Set<number>();
  const queue = stats.filter((s) => rootSet.has(s.pid) || rootSet.has(s.pgid)).map((s) => s.pid);
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    if (found.has(pid)) continue;
    found.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return new Set([...found].filter(isAlive));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Stops the whole tree first so nothing can fork (and escape to PID 1) while we collect it. */
export function freezeTree(roots: Iterable<number>): Set<number> {
  const rootList = [...roots];
  const frozen = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const fresh = [...processTree(rootList)].filter((pid) => !frozen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, 'SIGSTOP');
      frozen.add(pid);
    }
  }
  return frozen;
}

export function killTree(roots: Iterable<number>): void {
  for (const pid of freezeTree(roots)) signal(pid, 'SIGKILL');
}

export function continueTree(pids: Iterable<number>): void {
  for (const pid of pids) signal(pid, 'SIGCONT');
}

export interface Tracked {
  child: ChildProcess;
  pid: number;
  /** Reading it keeps the event loop alive until the process exits (background ones are unref'd). */
  readonly exited: Promise<ExitInfo>;
  /** How it ended, or undefined while it runs; does not hold the event loop. */
  exitInfo(): ExitInfo | undefined;
  /** Everything the process wrote to stderr so far (capped). */
  stderr(): string;
}

const stderrCap = 1 << 20;
const closeGraceMs = 1000;

/** Spawns children as process-group leaders and can always find and kill everything they started. */
export class ProcessTracker {
  readonly #roots = new Map<number, Tracked>();
  #closed = false;
  readonly #onSpawn: (pid: number) => void;

  /** `onSpawn` sees every pid we start, e.g. to record it for the watchdog. */
  constructor(onSpawn: (pid: number) => void = () => {}) {
    this.#onSpawn = onSpawn;
  }

  spawn(
    command: string,
    args: readonly string[],
    options: {
      env?: NodeJS.ProcessEnv;
      cwd?: string;
      stdin?: 'ignore' | 'pipe';
      stdout?: 'ignore' | 'pipe';
      /** Servers and tunnels: they must not keep the test process alive (its exit handler kills them). */
      background?: boolean;
    } = {},
  ): Tracked {
    // a setup step still running when close() began must not leave a process behind
    if (this.#closed) throw new Error(`not starting ${command}: already closed`);
    const child = spawn(command, args, {
      detached: true, // own process group and session: no controlling tty, killable as a group
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe'],
    });
    let exitInfo: ExitInfo | undefined;
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('error', () => resolve((exitInfo ??= { code: null, signal: null })));
      child.once('exit', (code, sig) => resolve((exitInfo ??= { code, signal: sig })));
    });
    // an 'error' before any pid (e.g. ENOENT) is reported through exited and stderr
    let stderr = '';
    child.once('error', (error) => {
      stderr += `spawn ${command} failed: ${error.message}\n`;
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < stderrCap) stderr += chunk;
    });
    if (options.background) {
      child.unref();
      for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();
    }
    const pid = child.pid ?? -1;
    const tracked: Tracked = {
      child,
      pid,
      get exited() {
        child.ref();
        return exited;
      },
      exitInfo: () => exitInfo,
      stderr: () => stderr,
    };
    if (pid > 0) {
      this.#roots.set(pid, tracked);
      this.#onSpawn(pid);
    }
    return tracked;
  }

  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const { input } = options;
    const tracked = this.spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdin: input === undefined ? 'ignore' : 'pipe',
      stdout: 'pipe',
    });
    const chunks: Buffer[] = [];
    tracked.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const stdin = tracked.child.stdin;
    if (stdin) {
      stdin.on('error', () => {}); // EPIPE when the command exits without reading everything
      if (typeof input === 'string' || Buffer.isBuffer(input)) stdin.end(input);
      else input?.pipe(stdin);
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.kill(tracked.pid);
    }, options.timeoutMs ?? 30_000);
    return new Promise((resolve) => {
      let done = false;
      let exitedAt: number | undefined;
      tracked.child.once('exit', () => {
        exitedAt = performance.now();
      });
      const finish = (info: ExitInfo, lingering: number[]): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const ms = (exitedAt ?? performance.now()) - started;
        resolve({ ...info, stdout: Buffer.concat(chunks), stderr: tracked.stderr(), ms, timedOut, lingering });
      };
      // 'close' also waits for the pipes to drain; a leftover descendant holding them must not hang us
      tracked.child.once('close', (code, sig) => finish({ code, signal: sig }, []));
      void tracked.exited.then(async (info) => {
        await new Promise((r) => setTimeout(r, closeGraceMs));
        finish(info, [...processTree([tracked.pid])]);
      });
    });
  }

  /** Kills one tracked process with its whole tree and waits for it to be reaped. */
  async kill(pid: number): Promise<void> {
    killTree([pid]);
    await this.#roots.get(pid)?.exited;
  }

  /** Every live process we started or that descends from one. */
  pids(): number[] {
    this.#forgetFinished();
    return [...processTree(this.#roots.keys())];
  }

  killAllSync(): void {
    killTree(this.#roots.keys());
  }

  /** Kills everything and refuses to spawn anything afterwards. */
  async close(timeoutMs = 5000): Promise<void> {
    this.#closed = true;
    this.killAllSync();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all([...this.#roots.values()].map((t) => t.exited)), timeout]);
    clearTimeout(timer);
    this.#forgetFinished();
  }

  // a reaped leader's pid may be reused; keep it only while its group still has members
  #forgetFinished(): void {
    for (const [pid, tracked] of this.#roots) {
      if (tracked.exitInfo() === undefined) continue;
      if (processTree([pid]).size === 0) this.#roots.delete(pid);
    }
  }
}
