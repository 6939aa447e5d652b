import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { KeyPair } from '../../support/keys.js';
import { readBanner } from '../../support/net.js';
import { killTree } from '../../support/process.js';
import { fileIdentity } from '../../support/tunnel.js';
import { waitFor } from '../../support/wait.js';
import { tunnelConfigBin } from '../../world.js';
import { sshArgs, sshEnv, type Jump } from './jump.js';
import type { Machine } from './machine.js';

export interface HostTunnel {
  pid: number;
  stderr: () => string;
  /** SIGKILL: the hidden host vanished without a goodbye, its socket stays behind. */
  kill: () => Promise<void>;
}

export interface TunnelSpec {
  account: string;
  key: KeyPair;
  /** The path as the account names it (inside its chroot in per-host mode). */
  bindPath: string;
  targetPort: number;
  /** Where root finds the socket, to know the tunnel is up: it must be a new file that greets with `greeting`. */
  watchPath: string;
  greeting: string;
}

/** `ssh -N -R PATH:127.0.0.1:PORT ACCOUNT@jump`, as a hidden host runs it; resolves once its socket greets. */
export async function openTunnel(machine: Machine, jump: Jump, spec: TunnelSpec): Promise<HostTunnel> {
  const before = fileIdentity(spec.watchPath);
  const args = sshArgs(jump, spec.account, spec.key, ['-N', '-R', `${spec.bindPath}:127.0.0.1:${spec.targetPort}`, '-o', 'ExitOnForwardFailure=yes', '-o', 'ServerAliveInterval=5']);
  const started = machine.tracker.spawn('ssh', args, { env: sshEnv(machine), background: true });
  const tunnel: HostTunnel = { pid: started.pid, stderr: started.stderr, kill: () => machine.tracker.kill(started.pid) };
  await waitFor(
    async () => {
      const exited = started.exitInfo();
      if (exited) throw new Error(`tunnel of ${spec.account} exited (${String(exited.code ?? exited.signal)}):\n${started.stderr()}\n${jump.sshd.currentLog().slice(-3000)}`);
      const now = fileIdentity(spec.watchPath);
      if (now === undefined || now === before) return undefined;
      const line = await readBanner({ path: spec.watchPath }, 1000).catch(() => '');
      return line === spec.greeting ? true : undefined;
    },
    { timeoutMs: 15_000, what: () => `tunnel of ${spec.account} never answered at ${spec.watchPath}:\n${started.stderr()}` },
  ).catch(async (error: unknown) => {
    await tunnel.kill();
    throw error;
  });
  return tunnel;
}

export interface ProxyRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** An ssh_config for the proxy's `ssh -G`: only `key`, the jump's known host key, no prompts. */
export function proxyConfig(machine: Machine, jump: Jump, key: KeyPair): string {
  const path = `${machine.root}/ssh_config_${key.path.split('/').pop() ?? 'key'}`;
  const lines = [
    'Host *',
    `  IdentityFile ${key.path}`,
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    `  UserKnownHostsFile ${jump.knownHosts}`,
    '  GlobalKnownHostsFile /nonexistent',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/**
 * `tunnel-config proxy --jump USER@127.0.0.1:PORT --socket-dir DIR -F CONFIG -- HOST`, as ssh runs it.
 * With `send`, it writes that line and closes stdin once stdout has the greeting and the echo;
 * without, stdin stays open until the proxy gives up.
 */
export function runProxy(
  machine: Machine,
  jump: Jump,
  options: { user: string; key: KeyPair; socketDir: string; host: string; send?: string; expect?: string; timeoutMs?: number },
): Promise<ProxyRun> {
  const args = [tunnelConfigBin, 'proxy', '--jump', `${options.user}@127.0.0.1:${jump.port}`, '--socket-dir', options.socketDir, '-F', proxyConfig(machine, jump, options.key), '--', options.host];
  const child = spawn(process.execPath, args, { detached: true, env: sshEnv(machine), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdin.on('error', () => {});
  child.stdout.setEncoding('latin1').on('data', (text: string) => {
    stdout += text;
    if (options.expect !== undefined && stdout.includes(options.expect)) child.stdin.end();
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  if (options.send !== undefined) child.stdin.write(options.send);
  const timer = setTimeout(() => {
    timedOut = true;
    killTree([child.pid ?? -1]);
  }, options.timeoutMs ?? 20_000);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

export function describeProxy(run: ProxyRun): string {
  return `proxy exit ${String(run.code)}${run.signal ? ` signal ${run.signal}` : ''}${run.timedOut ? ' (timed out)' : ''}\nstdout: ${JSON.stringify(run.stdout.slice(0, 300))}\nstderr:\n${run.stderr}`;
}
