import { TunnelError } from '../../errors.js';
import { renderCommand } from './render-command.js';
import { describeTunnel, RESTART_DELAY_SECONDS, serviceName, type TunnelSpec } from './spec.js';

export interface SystemdUnitOptions {
  /** 'system': /etc/systemd/system, runs as `user`; 'user': a user's own systemd instance, runs as that user. */
  scope: 'system' | 'user';
  /** The local account whose key the jump authorised; `User=` of a system unit. */
  user: string;
}

export const systemdUnitName = (name: string): string => `${serviceName(name)}.service`;

/** Characters that mean nothing to systemd's ExecStart parser (no quotes, `%` specifiers, `$` variables, `\`, `;`). */
const SYSTEMD_PLAIN = /^[A-Za-z0-9_@+=:,./[\]-]+$/;

function execWord(word: string): string {
  // Renderers take validated input only; anything else is a bug upstream, not something to escape here.
  if (!SYSTEMD_PLAIN.test(word)) throw new TunnelError('internal', `unvalidated value in ExecStart: ${JSON.stringify(word)}`);
  return word;
}

export function renderSystemdUnit(spec: TunnelSpec, options: SystemdUnitOptions): string {
  const { argv } = renderCommand(spec);
  const system = options.scope === 'system';
  return [
    `# Written by tunnel-config host-setup: ${describeTunnel(spec)}.`,
    '[Unit]',
    `Description=tunnel-config reverse tunnel: ${spec.name} on ${spec.jumpHost}`,
    'Wants=network-online.target',
    'After=network-online.target',
    // The network comes and goes; never stop retrying.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    ...(system ? [`User=${execWord(options.user)}`] : []),
    `ExecStart=${argv.map(execWord).join(' ')}`,
    'Restart=always',
    `RestartSec=${RESTART_DELAY_SECONDS}`,
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

