import { chrootSocketDir } from './layout.js';
import type { ServerPlan } from './plan.js';

export type Directive = readonly [keyword: string, value: string];

interface Section {
  /** One-line reasons, rendered as comments above the directives. */
  why: string[];
  directives: Directive[];
}

/** The Match line that selects the tunnel accounts. */
export const matchLine = (plan: ServerPlan): string =>
  plan.mode === 'per-host' ? `Match Group ${plan.layout.hostsGroup}` : `Match User ${plan.layout.sharedAccount}`;

function sections(plan: ServerPlan): Section[] {
  const { layout } = plan;
  const perHost = plan.mode === 'per-host';
  return [
    {
      why: ['Keys only, from a root-owned file: a tunnel key can neither add keys nor unlink the file with -R.'],
      directives: [
        ['AuthorizedKeysFile', `${layout.authorizedKeysDir}/%u`],
        ['AuthenticationMethods', 'publickey'],
        ['PasswordAuthentication', 'no'],
        ['KbdInteractiveAuthentication', 'no'],
      ],
    },
    ...(perHost
      ? [
          {
            why: [`Each account sees only its chroot, where it can write nothing but ${chrootSocketDir}: its own socket.`],
            directives: [['ChrootDirectory', `${layout.hostsDir}/%u`] as const],
          },
        ]
      : []),
    {
      why: [
        'Only `ssh -R PATH:...`. OpenSSH allows a stream-local listener only when TCP remote forwarding is',
        'allowed too (AllowTcpForwarding no refuses it, tested with OpenSSH 9.2), so TCP forwarding is cut',
        'to "remote" and PermitListen none refuses every TCP listener; PermitListen does not apply to paths.',
      ],
      directives: [
        ['AllowStreamLocalForwarding', 'remote'],
        ['AllowTcpForwarding', 'remote'],
        ['PermitListen', 'none'],
        ['PermitOpen', 'none'],
        ['GatewayPorts', 'no'],
      ],
    },
    {
      why: perHost
        ? ['A reconnecting host replaces its own stale socket; 0660 and the setgid socket directory: clients only.']
        : ['The seed recipe: a reconnecting host replaces a stale socket, and anyone who can enter the directory may connect.'],
      directives: [
        ['StreamLocalBindUnlink', 'yes'],
        ['StreamLocalBindMask', perHost ? '0117' : '0111'],
      ],
    },
    {
      why: [
        'No sessions at all (MaxSessions 0: no shell, command, sftp, pty or agent); should one get through,',
        `nothing to run: ${perHost ? 'ForceCommand names a program that does not exist inside the chroot.' : 'ForceCommand only says the account is not available.'}`,
      ],
      directives: [
        ['PermitTTY', 'no'],
        ['X11Forwarding', 'no'],
        ['AllowAgentForwarding', 'no'],
        ['PermitTunnel', 'no'],
        ['PermitUserRC', 'no'],
        ['MaxSessions', '0'],
        ['ForceCommand', layout.nologin],
      ],
    },
  ];
}

/** The Match block's settings, in order. */
export const policyDirectives = (plan: ServerPlan): Directive[] => sections(plan).flatMap((section) => section.directives);

/**
 * What `sshd -T -C user=ACCOUNT` prints for a tunnel account once the drop-in is in effect, one line each:
 * a line missing means an earlier Match block or Include wins over ours.
 */
export function expectedSettings(plan: ServerPlan): string[] {
  return [...policyDirectives(plan).map(([keyword, value]) => `${keyword.toLowerCase()} ${value}`), 'disableforwarding no'];
}

const header = (plan: ServerPlan): string[] => {
  const { layout } = plan;
  const common = [
    `${layout.dropIn}`,
    `Written by tunnel-config server-setup (${plan.mode} mode), and rewritten when that runs again.`,
    '',
    "Debian's sshd_config includes sshd_config.d/*.conf on its first line, and sshd keeps the first value it",
    'reads for each keyword, so these settings win over the rest of sshd_config for the accounts they match.',
    'That is why this file holds nothing but one Match block: other accounts keep their settings. A Match',
    'block in an included file ends with that file. An earlier *.conf with a Match block for the same',
    'accounts would win over this one: tunnel-config server-setup --check finds that.',
    '',
  ];
  const mode =
    plan.mode === 'per-host'
      ? [
          `One account per hidden host (${layout.hostAccountPrefix}NAME, group ${layout.hostsGroup}), chrooted to ${layout.hostsDir}/ACCOUNT:`,
          `it binds ${chrootSocketDir}/NAME.sock there; ${plan.socketDir}/NAME.sock links to it for the clients (group ${layout.clientsGroup}).`,
          "No host's key can reach, let alone replace, another host's socket.",
        ]
      : [
          `One account, ${layout.sharedAccount}, for every hidden host (the seed recipe), without shell or TCP forwarding.`,
          "Every host's key can still replace every other host's socket: per-host mode closes that.",
        ];
  return [...common, ...mode].map((line) => (line === '' ? '#' : `# ${line}`));
};

/** The drop-in file: comments, then the one Match block. */
export function renderSshdDropIn(plan: ServerPlan): string {
  const body = sections(plan).flatMap((section) => [
    ...section.why.map((line) => `  # ${line}`),
    ...section.directives.map(([keyword, value]) => `  ${keyword} ${value}`),
  ]);
  return `${[...header(plan), matchLine(plan), ...body].join('\n')}\n`;
}
