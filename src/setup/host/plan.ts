import { isAbsolute, join, resolve } from 'node:path';
import { TunnelError } from '../../errors.js';
import { hostNameProblem, quoteForMessage, socketPathFor } from '../../ssh/hostname.js';
import { configFileProblem, identityFileProblem, jumpHostProblem, portProblem, socketDirValueProblem, userProblem } from '../../sshconfig/validate.js';
import { MAX_ALIVE_INTERVAL, type TunnelSpec } from './spec.js';
import type { HostSystem } from './system.js';

export const FORMATS = ['systemd', 'launchd', 'autossh', 'command'] as const;
export type Format = (typeof FORMATS)[number];

/** host-setup's flags as typed; undefined means not given. */
export interface HostSetupFlags {
  jumpHost?: string;
  jumpPort?: string;
  jumpUser?: string;
  identity?: string;
  knownHosts?: string;
  name?: string;
  socketDir?: string;
  localPort?: string;
  runAs?: string;
  format?: string;
  aliveInterval?: string;
}

export const DEFAULTS = { jumpPort: '22', jumpUser: 'host', socketDir: '/home/host', localPort: '22' } as const;

export interface HostSetupPlan {
  spec: TunnelSpec;
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
  const jumpHost = flags.jumpHost;
  if (jumpHost === undefined) throw new TunnelError('usage', 'host-setup needs --jump-host HOST (see tunnel-config host-setup --help)');
  check('--jump-host', jumpHost, jumpHostProblem(jumpHost));
  const jumpPort = flags.jumpPort ?? DEFAULTS.jumpPort;
  check('--jump-port', jumpPort, portProblem(jumpPort));
  const jumpUser = flags.jumpUser ?? DEFAULTS.jumpUser;
  check('--jump-user', jumpUser, userProblem(jumpUser));
  const localPort = flags.localPort ?? DEFAULTS.localPort;
  check('--local-port', localPort, portProblem(localPort));

  const name = flags.name ?? system.hostName();
  const nameProblem = hostNameProblem(name);
  if (nameProblem !== undefined) {
    if (flags.name !== undefined) check('--name', name, `a host name ${nameProblem}`);
    throw new TunnelError('usage', `this machine's host name ${quoteForMessage(name)} cannot name its socket (a host name ${nameProblem}): pass --name NAME`);
  }
  const socketDir = flags.socketDir ?? DEFAULTS.socketDir;
  check('--socket-dir', socketDir, socketDirValueProblem(socketDir));
  const socketPath = socketPathFor(socketDir, name);

  const format = flags.format ?? defaultFormat(system.platform);
  if (!(FORMATS as readonly string[]).includes(format)) check('--format', format, `must be one of ${FORMATS.join(', ')}`);

  const runAs = flags.runAs ?? system.userName;
  check('--run-as', runAs, userProblem(runAs));
  const home = await system.homeOf(runAs);
  if (home === undefined) throw new TunnelError('usage', `--run-as ${quoteForMessage(runAs)}: no such local user`);

  const sshPath = await system.findExecutable('ssh');
  if (sshPath === undefined) throw new TunnelError('usage', "OpenSSH's ssh was not found on PATH: install openssh-client");
  check('ssh path', sshPath, configFileProblem(sshPath));
  const spec: TunnelSpec = { name, jumpHost, jumpPort: Number(jumpPort), jumpUser, socketPath, localPort: Number(localPort), sshPath };
  if (flags.aliveInterval !== undefined) {
    check('--alive-interval', flags.aliveInterval, aliveIntervalProblem(flags.aliveInterval));
    spec.aliveInterval = Number(flags.aliveInterval);
  }
  if (flags.identity !== undefined) {
    spec.identityFile = absolutePath(flags.identity, home, system.cwd);
    check('--identity', flags.identity, identityFileProblem(spec.identityFile));
  }
  if (flags.knownHosts !== undefined) {
    spec.knownHostsFile = absolutePath(flags.knownHosts, home, system.cwd);
    check('--known-hosts', flags.knownHosts, configFileProblem(spec.knownHostsFile));
  }
  return { spec, format: format as Format, runAs, home };
}
