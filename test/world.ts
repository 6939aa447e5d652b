import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAgent } from './support/agent.js';
import { registerCleanup } from './support/cleanup.js';
import { renderClientConfig, type ClientConfigExtra } from './support/client-config.js';
import { keyTypes, makeKey, type KeyPair, type KeyType } from './support/keys.js';
import { ProcessTracker, startTime, type RunOptions, type RunResult } from './support/process.js';
import { proxyCommandPath } from './support/quote.js';
import { Sshd } from './support/sshd.js';
import { openTunnel, type Tunnel } from './support/tunnel.js';

export type { ClientConfigExtra } from './support/client-config.js';
export type { KeyPair, KeyType } from './support/keys.js';
export type { ExitInfo, RunOptions, RunResult } from './support/process.js';
export type { Sshd } from './support/sshd.js';
export type { Tunnel } from './support/tunnel.js';

/** The compiled file is dist/test/world.js. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const tunnelConfigBin = join(repoRoot, 'bin', 'tunnel-config.js');
const watchdogScript = fileURLToPath(new URL('./support/watchdog.js', import.meta.url));

export interface WorldOptions {
  /** Names the client's known_hosts accepts for the hidden host; connectHost adds others. */
  hostNames?: string[];
  /** Host keys the jump sshd loads (and so can present); known_hosts_jump always lists all three. */
  jumpHostKeyTypes?: KeyType[];
  jumpConfig?: string;
  hiddenConfig?: string;
  startTimeoutMs?: number;
  /** Where the world's temp dir is made; os.tmpdir() by default. */
  baseDir?: string;
}

export interface WorldKeys {
  client: KeyPair;
  tunnel: KeyPair;
  /** Encrypted with `passphrase.passphrase`; authorized on both sshds, for agent tests. */
  passphrase: KeyPair;
  /** Authorized nowhere and known nowhere: a wrong user key or a changed host key. */
  spare: KeyPair;
  jumpHost: Record<KeyType, KeyPair>;
  hiddenHost: KeyPair;
}

export interface ConnectHostOptions {
  serverAliveInterval?: number;
  /** Extra ssh arguments, placed before the destination. */
  extraArgs?: string[];
  timeoutMs?: number;
  /** Where the tunnel forwards to on the hidden side (default: the hidden sshd); a dead port leaves nothing behind it. */
  targetPort?: number;
  /** The jump the tunnel binds on: a name given to addJump (default: the world's own jump). */
  jump?: string;
}

/** Another jumphost of the world (see addJump): its own sshd and its own socket directory. */
export interface ExtraJump {
  name: string;
  sshd: Sshd;
  sockDir: string;
}

