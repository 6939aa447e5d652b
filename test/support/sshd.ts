import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, readBanner } from './net.js';
import { continueTree, freezeTree, isAlive, type ProcessTracker, type Tracked } from './process.js';
import { waitFor } from './wait.js';

export const sshdPath = '/usr/sbin/sshd';

export interface SshdOptions {
  /** Used in messages: 'jump', 'hidden'. */
  name: string;
  /** Holds sshd_config and sshd.log. */
  dir: string;
  hostKeys: string[];
  authorizedKeysFile: string;
  /** Extra sshd_config text; see renderSshdConfig for where it lands. */
  extraConfig?: string;
  startTimeoutMs?: number;
}

/**
 * sshd takes the first value it reads for most options, and a `Match` block runs to the end of
 * the file, so the caller's lines before their first `Match` go above our defaults (and override
 * them) and the `Match` part goes last.
 */
export function renderSshdConfig(options: { port: number; hostKeys: string[]; authorizedKeysFile: string; extraConfig?: string }): string {
  const extra = options.extraConfig ?? '';
  const match = /^[ \t]*match[ \t]/im.exec(extra);
  const overrides = match ? extra.slice(0, match.index) : extra;
  const matchBlocks = match ? extra.slice(match.index) : '';
  const lines = [
    overrides.trim(),
    'ListenAddress 127.0.0.1',
    `Port ${options.port}`,
    ...options.hostKeys.map((key) => `HostKey ${key}`),
    'PidFile none',
    'UsePAM no',
    'StrictModes no',
    `AuthorizedKeysFile ${options.authorizedKeysFile}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'PermitUserRC no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'StreamLocalBindUnlink yes',
    'StreamLocalBindMask 0111',
    'LogLevel DEBUG1',
    'MaxStartups 100:30:200',
    'MaxSessions 100',
    // The sessions run the test user's login shell. On machines whose root ~/.bashrc runs `pyenv rehash`, a
    // session killed during it leaves pyenv's lock behind, and every later command waited 60 s on it.
    'SetEnv PYENV_REHASH_TIMEOUT=0',
    matchBlocks.trim(),
  ];
  return `${lines.filter((line) => line !== '').join('\n')}\n`;
}

function checkConfig(configPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(sshdPath, ['-t', '-f', configPath], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`sshd -t -f ${configPath} failed:\n${stderr || error.message}`));
      else resolve();
    });
  });
}

/** A real sshd on a loopback port, in the foreground, logging at DEBUG1 to `logPath`. */
export class Sshd {
  readonly name: string;
  readonly configPath: string;
  readonly logPath: string;
  #port = 0;
  #extraConfig: string;
  #process: Tracked | undefined;
  #logOffset = 0;
  #stopped = new Set<number>();
  readonly #options: SshdOptions;
  readonly #tracker: ProcessTracker;

  private constructor(options: SshdOptions, tracker: ProcessTracker) {
    this.#options = options;
    this.#tracker = tracker;
    this.name = options.name;
    this.#extraConfig = options.extraConfig ?? '';
    mkdirSync(options.dir, { recursive: true });
    this.configPath = join(options.dir, 'sshd_config');
    this.logPath = join(options.dir, 'sshd.log');
  }

  static async start(options: SshdOptions, tracker: ProcessTracker): Promise<Sshd> {
    // sshd running as root refuses to start without its privilege separation directory
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const sshd = new Sshd(options, tracker);
    await sshd.#startOnFreePort();
    return sshd;
  }

  get port(): number {
    return this.#port;
  }

  /** The pid of the listening sshd, or undefined after kill(). */
  get pid(): number | undefined {
    return this.#process && isAlive(this.#process.pid) ? this.#process.pid : undefined;
  }

  get extraConfig(): string {
    return this.#extraConfig;
  }

  /** The whole log, including earlier runs of this sshd. */
  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** The log written since the last (re)start. */
  currentLog(): string {
    return this.log().slice(this.#logOffset);
  }

  async waitForLog(pattern: RegExp, timeoutMs = 5000): Promise<RegExpExecArray> {
    return waitFor(() => pattern.exec(this.currentLog()) ?? undefined, {
      timeoutMs,
      what: () => `${this.name} sshd log never matched ${pattern}:\n${this.currentLog()}`,
    });
  }

  /** SIGKILLs the listener and every connection it forked: a jump host that died. */
  async kill(): Promise<void> {
    const running = this.#process;
    this.#process = undefined;
    this.#stopped.clear();
    if (running) await this.#tracker.kill(running.pid);
  }

  /** SIGSTOPs the listener and its connections: TCP still connects, but nothing answers. */
  stop(): void {
    if (!this.#process) throw new Error(`${this.name} sshd is not running`);
    for (const pid of freezeTree([this.#process.pid])) this.#stopped.add(pid);
  }

  cont(): void {
    continueTree(this.#stopped);
    this.#stopped.clear();
  }

  /** Kills it and starts it again on the same port; `extraConfig` replaces the old one when given. */
  async restart(extraConfig?: string): Promise<void> {
    await this.kill();
    if (extraConfig !== undefined) this.#extraConfig = extraConfig;
    // the port may be briefly taken by someone else; keep it, clients and known_hosts name it
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      const result = await this.#startOn(this.#port);
      if (result === 'started') return;
      lastError = result;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw lastError;
  }

  async #startOnFreePort(): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const result = await this.#startOn(await freePort());
      if (result === 'started') return;
    }
    throw new Error(`${this.name} sshd: no free port after 10 attempts:\n${this.currentLog()}`);
  }

  /** Resolves 'addressInUse' (the caller retries) or 'started'; throws on any other failure. */
  async #startOn(port: number): Promise<'started' | Error> {
    this.#port = port;
    const { hostKeys, authorizedKeysFile } = this.#options;
    await writeFile(this.configPath, renderSshdConfig({ port, hostKeys, authorizedKeysFile, extraConfig: this.#extraConfig }));
    await checkConfig(this.configPath);
    this.#logOffset = this.log().length;
    const started = this.#tracker.spawn(sshdPath, ['-D', '-E', this.logPath, '-f', this.configPath], { background: true });
    this.#process = started;
    const listening = `Server listening on 127.0.0.1 port ${port}.`;
    const failure = (): string =>
      `${this.name} sshd (${this.configPath}) did not start on port ${port}:\n${started.stderr()}${this.currentLog()}`;
    const state = await waitFor(
      async () => {
        if (!isAlive(started.pid)) return this.currentLog().includes('Address already in use') ? 'addressInUse' : 'died';
        // the log line proves it is our sshd that bound the port, the banner that it answers
        if (!this.currentLog().includes(listening)) return undefined;
        const banner = await readBanner({ port }, 1000).catch(() => '');
        return banner.startsWith('SSH-2.0-') ? 'started' : undefined;
      },
      { timeoutMs: this.#options.startTimeoutMs ?? 10_000, what: failure },
    ).catch(async (error: unknown) => {
      await this.kill();
      throw error;
    });
    if (state === 'started') return 'started';
    await this.kill();
    if (state === 'addressInUse') return new Error(failure());
    throw new Error(failure());
  }
}
