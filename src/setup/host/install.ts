import { join } from 'node:path';
import { TunnelError } from '../../errors.js';
import { listWords, type ServiceFile, showFiles } from './files.js';
import { renderLaunchdPlist } from './render-launchd.js';
import { renderSystemdUnit, systemdUnitName } from './render-systemd.js';
import { launchdLabel, serviceKey, serviceName, type TunnelSpec } from './spec.js';
import type { HostSystem } from './system.js';

export type Action = { kind: 'write'; path: string; text: string } | { kind: 'run'; argv: string[]; mayFail?: boolean };

/** What --install does, as data: the dry run prints it, the install performs it. Every write comes before the first run. */
export interface Installation {
  /** One service file per jump, in --jump-host order. */
  files: ServiceFile[];
  actions: Action[];
  /** How to see the services afterwards. */
  hints: string[];
}

export const SYSTEMD_RUNNING = '/run/systemd/system';
export const SYSTEM_UNIT_DIR = '/etc/systemd/system';

function reminders(specs: readonly TunnelSpec[]): string[] {
  return specs.map(
    (spec) =>
      `${specs.length === 1 ? "the jump's sshd" : `the sshd of ${spec.jumpHost}`} needs StreamLocalBindUnlink yes for ${spec.jumpUser}, or a restarted tunnel cannot replace its old ${spec.socketPath}`,
  );
}

/**
 * As root, system units that run as `runAs` from boot; otherwise units of the user's own systemd instance,
 * which run while they are logged in (or always, once lingering is enabled for them). One unit per jump, so
 * each tunnel is restarted on its own and one jump being down leaves the others' tunnels up.
 */
export async function planSystemdInstall(system: HostSystem, specs: readonly TunnelSpec[], runAs: string, home: string): Promise<Installation> {
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
  const systemctl = scope === 'system' ? ['systemctl'] : ['systemctl', '--user'];
  const journalctl = scope === 'system' ? 'journalctl' : 'journalctl --user';
  const units = await Promise.all(
    specs.map(async (spec) => {
      const unit = systemdUnitName(serviceKey(spec));
      const path = scope === 'system' ? join(SYSTEM_UNIT_DIR, unit) : join(home, '.config', 'systemd', 'user', unit);
      const text = renderSystemdUnit(spec, { scope, user: runAs });
      return { unit, path, text, before: await system.readText(path) };
    }),
  );
  const names = units.map(({ unit }) => unit);
  return {
    files: units.map(({ path, text }) => ({ path, text })),
    actions: [
      ...units.flatMap(({ path, text, before }) => (before === text ? [] : [{ kind: 'write' as const, path, text }])),
      { kind: 'run', argv: [...systemctl, 'daemon-reload'] },
      ...units.flatMap(({ unit, text, before }): Action[] => [
        { kind: 'run', argv: [...systemctl, 'enable', '--now', unit] },
        // enable --now leaves a running tunnel on its old command line
        ...(before !== undefined && before !== text ? [{ kind: 'run' as const, argv: [...systemctl, 'restart', unit] }] : []),
      ]),
    ],
    hints: [
      `status: ${systemctl.join(' ')} status ${names.join(' ')}`,
      `logs: ${journalctl} ${names.map((unit) => `-u ${unit}`).join(' ')} -f`,
      ...(scope === 'user' ? [`${names.length === 1 ? 'it runs' : 'they run'} while ${runAs} is logged in; to run ${names.length === 1 ? 'it' : 'them'} from boot: loginctl enable-linger ${runAs} (or install as root)`] : []),
      ...reminders(specs),
    ],
  };
}

/** LaunchAgents of the logged-in user, one per jump: each written, then bootout of an older copy (if loaded), enable, bootstrap. */
export function planLaunchdInstall(system: HostSystem, specs: readonly TunnelSpec[], runAs: string, home: string): Installation {
  if (system.platform !== 'darwin') throw new TunnelError('usage', `--install writes a launchd agent on macOS only; on ${system.platform} print it without --install`);
  if (system.uid === 0 || runAs !== system.userName) {
    throw new TunnelError('usage', `a LaunchAgent runs as the logged-in user: run host-setup --install as ${runAs === 'root' ? 'the user whose key the jump authorised' : runAs}, not as ${system.userName}`);
  }
  const domain = `gui/${system.uid}`;
  const agents = specs.map((spec) => {
    const label = launchdLabel(serviceKey(spec));
    const logPath = join(home, 'Library', 'Logs', `${serviceName(serviceKey(spec))}.log`);
    return { label, logPath, path: join(home, 'Library', 'LaunchAgents', `${label}.plist`), text: renderLaunchdPlist(spec, { logPath }) };
  });
  return {
    files: agents.map(({ path, text }) => ({ path, text })),
    actions: [
      ...agents.map(({ path, text }): Action => ({ kind: 'write', path, text })),
      ...agents.flatMap(({ label, path }): Action[] => [
        { kind: 'run', argv: ['launchctl', 'bootout', `${domain}/${label}`], mayFail: true },
        { kind: 'run', argv: ['launchctl', 'enable', `${domain}/${label}`] },
        { kind: 'run', argv: ['launchctl', 'bootstrap', domain, path] },
      ]),
    ],
    hints: [...agents.map(({ label }) => `status: launchctl print ${domain}/${label}`), `logs: tail -f ${agents.map(({ logPath }) => logPath).join(' ')}`, ...reminders(specs)],
  };
}

export interface InstallIo {
  stdout: (text: string) => void;
  stderr: (line: string) => void;
}

/** Performs the actions in order, stopping at the first failure; with dryRun only says what it would do. */
export async function performInstall(system: HostSystem, installation: Installation, io: InstallIo, dryRun: boolean): Promise<void> {
  const { files } = installation;
  if (dryRun) io.stdout(showFiles(files));
  for (const { path } of files) if (!installation.actions.some((action) => action.kind === 'write' && action.path === path)) io.stderr(`${path} is up to date`);
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
      throw new TunnelError('usage', `${line} failed (${result.code === null ? 'could not run' : `exit ${result.code}`}): ${said || 'no message'}; ${listWords(files.map(({ path }) => path))} ${files.length === 1 ? 'is' : 'are'} written, fix the cause and run host-setup --install again`);
    }
    io.stderr(`ran: ${line}`);
  }
  if (dryRun) io.stderr('dry run: nothing was written or run');
  for (const hint of installation.hints) io.stderr(hint);
}
