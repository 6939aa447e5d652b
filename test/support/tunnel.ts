import { statSync } from 'node:fs';
import { readBanner } from './net.js';
import type { ExitInfo, ProcessTracker } from './process.js';
import { waitFor } from './wait.js';

export interface Tunnel {
  name: string;
  socketPath: string;
  pid: number;
  /** Reading it keeps the test process alive until the tunnel ends. */
  readonly exited: Promise<ExitInfo>;
  /** How it ended, or undefined while it runs. */
  exitInfo(): ExitInfo | undefined;
  stderr(): string;
  /** SIGKILL: the hidden host vanished without a goodbye. */
  kill(): Promise<void>;
}

export interface TunnelSpec {
  name: string;
  socketPath: string;
  jumpPort: number;
  user: string;
  /** The hidden host's sshd port, reached as localhost:PORT from the tunnel's side. */
  targetPort: number;
  identityFile: string;
  knownHosts: string;
  nonexistent: string;
  env: NodeJS.ProcessEnv;
  serverAliveInterval?: number;
  extraArgs?: string[];
  timeoutMs?: number;
  /** Appended to the error when the tunnel never comes up. */
  jumpLog: () => string;
  /** False for a tunnel with nothing behind it: ready once its socket exists. */
  expectBanner?: boolean;
}

/** The hidden host's side of the seed recipe, made strict and non-interactive. */
export function tunnelArgs(spec: TunnelSpec): string[] {
  return [
    '-N',
    '-R', `${spec.socketPath}:localhost:${spec.targetPort}`,
    '-o', 'ExitOnForwardFailure=yes',
    '-o', `ServerAliveInterval=${spec.serverAliveInterval ?? 5}`,
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${spec.knownHosts}`,
    '-o', `GlobalKnownHostsFile=${spec.nonexistent}`,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-i', spec.identityFile,
    '-F', '/dev/null',
    '-p', String(spec.jumpPort),
    ...(spec.extraArgs ?? []),
    `${spec.user}@127.0.0.1`,
  ];
}

/** Identifies one file: a socket re-created at the same path gets another identity. */
export function fileIdentity(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}:${stat.ctimeMs}`;
  } catch {
    return undefined;
  }
}

function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit ${String(info.code)}`;
}

/** Starts the tunnel and resolves once its socket on the jump answers with an SSH banner. */
export async function openTunnel(tracker: ProcessTracker, spec: TunnelSpec): Promise<Tunnel> {
  const { name, socketPath } = spec;
  if (socketPath.length > 100) throw new Error(`socket path too long for a UNIX socket: ${socketPath}`);
  const before = fileIdentity(socketPath);
  const started = tracker.spawn('ssh', tunnelArgs(spec), { env: spec.env, background: true });
  const tunnel: Tunnel = {
    name,
    socketPath,
    pid: started.pid,
    get exited() {
      return started.exited;
    },
    exitInfo: started.exitInfo,
    stderr: started.stderr,
    kill: () => tracker.kill(started.pid),
  };
  await waitFor(
    async () => {
      const exited = started.exitInfo();
      if (exited) throw new Error(`tunnel for ${name} exited (${describeExit(exited)}):\n${started.stderr()}`);
      // a stale socket from an earlier tunnel must not count
      const now = fileIdentity(socketPath);
      if (now === undefined || now === before) return undefined;
      if (spec.expectBanner === false) return true;
      const banner = await readBanner({ path: socketPath }, 1000).catch(() => '');
      return banner.startsWith('SSH-2.0-') ? true : undefined;
    },
    {
      timeoutMs: spec.timeoutMs ?? 10_000,
      what: () => `tunnel for ${name} never answered on ${socketPath}:\n${started.stderr()}\njump log:\n${spec.jumpLog()}`,
    },
  ).catch(async (error: unknown) => {
    await tunnel.kill();
    throw error;
  });
  return tunnel;
}
