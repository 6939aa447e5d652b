import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerCleanup } from './cleanup.js';

export interface NetNsOptions {
  /** Put on the namespace's `lo`, as `ADDRESS/32`: a non-loopback address only this namespace has. */
  address: string;
  /** name → address lines for the namespace's /etc/hosts (`ip netns exec` bind-mounts /etc/netns/NAME/hosts there). */
  hosts: Record<string, string>;
}

const etcNetns = '/etc/netns';

function ip(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

/** A network namespace of its own, removed with its /etc/netns directory by close() or, failing that, at exit. */
export class NetNs {
  readonly name: string;
  readonly #createdEtcNetns: boolean;
  #unregister: () => void;

  private constructor(name: string, createdEtcNetns: boolean) {
    this.name = name;
    this.#createdEtcNetns = createdEtcNetns;
    this.#unregister = registerCleanup(() => this.#removeSync());
  }

  /**
   * Creates the namespace, or resolves the reason it cannot be (no iproute2, not root, no
   * CAP_SYS_ADMIN in a container): the caller skips what needs it.
   */
  static async create(options: NetNsOptions): Promise<NetNs | string> {
    const name = `tc-${randomBytes(4).toString('hex')}`;
    try {
      await ip(['netns', 'add', name]);
    } catch (error) {
      return `ip netns add is not permitted here (${(error as Error).message})`;
    }
    const createdEtcNetns = !existsSync(etcNetns);
    const netns = new NetNs(name, createdEtcNetns);
    try {
      await ip(['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
      await ip(['netns', 'exec', name, 'ip', 'addr', 'add', `${options.address}/32`, 'dev', 'lo']);
      mkdirSync(join(etcNetns, name), { recursive: true });
      const hosts = Object.entries(options.hosts).map(([host, address]) => `${address} ${host}\n`);
      writeFileSync(join(etcNetns, name, 'hosts'), `127.0.0.1 localhost\n${hosts.join('')}`);
    } catch (error) {
      netns.close();
      throw error;
    }
    return netns;
  }

  /** `ip netns exec NAME command ...args`, as a command and its arguments. */
  wrap(command: string, args: readonly string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.name, command, ...args]];
  }

  /** Deletes the namespace and /etc/netns/NAME; kill what runs inside it first. */
  close(): void {
    this.#removeSync();
    this.#unregister();
    this.#unregister = () => {};
  }

  #removeSync(): void {
    try {
      execFileSync('ip', ['netns', 'del', this.name], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // already gone
    }
    rmSync(join(etcNetns, this.name), { recursive: true, force: true });
    if (this.#createdEtcNetns && existsSync(etcNetns) && readdirSync(etcNetns).length === 0) rmdirSync(etcNetns);
  }
}
