import { SERVER_ALIVE_COUNT_MAX, SERVER_ALIVE_INTERVAL, silentJumpSeconds, type TunnelSpec } from './spec.js';

export interface RenderedCommand {
  /** argv[0] is the absolute ssh path. */
  argv: string[];
  /** The same argv as one /bin/sh command line. */
  line: string;
}

/** The ssh options after the program name, identical in every format. */
export function sshOptions(spec: TunnelSpec): string[] {
  return [
    '-N',
    '-T',
    '-o', 'ExitOnForwardFailure=yes',
    '-o', `ServerAliveInterval=${spec.aliveInterval ?? SERVER_ALIVE_INTERVAL}`,
    '-o', `ServerAliveCountMax=${SERVER_ALIVE_COUNT_MAX}`,
    // Without it a connect made while the link is dead waits on TCP's retries or a banner that never comes,
    // long after the link is back; with it the service gives up as soon as it would on a silent session.
    '-o', `ConnectTimeout=${silentJumpSeconds(spec)}`,
    '-o', 'BatchMode=yes',
    // A service has nobody to ask; an unknown or changed jump key must stop it, never be accepted.
    '-o', 'StrictHostKeyChecking=yes',
    ...(spec.knownHostsFile !== undefined ? ['-o', `UserKnownHostsFile=${spec.knownHostsFile}`] : []),
    ...(spec.identityFile !== undefined ? ['-o', 'IdentitiesOnly=yes', '-i', spec.identityFile] : []),
    ...(spec.jumpPort !== 22 ? ['-p', String(spec.jumpPort)] : []),
    '-R', `${spec.socketPath}:localhost:${spec.localPort}`,
    `${spec.jumpUser}@${spec.jumpHost}`,
  ];
}

const SHELL_PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for /bin/sh. */
export function shellQuote(word: string): string {
  return SHELL_PLAIN.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export const shellLine = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');

export function renderCommand(spec: TunnelSpec): RenderedCommand {
  const argv = [spec.sshPath, ...sshOptions(spec)];
  return { argv, line: shellLine(argv) };
}

/** The `command` format: the bare ssh command line, for a supervisor of your own. */
export const renderCommandText = (spec: TunnelSpec): string => `${renderCommand(spec).line}\n`;
