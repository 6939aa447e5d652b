import { ExitCode, TunnelError } from './errors.js';

const usage = `Usage: tunnel-config <command> [options]

Commands:
  proxy     the ProxyCommand: relay stdio to a hidden host's socket on the jumphost

Run tunnel-config <command> --help for a command's options.
`;

interface Io {
  env: NodeJS.ProcessEnv;
  stderr: (line: string) => void;
  stdout: (text: string) => void;
}

type Command = (argv: string[], io: Io) => Promise<number>;

// Each command is loaded only when run, so the ProxyCommand's start-up imports no other command's code.
const commands: Record<string, () => Promise<Command>> = {
  proxy: async () => (await import('./commands/proxy.js')).proxyCommand,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout(`${pkg.version}\n`);
    return ExitCode.ok;
  }
  const load = commands[name];
  if (!load) throw new TunnelError('usage', `unknown command "${name}" (see tunnel-config --help)`);
  return (await load())(rest, io);
}

function report(error: unknown): number {
  if (error instanceof TunnelError) {
    process.stderr.write(`tunnel-config: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`tunnel-config: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.internal;
}

const io: Io = {
  env: process.env,
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdout: (text) => process.stdout.write(text),
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
