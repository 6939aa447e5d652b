import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { renderClientConfig } from '../support/client-config.js';
import { isAlive, killTree, processTree } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { tunnelConfigBin, type RunResult, type World } from '../world.js';

export interface ProxyResult {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** From spawn to exit. */
  ms: number;
  /** performance.now() at exit, to time from an event in the middle of a run. */
  endedAt: number;
  timedOut: boolean;
}

export interface RunningProxy {
  pid: number;
  stdin: Writable;
  stdout: () => Buffer;
  stderr: () => string;
  result: Promise<ProxyResult>;
  /** Resolves once stdout holds at least `bytes` bytes; rejects if the proxy exits first. */
  waitForStdout: (bytes: number, timeoutMs?: number) => Promise<void>;
}

export interface ProxyOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const running = new Map<number, Promise<ProxyResult>>();

/**
 * Starts `node bin/tunnel-config.js proxy ...args` as ssh would: stdin and stdout pipes, in its own
 * session (so no controlling tty), in the world's clean env; killed with its tree at the timeout.
 */
export function startProxy(world: World, args: readonly string[], options: ProxyOptions = {}): RunningProxy {
  const started = performance.now();
  const child = spawn(process.execPath, [tunnelConfigBin, 'proxy', ...args], {
    detached: true,
    env: world.env(options.env),
    cwd: world.dir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid ?? -1;
  const chunks: Buffer[] = [];
  let stderr = '';
  let exited = false;
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => {}); // EPIPE once it has exited
  child.on('error', (error) => (stderr += `spawn failed: ${error.message}\n`));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree([pid]);
  }, options.timeoutMs ?? 20_000);
  const result = new Promise<ProxyResult>((resolve) => {
    let endedAt = performance.now();
    child.once('exit', () => {
      exited = true;
      endedAt = performance.now();
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(pid);
      child.stdin.destroy();
      resolve({ pid, code, signal, stdout: Buffer.concat(chunks), stderr, ms: endedAt - started, endedAt, timedOut });
    });
  });
  running.set(pid, result);
  const stdout = (): Buffer => Buffer.concat(chunks);
  const waitForStdout = async (bytes: number, timeoutMs = 10_000): Promise<void> => {
    await waitFor(
      () => {
        if (stdout().length >= bytes) return true;
        if (exited) throw new Error(`proxy exited before writing ${bytes} bytes:\n${stderr}`);
        return undefined;
      },
      { timeoutMs, what: () => `proxy wrote ${stdout().length} of ${bytes} bytes:\n${stderr}` },
    );
  };
  return { pid, stdin: child.stdin, stdout, stderr: () => stderr, result, waitForStdout };
}

/** Runs the proxy with stdin held open until it exits, as under ssh; for runs that must fail. */
export function runProxy(world: World, args: readonly string[], options: ProxyOptions = {}): Promise<ProxyResult> {
  return startProxy(world, args, options).result;
}

/** Runs the proxy until the hidden host's banner arrives, then closes stdin; for runs that must connect. */
export async function connectProxy(world: World, args: readonly string[], options: ProxyOptions = {}): Promise<ProxyResult> {
  const proxy = startProxy(world, args, options);
  await waitFor(() => (proxy.stdout().includes('\n') ? true : undefined), {
    timeoutMs: options.timeoutMs ?? 10_000,
    what: () => `no banner on stdout:\n${proxy.stderr()}`,
  }).catch(() => undefined);
  proxy.stdin.end();
  return proxy.result;
}

/** Kills every proxy still running (a failed test's leftovers) and waits for them. */
export async function stopAllProxies(): Promise<void> {
  const results = [...running.values()];
  killTree(running.keys());
  await Promise.all(results);
}

/**
 * `--jump JUMP --socket-dir SOCKDIR -F CONFIG --persist 0 [extra] -- HOST`: the proxy on a connection of its own,
 * whose failures these tests pin down; `persist` ('10m', the default for users) goes through the shared connection.
 */
export function proxyArgs(world: World, config: string, host: string, options: { extra?: string[]; jump?: string; persist?: string } = {}): string[] {
  return ['--jump', options.jump ?? 'jump', '--socket-dir', world.sockDir, '-F', config, '--persist', options.persist ?? '0', ...(options.extra ?? []), '--', host];
}

export interface ConfigOptions {
  /** Lines first in `Host jump`, so they override the world's strict defaults. */
  jump?: string[];
  /** Lines before every Host block, e.g. another Host block. */
  top?: string[];
  /** The only IdentityFile (default the world's client key); ssh_config cannot remove one once given. */
  identityFile?: string;
  /** The ProxyCommand's --persist: '0' (a connection of its own) unless a test is about sharing. */
  persist?: string;
}

