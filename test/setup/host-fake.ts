import type { HostSystem, RunResult } from '../../src/setup/host/system.js';

export interface FakeOptions {
  platform?: NodeJS.Platform;
  uid?: number;
  userName?: string;
  hostName?: string;
  /** path → text of the files that exist. */
  files?: Record<string, string>;
  /** Private keys ssh-keygen loads; other existing files are 'not a key'. */
  usableKeys?: string[];
  passphraseKeys?: string[];
  /** Commands (argv joined by spaces) that fail, with their stderr. */
  failing?: Record<string, string>;
}

/** A machine in memory: records every write and every command, in order. */
export class FakeSystem implements HostSystem {
  readonly platform: NodeJS.Platform;
  readonly uid: number;
  readonly userName: string;
  readonly cwd = '/work/dir';
  readonly files: Map<string, string>;
  readonly homes = new Map([
    ['pi', '/home/pi'],
    ['root', '/root'],
    ['alice', '/Users/alice'],
  ]);
  readonly executables = new Map([['ssh', '/usr/bin/ssh']]);
  /** `write PATH` and `run ARGV...`, in the order they happened. */
  readonly events: string[] = [];
  readonly #options: FakeOptions;

  constructor(options: FakeOptions = {}) {
    this.#options = options;
    this.platform = options.platform ?? 'linux';
    this.uid = options.uid ?? 0;
    this.userName = options.userName ?? (this.uid === 0 ? 'root' : 'pi');
    this.files = new Map(Object.entries(options.files ?? {}));
  }

  /** What changed the machine: writes and commands other than ssh-keygen's read-only checks. */
  get changes(): string[] {
    return this.events.filter((event) => !event.startsWith('run ssh-keygen '));
  }

  hostName(): string {
    return this.#options.hostName ?? 'host-1';
  }

  async homeOf(user: string): Promise<string | undefined> {
    return this.homes.get(user);
  }

  async findExecutable(name: string): Promise<string | undefined> {
    return this.executables.get(name);
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  async readText(path: string): Promise<string | undefined> {
    return this.files.get(path);
  }

  async writeText(path: string, text: string): Promise<void> {
    this.events.push(`write ${path}`);
    this.files.set(path, text);
  }

  async run(command: string, args: readonly string[]): Promise<RunResult> {
    const line = [command, ...args].join(' ');
    this.events.push(`run ${line}`);
    const failure = this.#options.failing?.[line];
    if (failure !== undefined) return { code: 1, stdout: '', stderr: failure };
    if (command === 'ssh-keygen') return this.#sshKeygen(args.at(-1) ?? '');
    return { code: 0, stdout: '', stderr: '' };
  }

  #sshKeygen(path: string): RunResult {
    if (this.#options.usableKeys?.includes(path)) return { code: 0, stdout: 'ssh-ed25519 AAAA\n', stderr: '' };
    if (this.#options.passphraseKeys?.includes(path)) return { code: 255, stdout: '', stderr: `Load key "${path}": incorrect passphrase supplied to decrypt private key\n` };
    return { code: 255, stdout: '', stderr: `Load key "${path}": invalid format\n` };
  }
}