const hostName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class World {
  readonly dir: string;
  readonly user = userInfo().username;
  readonly home: string;
  readonly sockDir: string;
  readonly clientConfigPath: string;
  readonly knownHostsJump: string;
  readonly knownHostsHosts: string;
  readonly nonexistent: string;
  /** Rewrite freely: sshd reads it on every login. */
  readonly jumpAuthorizedKeys: string;
  readonly hiddenAuthorizedKeys: string;
  readonly #tracker: ProcessTracker;
  readonly #watchdog: ChildProcess;
  readonly #knownNames = new Set<string>();
  readonly #agents = new Map<string, number>();
  readonly #extraJumps = new Map<string, ExtraJump>();
  #keys: WorldKeys | undefined;
  #jump: Sshd | undefined;
  #hidden: Sshd | undefined;
  #closing: Promise<void> | undefined;
  readonly #unregister: () => void;

  constructor(dir: string) {
    this.dir = dir;
    this.home = join(dir, 'home');
    this.sockDir = join(dir, 'sock');
    this.clientConfigPath = join(dir, 'ssh_config');
    this.knownHostsJump = join(dir, 'known_hosts_jump');
    this.knownHostsHosts = join(dir, 'known_hosts_hosts');
    this.nonexistent = join(dir, 'nonexistent');
    this.jumpAuthorizedKeys = join(dir, 'jump', 'authorized_keys');
    this.hiddenAuthorizedKeys = join(dir, 'hidden', 'authorized_keys');
    const pidsFile = join(dir, 'pids');
    this.#tracker = new ProcessTracker((pid) => appendFileSync(pidsFile, `${pid} ${startTime(pid) ?? ''}\n`));
    this.#watchdog = spawn(process.execPath, [watchdogScript, String(process.pid), dir], { detached: true, stdio: 'ignore' });
    this.#watchdog.on('error', () => {});
    this.#watchdog.unref();
    this.#unregister = registerCleanup(() => {
      this.#tracker.killAllSync();
      this.#watchdog.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
  }

  get keys(): WorldKeys {
    return ready(this.#keys, 'keys');
  }

  get jump(): Sshd {
    return ready(this.#jump, 'jump sshd');
  }

  get hidden(): Sshd {
    return ready(this.#hidden, 'hidden sshd');
  }

  get jumpPort(): number {
    return this.jump.port;
  }

  get hiddenPort(): number {
    return this.hidden.port;
  }

  /** Called once by createWorld. */
  async setUp(options: WorldOptions): Promise<void> {
    await mkdir(this.home, { mode: 0o700 });
    await mkdir(this.sockDir);
    await chmod(this.sockDir, 0o755);
    await mkdir(join(this.dir, 'jump'));
    await mkdir(join(this.dir, 'hidden'));
    await mkdir(join(this.dir, 'keys'));
    const keyDir = join(this.dir, 'keys');
    const [client, tunnel, passphrase, spare, hiddenHost, ...jumpKeys] = await settled([
      makeKey(keyDir, 'client', 'ed25519'),
      makeKey(keyDir, 'tunnel', 'ed25519'),
      makeKey(keyDir, 'passphrase', 'ed25519', 'correct horse battery staple'),
      makeKey(keyDir, 'spare', 'ed25519'),
      makeKey(keyDir, 'hidden_host_ed25519', 'ed25519'),
      ...keyTypes.map((type) => makeKey(keyDir, `jump_host_${type}`, type)),
    ]);
    if (!client || !tunnel || !passphrase || !spare || !hiddenHost) throw new Error('key generation returned too few keys');
    const jumpHost = Object.fromEntries(jumpKeys.map((key) => [key.type, key])) as Record<KeyType, KeyPair>;
    this.#keys = { client, tunnel, passphrase, spare, jumpHost, hiddenHost };

    await writeFile(this.jumpAuthorizedKeys, lines([client.publicKey, tunnel.publicKey, passphrase.publicKey]));
    await writeFile(this.hiddenAuthorizedKeys, lines([client.publicKey, passphrase.publicKey]));
    const common = { startTimeoutMs: options.startTimeoutMs };
    const presented = options.jumpHostKeyTypes ?? keyTypes;
    [this.#jump, this.#hidden] = await settled([
      Sshd.start(
        {
          ...common,
          name: 'jump',
          dir: join(this.dir, 'jump'),
          hostKeys: presented.map((type) => jumpHost[type].path),
          authorizedKeysFile: this.jumpAuthorizedKeys,
          extraConfig: options.jumpConfig,
        },
        this.#tracker,
      ),
      Sshd.start(
        {
          ...common,
          name: 'hidden',
          dir: join(this.dir, 'hidden'),
          hostKeys: [hiddenHost.path],
          authorizedKeysFile: this.hiddenAuthorizedKeys,
          extraConfig: options.hiddenConfig,
        },
        this.#tracker,
      ),
    ]);
    await writeFile(this.knownHostsJump, lines(jumpKeys.map((key) => `[127.0.0.1]:${this.jumpPort} ${key.publicKey}`)));
    const names = options.hostNames ?? ['host-1', 'host-2', 'host-3'];
    names.forEach((name) => this.#knownNames.add(checkHostName(name)));
    await writeFile(
      this.knownHostsHosts,
      lines([`${names.join(',')} ${hiddenHost.publicKey}`, `[127.0.0.1]:${this.hiddenPort} ${hiddenHost.publicKey}`]),
    );
    this.writeClientConfig(this.seedProxyCommand());
  }

  /** The clean environment every command runs with: no agent, HOME inside the world. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = {
      PATH: [dirname(process.execPath), process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', '/usr/sbin', '/sbin'].join(':'),
      HOME: this.home,
      USER: this.user,
      LOGNAME: this.user,
      SHELL: '/bin/sh',
      LC_ALL: 'C',
      TMPDIR: tmpdir(),
    };
    const merged = { ...base, ...extra };
    for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
    return merged;
  }

  socketPath(name: string, jump?: string): string {
    return join(jump === undefined ? this.sockDir : this.extraJump(jump).sockDir, `${checkHostName(name)}.sock`);
  }

  /**
   * Starts another jumphost: an sshd like the world's jump (same keys and accounts) on its own port, with
   * its own socket directory, as a second machine would have. Its host keys are known under its port.
   */
  async addJump(name: string, options: { jumpConfig?: string } = {}): Promise<ExtraJump> {
    checkHostName(name);
    if (name === 'jump' || this.#extraJumps.has(name)) throw new Error(`jump ${name} exists already`);
    const dir = join(this.dir, name);
    const sockDir = join(this.dir, `sock-${name}`);
    await mkdir(sockDir, { mode: 0o755 });
    const jumpHost = this.keys.jumpHost;
    const sshd = await Sshd.start(
      {
        name,
        dir,
        hostKeys: keyTypes.map((type) => jumpHost[type].path),
        authorizedKeysFile: this.jumpAuthorizedKeys,
        extraConfig: options.jumpConfig,
      },
      this.#tracker,
    );
    await appendFile(this.knownHostsJump, lines(keyTypes.map((type) => `[127.0.0.1]:${sshd.port} ${jumpHost[type].publicKey}`)));
    const jump = { name, sshd, sockDir };
    this.#extraJumps.set(name, jump);
    return jump;
  }

  extraJump(name: string): ExtraJump {
    const jump = this.#extraJumps.get(name);
    if (!jump) throw new Error(`no jump ${name} in this world (addJump first)`);
    return jump;
  }

  /** `Host NAME` for a jump from addJump, strict like the world's `Host jump`, to put in a client config (e.g. as `bottom`). */
  jumpSection(name: string): string {
    const { sshd } = this.extraJump(name);
    return [
      `Host ${name}`,
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      `  User ${this.user}`,
      `  IdentityFile ${this.keys.client.path}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${this.knownHostsJump}`,
      `  GlobalKnownHostsFile ${this.nonexistent}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
    ].join('\n');
  }

  /** Starts `ssh -N -R SOCKDIR/NAME.sock:localhost:HIDDENPORT` and resolves once the socket answers. */
  async connectHost(name = 'host-1', options: ConnectHostOptions = {}): Promise<Tunnel> {
    const socketPath = this.socketPath(name, options.jump);
    const jump = options.jump === undefined ? this.jump : this.extraJump(options.jump).sshd;
    if (!this.#knownNames.has(name)) {
      this.#knownNames.add(name);
      await appendFile(this.knownHostsHosts, `${name} ${this.keys.hiddenHost.publicKey}\n`);
    }
    return openTunnel(this.#tracker, {
      ...options,
      name,
      socketPath,
      jumpPort: jump.port,
      user: this.user,
      targetPort: options.targetPort ?? this.hiddenPort,
      expectBanner: options.targetPort === undefined,
      identityFile: this.keys.tunnel.path,
      knownHosts: this.knownHostsJump,
      nonexistent: this.nonexistent,
      env: this.env(),
      jumpLog: () => jump.currentLog(),
    });
  }

  /** Writes the client ssh_config (to `extra.path` or clientConfigPath) and returns its path; a string `extra` is `top`. */
  writeClientConfig(proxyCommand: string, extra: string | (ClientConfigExtra & { path?: string }) = {}): string {
    const parts = typeof extra === 'string' ? { top: extra } : extra;
    const path = parts.path ?? this.clientConfigPath;
    const paths = {
      jumpPort: this.jumpPort,
      user: this.user,
      clientKey: this.keys.client.path,
      knownHostsJump: this.knownHostsJump,
      knownHostsHosts: this.knownHostsHosts,
      nonexistent: this.nonexistent,
    };
    writeFileSync(path, renderClientConfig(paths, proxyCommand, parts));
    return path;
  }

  /** The seed recipe: `ssh -F CONFIG jump nc -U SOCKDIR/%h.sock`. */
  seedProxyCommand(configPath = this.clientConfigPath): string {
    return `ssh -F ${proxyCommandPath(configPath)} jump nc -U ${proxyCommandPath(this.sockDir)}/%h.sock`;
  }

  /** Ours: `BIN proxy --jump jump --socket-dir SOCKDIR -F CONFIG [args] -- %h`. */
  tunnelConfigProxyCommand(options: { configPath?: string; args?: string[]; viaNode?: boolean } = {}): string {
    const bin = [...(options.viaNode ? [process.execPath] : []), tunnelConfigBin].map(proxyCommandPath);
    const config = proxyCommandPath(options.configPath ?? this.clientConfigPath);
    const args = (options.args ?? []).map(proxyCommandPath);
    return [...bin, 'proxy', '--jump', 'jump', '--socket-dir', proxyCommandPath(this.sockDir), '-F', config, ...args, '--', '%h'].join(' ');
  }

  /** Runs `ssh -F CONFIG ...args` in the clean environment; always killed (with its tree) at the timeout. */
  ssh(args: string[], options: RunOptions & { configPath?: string } = {}): Promise<RunResult> {
    const { configPath, ...rest } = options;
    return this.run('ssh', ['-F', configPath ?? this.clientConfigPath, ...args], rest);
  }

  /** Runs any command like ssh(): clean env (options.env on top), tracked, timeout 30 s by default. */
  run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.#tracker.run(command, args, { cwd: this.dir, ...options, env: this.env(options.env) });
  }

  /** Starts `ssh-agent -D` holding `keys` (default: the passphrase key) and returns its socket path. */
  async startAgent(options: { keys?: KeyPair[] } = {}): Promise<string> {
    const number = this.#agents.size + 1;
    const socket = join(this.dir, `agent-${number}.sock`);
    const agent = await spawnAgent(this.#tracker, {
      socket,
      askpassPrefix: join(this.dir, `askpass-${number}`),
      keys: options.keys ?? [this.keys.passphrase],
      env: this.env(),
      run: (command, args, runOptions) => this.run(command, args, runOptions),
    });
    this.#agents.set(socket, agent.pid);
    return socket;
  }

  async killAgent(socket: string): Promise<void> {
    const pid = this.#agents.get(socket);
    if (pid !== undefined) await this.#tracker.kill(pid);
  }

  /** Every live process this world started, with their descendants. */
  pids(): number[] {
    return this.#tracker.pids();
  }

  /** Kills every process of the world (process trees, not just the leaders) and removes the directory. */
  /** The shared jump connections this world's proxies started: detached, so not in the process tree. */
  sharedPids(): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let args: string[];
      try {
        args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      } catch {
        continue;
      }
      if (args.includes('shared') && args.includes('serve') && args.some((arg) => arg.startsWith(`${this.dir}/`))) pids.push(Number(entry));
    }
    return pids;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const pid of this.sharedPids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      this.#jump?.cont();
      for (const extra of this.#extraJumps.values()) extra.sshd.cont();
      await this.#tracker.close();
      await rm(this.dir, { recursive: true, force: true, maxRetries: 5 });
      await stopWatchdog(this.#watchdog);
      this.#unregister();
    })();
    return this.#closing;
  }
}

/** Like Promise.all, but waits for every step, so none is still running when setup fails and close() starts. */
async function settled<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

async function stopWatchdog(watchdog: ChildProcess): Promise<void> {
  if (watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  const exited = new Promise((resolve) => watchdog.once('exit', resolve));
  watchdog.kill('SIGKILL');
  await exited;
}

function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`world not set up yet: no ${what}`);
  return value;
}

function lines(items: string[]): string {
  return items.map((item) => `${item}\n`).join('');
}

function checkHostName(name: string): string {
  if (!hostName.test(name)) throw new Error(`unsafe host name for a socket path: ${JSON.stringify(name)}`);
  return name;
}

/** A fresh world in a new temp dir; if setting it up fails halfway, everything started so far is torn down. */
export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const world = new World(await mkdtemp(join(options.baseDir ?? tmpdir(), 'tunnel-world-')));
  try {
    await world.setUp(options);
  } catch (error) {
    await world.close();
    throw error;
  }
  return world;
}

/** `const world = await useWorld()` at the top of a test file (or pass `t` to scope it to one test). */
export async function useWorld(options: WorldOptions = {}, scope?: { after(fn: () => Promise<void>): void }): Promise<World> {
  const world = await createWorld(options);
  if (scope) scope.after(() => world.close());
  else (await import('node:test')).after(() => world.close());
  return world;
}