/** Writes WORLD/NAME: the world's client config with our ProxyCommand reading this same file. */
export function writeProxyConfig(world: World, name: string, options: ConfigOptions = {}): string {
  const path = join(world.dir, name);
  const paths = {
    jumpPort: world.jumpPort,
    user: world.user,
    clientKey: options.identityFile ?? world.keys.client.path,
    knownHostsJump: world.knownHostsJump,
    knownHostsHosts: world.knownHostsHosts,
    nonexistent: world.nonexistent,
  };
  const extra = { top: (options.top ?? []).join('\n'), jump: (options.jump ?? []).join('\n') };
  const proxyCommand = world.tunnelConfigProxyCommand({ configPath: path, args: ['--persist', options.persist ?? '0'] });
  writeFileSync(path, renderClientConfig(paths, proxyCommand, extra));
  return path;
}

export function describeRun(result: Pick<RunResult, 'code' | 'signal' | 'stdout' | 'stderr' | 'ms' | 'timedOut'>): string {
  const out = result.stdout.subarray(0, 200).toString('latin1');
  return `exit ${String(result.code)}${result.signal ? ` signal ${result.signal}` : ''}${result.timedOut ? ' (timed out)' : ''} after ${Math.round(result.ms)} ms\nstdout (${result.stdout.length} bytes): ${JSON.stringify(out)}\nstderr:\n${result.stderr}`;
}

export interface ExpectedFailure {
  code: number;
  /** Matched against the whole of stderr. */
  stderr: RegExp;
  withinMs: number;
  atLeastMs?: number;
  /** Only the changed-host-key warning may span several lines. */
  multiLine?: boolean;
}

/** The failure contract: nothing on stdout, one `tunnel-config: ` line on stderr, the exit code, in time. */
export function assertFailure(result: ProxyResult, expected: ExpectedFailure): void {
  const context = describeRun(result);
  assert.equal(result.timedOut, false, context);
  assert.equal(result.stdout.length, 0, `stdout must be empty\n${context}`);
  assert.equal(result.code, expected.code, context);
  assert.match(result.stderr, /^tunnel-config: /, context);
  if (!expected.multiLine) assert.match(result.stderr, /^tunnel-config: [^\n]*\n$/, `exactly one stderr line\n${context}`);
  assert.match(result.stderr, expected.stderr, context);
  assert.ok(result.ms <= expected.withinMs, `took ${Math.round(result.ms)} ms, over ${expected.withinMs} ms\n${context}`);
  if (expected.atLeastMs !== undefined) assert.ok(result.ms >= expected.atLeastMs, `took only ${Math.round(result.ms)} ms\n${context}`);
}

/** Connected: exit 0 and stdout is exactly the hidden host's SSH banner (stdin closed right after it). */
export function assertConnected(result: ProxyResult): void {
  const context = describeRun(result);
  assert.equal(result.timedOut, false, context);
  assert.match(result.stdout.toString('latin1'), /^SSH-2\.0-OpenSSH_[^\r\n]*\r\n$/, context);
  assert.equal(result.code, 0, context);
  assert.doesNotMatch(result.stderr, /^tunnel-config: /m, context);
}

/** ssh ran our ProxyCommand, printed our line and gave up: 255, nothing on stdout. */
export function assertSshSurfaces(result: RunResult, line: RegExp): void {
  const context = describeRun(result);
  assert.equal(result.timedOut, false, context);
  assert.equal(result.code, 255, context);
  assert.equal(result.stdout.length, 0, context);
  assert.match(result.stderr, line, context);
}

/** The proxy and anything it started are gone (within `graceMs`). */
export async function assertNoOrphans(pid: number, graceMs = 0): Promise<void> {
  await waitFor(() => (processTree([pid]).size === 0 ? true : undefined), { timeoutMs: graceMs, what: () => '' }).catch(() => undefined);
  assert.equal(isAlive(pid), false, `proxy ${pid} is still alive`);
  assert.deepEqual([...processTree([pid])], [], `proxy ${pid} left processes behind`);
}

/** `SHA256:…` of a public key file, as `ssh-keygen -lf` prints it. */
export async function fingerprint(world: World, publicKeyPath: string): Promise<string> {
  const listed = await world.run('ssh-keygen', ['-lf', publicKeyPath], { timeoutMs: 10_000 });
  const match = /\b(SHA256:[A-Za-z0-9+/]+)/.exec(listed.stdout.toString());
  if (!match?.[1]) throw new Error(`ssh-keygen -lf ${publicKeyPath}: ${describeRun(listed)}`);
  return match[1];
}

/** Live processes whose argv contains every one of `texts` (e.g. the proxy ssh started, by its unique config path). */
export function processesMentioning(...texts: string[]): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        return texts.every((text) => cmdline.includes(text)) && isAlive(Number(entry));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Resolves once connecting to the UNIX socket at `path` is refused: nobody listens there any more. */
export async function waitUntilRefused(path: string, timeoutMs = 5000): Promise<void> {
  const attempt = (): Promise<string> =>
    new Promise((resolve) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.destroy();
        resolve('listening');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  let last = '';
  await waitFor(async () => ((last = await attempt()) === 'ECONNREFUSED' ? true : undefined), {
    timeoutMs,
    what: () => `${path} still answers (${last})`,
  });
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
