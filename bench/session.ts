import type { ProcessTracker, Tracked } from '../test/support/process.js';
import type { World } from '../test/world.js';

/**
 * One `ssh -F CONFIG host-1 COMMAND` with stdin and stdout as pipes, read as the bench needs: wait for
 * text, or count bytes. Every wait is bounded; on timeout the ssh is killed with its tree.
 */
export class Session {
  readonly tracked: Tracked;
  #text = '';
  #bytes = 0;
  #counting = false;
  #firstByteAt: number | undefined;
  #wake: () => void = () => undefined;
  #endedNow = false;
  #endedAt: number | undefined;
  readonly #ended: Promise<void>;
  readonly #tracker: ProcessTracker;
  readonly #what: string;

  constructor(world: World, tracker: ProcessTracker, config: string, command: string) {
    this.#tracker = tracker;
    this.#what = `ssh -F ${config} host-1 ${command}`;
    this.tracked = tracker.spawn('ssh', ['-F', config, 'host-1', command], { env: world.env(), cwd: world.dir, stdin: 'pipe', stdout: 'pipe' });
    const stdout = this.tracked.child.stdout;
    if (!stdout) throw new Error('no stdout pipe');
    this.tracked.child.stdin?.on('error', () => undefined);
    stdout.on('data', (chunk: Buffer) => {
      if (this.#counting) {
        this.#firstByteAt ??= performance.now();
        this.#bytes += chunk.length;
      } else {
        this.#text += chunk.toString('latin1');
      }
      this.#wake();
    });
    this.#ended = new Promise((resolve) =>
      stdout.once('end', () => {
        this.#endedAt = performance.now();
        this.#endedNow = true;
        this.#wake();
        resolve();
      }),
    );
  }

  /** Resolves once stdout has shown `text` (then forgets what came before it). */
  async waitFor(text: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.#text.includes(text)) {
      const left = deadline - performance.now();
      if (this.#endedNow || left <= 0) await this.#fail(`"${text.trim()}"`, timeoutMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#text = this.#text.slice(this.#text.indexOf(text) + text.length);
  }

  /** From now on stdout is only counted. */
  count(): void {
    this.#counting = true;
  }

  /** Waits for stdout's end; the bytes counted and when the first of them came. */
  async drain(timeoutMs: number): Promise<{ bytes: number; firstByteAt: number | undefined; endedAt: number }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.#ended.then(() => 'ended' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') await this.#fail('end of its output', timeoutMs);
    return { bytes: this.#bytes, firstByteAt: this.#firstByteAt, endedAt: this.#endedAt ?? performance.now() };
  }

  write(data: Buffer | string): Promise<void> {
    const stdin = this.tracked.child.stdin;
    if (!stdin) throw new Error('no stdin pipe');
    return new Promise((resolve) => (stdin.write(data) ? resolve() : stdin.once('drain', resolve)));
  }

  endInput(): void {
    this.tracked.child.stdin?.end();
  }

  /** Ends it (if still running) and waits for it to exit; returns its exit code. */
  async close(timeoutMs = 10_000): Promise<number | null> {
    this.endInput();
    const timer = setTimeout(() => void this.#tracker.kill(this.tracked.pid), timeoutMs);
    const info = await this.tracked.exited;
    clearTimeout(timer);
    return info.code;
  }

  kill(): Promise<void> {
    return this.#tracker.kill(this.tracked.pid);
  }

  async #fail(what: string, timeoutMs: number): Promise<never> {
    await this.kill();
    throw new Error(`${this.#what}: no ${what} within ${timeoutMs} ms; stderr: ${this.tracked.stderr().slice(-2000)}`);
  }
}
