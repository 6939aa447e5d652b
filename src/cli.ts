import { isatty } from 'node:tty';
import { ExitCode, TunnelError } from './errors.js';
import { nearestCommand } from './ui/suggest.js';

const usage = `Usage: tunnel-config <command> [options]

Commands:
  add           add a tunnel set to your ssh_config (a wizard, or flags), so \`ssh HOST\` just works
  list          list the tunnel sets in your ssh_config
  hosts         list the hidden hosts connected to a jumphost; --probe asks each who answers
  doctor        walk the way to a hidden host step by step (✔/✖) and say how to fix the first failure
  edit          change a tunnel set
  remove        remove a tunnel set; the rest of the file stays as it was
  proxy         the ProxyCommand: relay stdio to a hidden host's socket on the jumphost
  host-setup    on a hidden host: a service (systemd, launchd, autossh) that keeps its tunnel up
  server-setup  on the jumphost: accounts, socket directories and a hardened sshd drop-in
  shared        the shared jump connections the proxy keeps open: status, stop
  completion    print a completion script for bash, zsh or fish

Run tunnel-config help <command> (or tunnel-config <command> --help) for a command's options.
`;

interface Io {
  env: NodeJS.ProcessEnv;
  stderr: (line: string) => void;
  stdout: (text: string) => void;
  interactive: boolean;
}

type Command = (argv: string[], io: Io) => Promise<number>;

// Each command is loaded only when run, so the ProxyCommand's start-up imports no other command's code.
const commands: Record<string, () => Promise<Command>> = {
  proxy: async () => (await import('./commands/proxy.js')).proxyCommand,
  add: async () => (await import('./commands/add.js')).addCommand,
  list: async () => (await import('./commands/list.js')).listCommand,
  hosts: async () => (await import('./commands/hosts.js')).hostsCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  edit: async () => (await import('./commands/edit.js')).editCommand,
  remove: async () => (await import('./commands/remove.js')).removeCommand,
  'host-setup': async () => (await import('./commands/host-setup.js')).hostSetupCommand,
  'server-setup': async () => (await import('./commands/server-setup.js')).serverSetupCommand,
  shared: async () => (await import('./commands/shared.js')).sharedCommand,
  completion: async () => {
    const { completionCommand } = await import('./commands/completion.js');
    return (argv, io) => completionCommand(argv, io, Object.keys(commands));
  },
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // A usage error: the usage goes with the other errors, to stderr.
    io.stderr(usage.trimEnd());
    return ExitCode.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const [topic] = rest;
    if (topic !== undefined && topic !== 'help') return run(topic, ['--help'], io);
    io.stdout(usage);
    return ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout(`${pkg.version}\n`);
    return ExitCode.ok;
  }
  return run(name, rest, io);
}

async function run(name: string, argv: string[], io: Io): Promise<number> {
  const load = commands[name];
  if (!load) {
    const near = nearestCommand(name, [...Object.keys(commands), 'help']);
    throw new TunnelError('usage', `unknown command "${name}"${near === undefined ? '' : `; did you mean "${near}"?`} (see tunnel-config --help)`);
  }
  return (await load())(argv, io);
}

function report(error: unknown): number {
  if (error instanceof TunnelError) {
    process.stderr.write(`tunnel-config: ${error.message}\n`);
    for (const line of error.lines ?? []) process.stderr.write(`tunnel-config: ${line}\n`);
    return error.exitCode;
  }
  process.stderr.write(`tunnel-config: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.internal;
}

const io: Io = {
  env: process.env,
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdout: (text) => process.stdout.write(text),
  // isatty, not process.stdout: the proxy owns fd 1 and must be the only one to open it.
  interactive: isatty(0) && isatty(1),
};

// The one place that ends the process.
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // Everything we wrote is flushed by now; do not wait on a handle someone left open.
    setTimeout(() => process.exit(), 1000).unref();
  },
  (error: unknown) => {
    process.exitCode = report(error);
    setTimeout(() => process.exit(), 1000).unref();
  },
);
