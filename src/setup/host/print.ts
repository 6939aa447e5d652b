import { listWords, showFiles } from './files.js';
import type { HostSetupPlan } from './plan.js';
import { renderAutossh } from './render-autossh.js';
import { renderCommandText } from './render-command.js';
import { renderLaunchdPlist } from './render-launchd.js';
import { renderSystemdUnit, systemdUnitName } from './render-systemd.js';
import { launchdLabel, serviceKey } from './spec.js';

/** What host-setup prints without --install: the service files or command lines (stdout) and how to use them (stderr). */
export interface PrintedService {
  stdout: string;
  stderr: string[];
}

const INSTALL_INSTEAD = '(or run host-setup again with --install)';

/** One file per jump, each under its path when there are several; one command line per jump, in --jump-host order. */
export function printedService(plan: HostSetupPlan): PrintedService {
  const { specs, format } = plan;
  const several = specs.length > 1;
  if (format === 'systemd') {
    const units = specs.map((spec) => systemdUnitName(serviceKey(spec)));
    const files = specs.map((spec, i) => ({ path: `/etc/systemd/system/${units[i] ?? ''}`, text: renderSystemdUnit(spec, { scope: 'system', user: plan.runAs }) }));
    const saveAs = several ? `save each as the file named above it (${listWords(files.map(({ path }) => path))})` : `save it as ${files[0]?.path ?? ''}`;
    return { stdout: showFiles(files), stderr: [`${saveAs}, then: systemctl daemon-reload && systemctl enable --now ${units.join(' ')} ${INSTALL_INSTEAD}`] };
  }
  if (format === 'launchd') {
    const files = specs.map((spec) => ({ path: `~/Library/LaunchAgents/${launchdLabel(serviceKey(spec))}.plist`, text: renderLaunchdPlist(spec) }));
    const saveAs = several ? `save each as the file named above it (${listWords(files.map(({ path }) => path))})` : `save it as ${files[0]?.path ?? ''}`;
    return { stdout: showFiles(files), stderr: [`${saveAs}, then: launchctl bootstrap gui/$(id -u) ${files.map(({ path }) => path).join(' ')} ${INSTALL_INSTEAD}`] };
  }
  const lines = specs.map((spec) => (format === 'autossh' ? renderAutossh(spec) : renderCommandText(spec))).join('');
  const perJump = several ? [`one line per jump: ${specs.map((spec, i) => `line ${i + 1} keeps the tunnel to ${spec.jumpHost}`).join(', ')}`] : [];
  if (format === 'autossh') {
    return { stdout: lines, stderr: several ? [...perJump, 'start each line on its own (one autossh per jump), so that a jump that is down does not hold up the tunnels to the others'] : [] };
  }
  const supervisor = 'under a supervisor that restarts it when it exits (it exits when the link to the jump is lost)';
  return { stdout: lines, stderr: several ? [...perJump, `run each ${supervisor}, each on its own, so that a jump that is down does not hold up the tunnels to the others`] : [`run it ${supervisor}`] };
}
