import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { runServerSetup, type ServerSetupArgs } from '../../../src/commands/server-setup.js';
import type { ServerMode } from '../../../src/setup/server/layout.js';
import { systemRunner } from '../../../src/setup/server/runner.js';
import { makeKey, type KeyPair } from '../../support/keys.js';
import type { RunResult } from '../../support/process.js';
import { renderSshdConfig, Sshd } from '../../support/sshd.js';
import type { Machine } from './machine.js';

export interface Jump {
  sshd: Sshd;
  port: number;
  knownHosts: string;
}

export interface Captured {
  code: number;
  stdout: string;
  stderr: string[];
}

/** Key pairs under ROOT/keys, named as given. */
export async function makeKeys<N extends string>(machine: Machine, names: readonly N[]): Promise<Record<N, KeyPair>> {
  const dir = `${machine.root}/keys`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pairs = await Promise.all(names.map((name) => makeKey(dir, name, 'ed25519')));
  return Object.fromEntries(names.map((name, index) => [name, pairs[index]])) as Record<N, KeyPair>;
}

/** Lets `user` (a test-owned login account) log in with `key`: the base config reads ROOT/client_keys/%u. */
export function authorize(machine: Machine, user: string, key: KeyPair): void {
  const dir = `${machine.root}/client_keys`;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(`${dir}/${user}`, `${key.publicKey}\n`, { mode: 0o644 });
}

/**
 * The world's sshd_config with Debian's first line on top (`Include …/sshd_config.d/*.conf`) and
 * StrictModes on, so sshd checks the key files' and chroots' owners and modes as a real jumphost would.
 */
function sshdOptions(machine: Machine, hostKey: KeyPair): { hostKeys: string[]; authorizedKeysFile: string; extraConfig: string } {
  return {
    hostKeys: [hostKey.path],
    authorizedKeysFile: `${machine.root}/client_keys/%u`,
    extraConfig: `Include ${machine.root}/etc/ssh/sshd_config.d/*.conf\nStrictModes yes`,
  };
}

/** Writes the sshd_config the setup script checks with `sshd -t` and `sshd -T` (the running one is the same but for its port). */
export function writeBaseConfig(machine: Machine, hostKey: KeyPair): void {
  mkdirSync(`${machine.root}/etc/ssh`, { recursive: true, mode: 0o755 });
  writeFileSync(machine.layout.sshdConfig, renderSshdConfig({ port: 22, ...sshdOptions(machine, hostKey) }));
}

export async function startJump(machine: Machine, hostKey: KeyPair): Promise<Jump> {
  const sshd = await Sshd.start({ name: 'jump', dir: `${machine.root}/sshd`, ...sshdOptions(machine, hostKey) }, machine.tracker);
  const knownHosts = `${machine.root}/known_hosts`;
  writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${hostKey.publicKey}\n`);
  mkdirSync(`${machine.root}/home-root`, { recursive: true, mode: 0o700 });
  return { sshd, port: sshd.port, knownHosts };
}

/**
 * A second jump sshd whose drop-in is the installed one changed by `edit`: to show what each layer of
 * the settings does on its own.
 */
export async function startVariantJump(machine: Machine, hostKey: KeyPair, edit: (dropIn: string) => string): Promise<Jump> {
  const dir = `${machine.root}/variant`;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const installed = await readFile(machine.layout.dropIn, 'utf8');
  const changed = edit(installed);
  if (changed === installed) throw new Error('the variant drop-in is the same as the installed one');
  writeFileSync(`${dir}/tunnel-config.conf`, changed);
  const sshd = await Sshd.start(
    { name: 'variant', dir: `${machine.root}/sshd-variant`, ...sshdOptions(machine, hostKey), extraConfig: `Include ${dir}/*.conf\nStrictModes yes` },
    machine.tracker,
  );
  const knownHosts = `${machine.root}/known_hosts_variant`;
  writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${hostKey.publicKey}\n`);
  return { sshd, port: sshd.port, knownHosts };
}

export interface SetupOptions {
  mode: ServerMode;
  hosts: string[];
  clientUsers: string[];
  keyFiles: Record<string, string>;
  apply?: boolean;
  check?: boolean;
}

/** tunnel-config server-setup on the machine's layout, with the real runner: --apply runs the generated script. */
export async function serverSetup(machine: Machine, options: SetupOptions): Promise<Captured> {
  const args: ServerSetupArgs = {
    mode: options.mode,
    socketDir: socketDir(machine),
    hosts: options.hosts,
    clientUsers: options.clientUsers,
    keyFiles: options.keyFiles,
    print: false,
    apply: options.apply ?? true,
    check: options.check ?? false,
    help: false,
  };
  const out: Captured = { code: -1, stdout: '', stderr: [] };
  const io = { env: process.env, interactive: false, stdout: (text: string) => void (out.stdout += text), stderr: (line: string) => void out.stderr.push(line) };
  try {
    out.code = await runServerSetup(args, io, { runner: systemRunner, layout: machine.layout, readKeyFile: (path) => readFile(path, 'utf8') });
  } catch (error) {
    out.stderr.push(`threw: ${(error as Error).message}`);
    out.code = (error as { exitCode?: number }).exitCode ?? 1;
  }
  return out;
}

export const socketDir = (machine: Machine): string => `${machine.root}/home/host`;

/** A TCP server on loopback standing in for a hidden host's sshd: it greets, then echoes. */
export async function startEcho(greeting: string): Promise<{ port: number; greeting: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write(`${greeting}\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('echo server has no port');
  return {
    port: address.port,
    greeting,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `ssh` as `account` with only `key` (and no agent), strict about the jump's host key, never interactive. */
export function sshArgs(jump: Jump, account: string, key: KeyPair, args: string[], command: string[] = []): string[] {
  // ssh keeps the first value it reads, so the caller's options go first and win
  return [
    ...args,
    '-F', '/dev/null',
    '-p', String(jump.port),
    '-i', key.path,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${jump.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/nonexistent',
    '-o', 'ConnectTimeout=10',
    `${account}@127.0.0.1`,
    ...command,
  ];
}

export function sshEnv(machine: Machine): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: `${machine.root}/home-root`, LC_ALL: 'C' };
}

/** Runs ssh to the jump: `args` are options, `command` the remote command. */
export function ssh(machine: Machine, jump: Jump, account: string, key: KeyPair, args: string[], command: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return machine.tracker.run('ssh', sshArgs(jump, account, key, args, command), { env: { ...sshEnv(machine), ...env }, timeoutMs: 15_000 });
}

export function describe(result: Pick<RunResult, 'code' | 'signal' | 'stdout' | 'stderr' | 'timedOut'>): string {
  return `exit ${String(result.code)}${result.signal ? ` signal ${result.signal}` : ''}${result.timedOut ? ' (timed out)' : ''}\nstdout: ${JSON.stringify(result.stdout.toString().slice(0, 300))}\nstderr:\n${result.stderr}`;
}
