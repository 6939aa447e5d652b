import { shellLine, sshOptions } from './render-command.js';
import type { TunnelSpec } from './spec.js';

/**
 * `autossh -M 0`: no monitor port, ssh's own ServerAlive checks detect a dead link and autossh restarts
 * ssh whenever it exits; AUTOSSH_GATETIME=0 keeps retrying even when the very first connection fails
 * (at boot, before the network is up).
 */
export function renderAutossh(spec: TunnelSpec, autosshPath = 'autossh'): string {
  return `AUTOSSH_GATETIME=0 ${shellLine([autosshPath, '-M', '0', ...sshOptions(spec)])}\n`;
}
