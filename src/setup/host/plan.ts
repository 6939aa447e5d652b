import { isAbsolute, join, resolve } from 'node:path';
import { TunnelError } from '../../errors.js';
import { hostNameProblem, quoteForMessage, socketPathFor } from '../../ssh/hostname.js';
import { configFileProblem, identityFileProblem, jumpHostProblem, portProblem, socketDirValueProblem, userProblem } from '../../sshconfig/validate.js';
import { duplicateJumpProblem, type JumpFlags, pairJumpFlags, type RepeatedJumpFlags } from './jumps.js';
import { MAX_ALIVE_INTERVAL, type TunnelSpec } from './spec.js';
import type { HostSystem } from './system.js';

export const FORMATS = ['systemd', 'launchd', 'autossh', 'command'] as const;
export type Format = (typeof FORMATS)[number];

/** host-setup's flags as typed: the per-jump ones in the order given (see jumps.ts), the others once; undefined means not given. */
export interface HostSetupFlags extends RepeatedJumpFlags {
  name?: string;
  localPort?: string;
  runAs?: string;
  format?: string;
  aliveInterval?: string;
}

export const DEFAULTS = { jumpPort: '22', jumpUser: 'host', socketDir: '/home/host', localPort: '22' } as const;

export interface HostSetupPlan {
  /** One tunnel per jump, in --jump-host order; each gets a service of its own. */
  specs: TunnelSpec[];
  format: Format;
  /** The local account the service runs as, and its home directory (as ssh will see it). */
  runAs: string;
  home: string;
}

export function defaultFormat(platform: NodeJS.Platform): Format {
  if (platform === 'darwin') return 'launchd';
  return platform === 'linux' ? 'systemd' : 'command';
}

/** A whole number of seconds, at least 1: ServerAliveInterval 0 would switch the checks off. */
export function aliveIntervalProblem(value: string): string | undefined {
  if (!/^[1-9][0-9]{0,3}$/.test(value) || Number(value) > MAX_ALIVE_INTERVAL) return `must be a whole number of seconds from 1 to ${MAX_ALIVE_INTERVAL}`;
  return undefined;
}

function check(flag: string, value: string, problem: string | undefined): void {
  if (problem !== undefined) throw new TunnelError('usage', `${flag} ${quoteForMessage(value)}: ${problem}`);
}

/** `~/x` in the service user's home, `x` from the current directory: a service needs absolute paths. */
function absolutePath(path: string, home: string, cwd: string): string {
  if (path === '~' || path.startsWith('~/')) return join(home, path.slice(1));
  return isAbsolute(path) || path === '' ? path : resolve(cwd, path);
}

/** Validates every flag and resolves the defaults that need the machine (host name, home, ssh path). */
export async function planHostSetup(flags: HostSetupFlags, system: HostSystem): Promise<HostSetupPlan> {
  const jumps = pairJumpFlags(flags);
  const localPort = flags.localPort ?? DEFAULTS.localPort;
  check('--local-port', localPort, portProblem(localPort));

  const name = flags.name ?? system.hostName();
  const nameProblem = hostNameProblem(name);
  if (nameProblem !== undefined) {
    if (flags.name !== undefined) check('--name', name, `a host name ${nameProblem}`);
    throw new TunnelError('usage', `this machine's host name ${quoteForMessage(name)} cannot name its socket (a host name ${nameProblem}): pass --name NAME`);
  }

  const format = flags.format ?? defaultFormat(system.platform);
  if (!(FORMATS as readonly string[]).includes(format)) check('--format', format, `must be one of ${FORMATS.join(', ')}`);

  const runAs = flags.runAs ?? system.userName;
  check('--run-as', runAs, userProblem(runAs));
  const home = await system.homeOf(runAs);
  if (home === undefined) throw new TunnelError('usage', `--run-as ${quoteForMessage(runAs)}: no such local user`);

  const sshPath = await system.findExecutable('ssh');
  if (sshPath === undefined) throw new TunnelError('usage', "OpenSSH's ssh was not found on PATH: install openssh-client");
  check('ssh path', sshPath, configFileProblem(sshPath));
  if (flags.aliveInterval !== undefined) check('--alive-interval', flags.aliveInterval, aliveIntervalProblem(flags.aliveInterval));

  const specs = jumps.map((jump, index): TunnelSpec => {
    const spec = jumpSpec(jump, { name, localPort: Number(localPort), sshPath }, home, system.cwd);
    if (flags.aliveInterval !== undefined) spec.aliveInterval = Number(flags.aliveInterval);
    if (index > 0) spec.jumpNumber = index + 1;
    return spec;
  });
  const duplicate = duplicateJumpProblem(specs);
  if (duplicate !== undefined) throw new TunnelError('usage', duplicate);
  return { specs, format: format as Format, runAs, home };
}

/** One jump's tunnel from its flags, each checked. */
function jumpSpec(jump: JumpFlags, host: Pick<TunnelSpec, 'name' | 'localPort' | 'sshPath'>, home: string, cwd: string): TunnelSpec {
  const { jumpHost } = jump;
  check('--jump-host', jumpHost, jumpHostProblem(jumpHost));
  const jumpPort = jump.jumpPort ?? DEFAULTS.jumpPort;
  check('--jump-port', jumpPort, portProblem(jumpPort));
  const jumpUser = jump.jumpUser ?? DEFAULTS.jumpUser;
  check('--jump-user', jumpUser, userProblem(jumpUser));
  const socketDir = jump.socketDir ?? DEFAULTS.socketDir;
  check('--socket-dir', socketDir, socketDirValueProblem(socketDir));
  const socketPath = socketPathFor(socketDir, host.name);
  const spec: TunnelSpec = { name: host.name, jumpHost, jumpPort: Number(jumpPort), jumpUser, socketPath, localPort: host.localPort, sshPath: host.sshPath };
  if (jump.identity !== undefined) {
    spec.identityFile = absolutePath(jump.identity, home, cwd);
    check('--identity', jump.identity, identityFileProblem(spec.identityFile));
  }
  if (jump.knownHosts !== undefined) {
    spec.knownHostsFile = absolutePath(jump.knownHosts, home, cwd);
    check('--known-hosts', jump.knownHosts, configFileProblem(spec.knownHostsFile));
  }
  return spec;
}
