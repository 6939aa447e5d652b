/**
 * Runs `hostSetupCommand` in a process of its own, reporting errors exactly as src/cli.ts does, so tests see
 * real exit codes and stderr lines without depending on the command table.
 */
import { hostSetupCommand } from '../../src/commands/host-setup.js';
import { TunnelError } from '../../src/errors.js';

const io = {
  env: process.env,
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (line: string) => void process.stderr.write(`${line}\n`),
  interactive: false,
};

hostSetupCommand(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof TunnelError) {
      process.stderr.write(`tunnel-config: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`tunnel-config: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
