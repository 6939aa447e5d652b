import { TunnelError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import { quoteForMessage } from '../ssh/hostname.js';
import { checkIdentity, checkJumpKnown } from '../setup/host/checks.js';
import { planLaunchdInstall, planSystemdInstall, performInstall } from '../setup/host/install.js';
import { JUMP_FLAGS } from '../setup/host/jumps.js';
import { DEFAULTS, type HostSetupFlags, planHostSetup } from '../setup/host/plan.js';
import { printedService } from '../setup/host/print.js';
import { MAX_ALIVE_INTERVAL, SERVER_ALIVE_COUNT_MAX, SERVER_ALIVE_INTERVAL } from '../setup/host/spec.js';
import { type HostSystem, nodeHostSystem } from '../setup/host/system.js';
import type { CommandIo } from './apply-change.js';

export const hostSetupUsage = `Usage: tunnel-config host-setup --jump-host HOST [--jump-host HOST2]... [options]

Run on a hidden host. Prints (or with --install writes and starts) a service that keeps
  ssh -N -R SOCKET_DIR/NAME.sock:localhost:LOCAL_PORT JUMP_USER@HOST
up, restarting it whenever it ends, so that clients reach this machine as NAME through
tunnel-config proxy. The jump's host key is always checked (StrictHostKeyChecking yes).

  --jump-host HOST     the jumphost: a DNS name or an IP address; give it again for another jump
  --jump-port PORT     its SSH port (default ${DEFAULTS.jumpPort})
  --jump-user USER     the account on the jumphost that authorised this host's key (default ${DEFAULTS.jumpUser})
  --identity KEY       the private key to log in with; it must have no passphrase (default: ssh's own keys)
  --known-hosts FILE   the known_hosts file with the jump's host key (default: ~/.ssh/known_hosts)
  --socket-dir DIR     the hosts' socket directory on the jumphost (default ${DEFAULTS.socketDir})
  --name NAME          this host's name, the socket's name (default: this machine's host name)
  --local-port PORT    the port of this host's sshd (default ${DEFAULTS.localPort})
  --run-as USER        the local account the service runs as, whose key the jump authorised (default: you)
  --alive-interval S   seconds between ssh's checks that the jump still answers (default ${SERVER_ALIVE_INTERVAL},
                       1 to ${MAX_ALIVE_INTERVAL}); after ${SERVER_ALIVE_COUNT_MAX} unanswered ones ssh exits and the service
                       restarts it; a connect gives up after as long (ConnectTimeout). Shorter notices a
                       dead link sooner, at the cost of a little traffic
  --format FORMAT      systemd (default on Linux), launchd (default on macOS), autossh or command
  --install            write the service and start it now and at every boot (systemd or launchd)
  --dry-run            show what --install would write and run; change nothing

Several jumps: --jump-host given N times makes N tunnels, one service each, so a jump that is
down does not take the others' tunnels with it (clients list the same jumps with proxy --jump).
--jump-port, --jump-user, --identity, --known-hosts and --socket-dir given once are every jump's;
given N times the Nth is the Nth jump's; any other count is refused, and so is a jump (host and
port) given twice. The first jump's service is named as with one jump (tunnel-config-NAME), the
Nth's from the second on gets -jumpN (tunnel-config-NAME-jump2), so adding a jump later leaves the
running service alone. Without --install, each file is printed under a "==> PATH <==" line, and
--format command or autossh prints one line per jump, each to run on its own.

Before anything is printed or written, for every jump: the key must load without a passphrase, NAME
must be a valid host name whose socket path fits the UNIX limit, and the jump's host key must be in
known_hosts.

--install as root writes /etc/systemd/system/tunnel-config-NAME.service (User=USER), runs
systemctl daemon-reload and systemctl enable --now; as another user it installs a user unit in
~/.config/systemd/user (systemctl --user). On macOS it writes ~/Library/LaunchAgents/tunnel-config.NAME.plist
and loads it with launchctl bootstrap. With several jumps it does so for every jump's service.

On the jumphost, sshd needs StreamLocalBindUnlink yes for JUMP_USER, so that a restarted tunnel
replaces the stale socket its predecessor left.
`;

interface ParsedArgs {
  flags: HostSetupFlags;
  install: boolean;
  dryRun: boolean;
  help: boolean;
}

/** The flags said once, for the host and all its tunnels. */
const HOST_FLAGS = {
  name: 'name',
  'local-port': 'localPort',
  'run-as': 'runAs',
  format: 'format',
  'alive-interval': 'aliveInterval',
} as const satisfies Record<string, keyof HostSetupFlags>;

/** Every flag that takes a value: the per-jump ones (repeatable) and the host's. */
export const STRING_FLAGS = { ...JUMP_FLAGS, ...HOST_FLAGS } as const satisfies Record<string, keyof HostSetupFlags>;

function parseHostSetupArgs(argv: string[]): ParsedArgs {
  const parsed = parseCommandArgs(
    {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...Object.fromEntries(Object.keys(JUMP_FLAGS).map((flag) => [flag, { type: 'string' as const, multiple: true as const }])),
      ...Object.fromEntries(Object.keys(HOST_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      install: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    },
    'host-setup',
  );
  const extra = parsed.positionals[0];
  if (extra !== undefined) throw new TunnelError('usage', `host-setup takes no arguments, got ${quoteForMessage(extra)} (see tunnel-config host-setup --help)`);
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const flags: HostSetupFlags = {};
  for (const [flag, key] of Object.entries(JUMP_FLAGS)) {
    const value = values[flag];
    if (Array.isArray(value)) flags[key] = value;
  }
  for (const [flag, key] of Object.entries(HOST_FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') flags[key] = value;
  }
  return { flags, install: values['install'] === true, dryRun: values['dry-run'] === true, help: values['help'] === true };
}

/** host-setup against any machine: `system` is the real one in production and a fake in tests. */
export async function runHostSetup(argv: string[], io: CommandIo, system: HostSystem): Promise<number> {
  const args = parseHostSetupArgs(argv);
  if (args.help) return io.stdout(hostSetupUsage), 0;
  const plan = await planHostSetup(args.flags, system);
  const installing = args.install || args.dryRun;
  if (installing && (plan.format === 'autossh' || plan.format === 'command')) {
    throw new TunnelError('usage', `--install writes a systemd unit or a launchd agent; --format ${plan.format} is only printed`);
  }
  for (const spec of plan.specs) {
    await checkIdentity(system, spec, plan.home);
    await checkJumpKnown(system, spec, plan.runAs, plan.home);
  }
  if (!installing) {
    if (plan.format === 'autossh' && (await system.findExecutable('autossh')) === undefined) io.stderr('autossh is not installed here (apt-get install autossh, brew install autossh)');
    const printed = printedService(plan);
    io.stdout(printed.stdout);
    for (const line of printed.stderr) io.stderr(line);
    return 0;
  }
  const installation =
    plan.format === 'systemd'
      ? await planSystemdInstall(system, plan.specs, plan.runAs, plan.home)
      : planLaunchdInstall(system, plan.specs, plan.runAs, plan.home);
  await performInstall(system, installation, io, args.dryRun);
  return 0;
}

export function hostSetupCommand(argv: string[], io: CommandIo): Promise<number> {
  return runHostSetup(argv, io, nodeHostSystem(io.env));
}
