import { join } from 'node:path';
import { TunnelError } from '../../errors.js';
import { renderLaunchdPlist } from './render-launchd.js';
import { renderSystemdUnit, systemdUnitName } from './render-systemd.js';
import { launchdLabel, serviceName, type TunnelSpec } from './spec.js';
import type { HostSystem } from './system.js';

export type Action = { kind: 'write'; path: string; text: string } | { kind: 'run'; argv: string[]; mayFail?: boolean };

/** What --install does, as data: the dry run prints it, the install performs it. */
export interface Installation {
  path: string;
  text: string;
  actions: Action[];
  /** How to see the service afterwards. */
  hints: string[];
}

export const SYSTEMD_RUNNING = '/run/systemd/system';
export const SYSTEM_UNIT_DIR = '/etc/systemd/system';

const REMINDER = (spec: TunnelSpec): string =>
  `the jump's sshd needs StreamLocalBindUnlink yes for ${spec.jumpUser}, or a restarted tunnel cannot replace its old ${spec.socketPath}`;

/**
 * As root, a system unit that runs as `runAs` from boot; otherwise a unit of the user's own systemd
 * instance, which runs while they are logged in (or always, once lingering is enabled for them).
 */
export async function planSystemdInstall(system: HostSystem, spec: TunnelSpec, runAs: string, home: string): Promise<Installation> {
  if (system.platform !== 'linux') throw new TunnelError('usage', `--install writes a systemd unit on Linux only; on ${system.platform} print it without --install`);
  if (!(await system.exists(SYSTEMD_RUNNING))) {
    throw new TunnelError(
      'usage',
      `systemd is not running on this machine (${SYSTEMD_RUNNING} does not exist), so nothing was written: run the tunnel under your own supervisor (--format autossh or --format command)`,
    );
  }
  const scope = system.uid === 0 ? 'system' : 'user';
  if (scope === 'user' && runAs !== system.userName) {
    throw new TunnelError('usage', `a unit that runs as ${runAs} needs root: run host-setup --install with sudo, or as ${runAs}`);
  }
  const unit = systemdUnitName(spec.name);
  const path = scope === 'system' ? join(SYSTEM_UNIT_DIR, unit) : join(home, '.config', 'systemd', 'user', unit);
  const text = renderSystemdUnit(spec, { scope, user: runAs });
  const before = await system.readText(path);
  const systemctl = scope === 'system' ? ['systemctl'] : ['systemctl', '--user'];
  const journalctl = scope === 'system' ? 'journalctl' : 'journalctl --user';
  return {
    path,
    text,
    actions: [
      ...(before === text ? [] : [{ kind: 'write' as const, path, text }]),
      { kind: 'run', argv: [...systemctl, 'daemon-reload'] },
      { kind: 'run', argv: [...systemctl, 'enable', '--now', unit] },
      // enable --now leaves a running tunnel on its old command line
      ...(before !== undefined && before !== text ? [{ kind: 'run' as const, argv: [...systemctl, 'restart', unit] }] : []),
    ],
    hints: [
      `status: ${systemctl.join(' ')} status ${unit}`,
      `logs: ${journalctl} -u ${unit} -f`,
      ...(scope === 'user' ? [`it runs while ${runAs} is logged in; to run it from boot: loginctl enable-linger ${runAs} (or install as root)`] : []),
      REMINDER(spec),
    ],
  };
}

/** A LaunchAgent of the logged-in user: bootout of an older copy (if loaded), enable, bootstrap. */
export function planLaunchdInstall(system: HostSystem, spec: TunnelSpec, runAs: string, home: string): Installation {
  if (system.platform !== 'darwin') throw new TunnelError('usage', `--install writes a launchd agent on macOS only; on ${system.platform} print it without --install`);
  if (system.uid === 0 || runAs !== system.userName) {
    throw new TunnelError('usage', `a LaunchAgent runs as the logged-in user: run host-setup --install as ${runAs === 'root' ? 'the user whose key the jump authorised' : runAs}, not as ${system.userName}`);
  }
  const label = launchdLabel(spec.name);
  const path = join(home, 'Library', 'LaunchAgents', `${label}.plist`);
  const logPath = join(home, 'Library', 'Logs', `${serviceName(spec.name)}.log`);
  const domain = `gui/${system.uid}`;
  const text = renderLaunchdPlist(spec, { logPath });
  return {
    path,
    text,
    actions: [
      { kind: 'write', path, text },
      { kind: 'run', argv: ['launchctl', 'bootout', `${domain}/${label}`], mayFail: true },
      { kind: 'run', argv: ['launchctl', 'enable', `${domain}/${label}`] },
      { kind: 'run', argv: ['launchctl', 'bootstrap', domain, path] },
    ],
    hints: [`status: launchctl print ${domain}/${label}`, `logs: tail -f ${logPath}`, REMINDER(spec)],
  };
}

export interface InstallIo {
  stdout: (text: string) => void;
  stderr: (line: string) => void;
}

/** Performs the actions in order, stopping at the first failure; with dryRun only says what it would do. */
export async function performInstall(system: HostSystem, installation: Installation, io: InstallIo, dryRun: boolean): Promise<void> {
  if (dryRun) io.stdout(installation.text);
  if (!installation.actions.some((action) => action.kind === 'write')) io.stderr(`${installation.path} is up to date`);
  for (const action of installation.actions) {
    if (action.kind === 'write') {
      if (dryRun) io.stderr(`would write ${action.path} (shown above)`);
      else {
        await system.writeText(action.path, action.text);
        io.stderr(`wrote ${action.path}`);
      }
      continue;
    }
    const line = action.argv.join(' ');
    if (dryRun) {
      io.stderr(`would run: ${line}`);
      continue;
    }
    const [command = '', ...args] = action.argv;
    const result = await system.run(command, args);
    if (result.code !== 0 && !action.mayFail) {
      const said = result.stderr.trim().split('\n').filter((l) => l.trim() !== '').join('; ');
      throw new TunnelError('usage', `${line} failed (${result.code === null ? 'could not run' : `exit ${result.code}`}): ${said || 'no message'}; ${installation.path} is written, fix the cause and run host-setup --install again`);
    }
    io.stderr(`ran: ${line}`);
  }
  if (dryRun) io.stderr('dry run: nothing was written or run');
  for (const hint of installation.hints) io.stderr(hint);
}
