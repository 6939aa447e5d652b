import { readFile } from 'node:fs/promises';
import { ExitCode, TunnelError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import { quoteForMessage } from '../ssh/hostname.js';
import { checkServer } from '../setup/server/check.js';
import { claimProblem } from '../setup/server/claim.js';
import { renderInstructions } from '../setup/server/instructions.js';
import { opensshKeyProblem, parsePublicKey } from '../setup/server/keys.js';
import { defaultLayout, serverModes, type ServerLayout, type ServerMode } from '../setup/server/layout.js';
import { buildServerPlan, type ServerPlan } from '../setup/server/plan.js';
import { renderSetupScript } from '../setup/server/render-script.js';
import { renderSshdDropIn } from '../setup/server/render-sshd.js';
import { systemRunner, type SetupRunner } from '../setup/server/runner.js';
import type { CommandIo } from './apply-change.js';
import { DEFAULT_SOCKET_DIR } from './proxy.js';

export const serverSetupUsage = `Usage: tunnel-config server-setup [--mode per-host|shared] [--socket-dir DIR] [--hosts NAME,...]
         [--client-user USER,...] [--key NAME=PUBKEYFILE ...] [--print | --apply] [--check]

Sets up the jumphost: an account for the hidden hosts to log in as, their directories and keys, and the
sshd settings (a drop-in, ${defaultLayout.dropIn}), all as one bash script to review.

  --mode per-host     one account per hidden host, chrooted: its key can bind its own socket only (default)
  --mode shared       the seed recipe's one account "${defaultLayout.sharedAccount}", hardened; every host can still
                      replace every other host's socket
  --socket-dir DIR    where clients open DIR/NAME.sock: tunnel-config proxy --socket-dir (default ${DEFAULT_SOCKET_DIR});
                      a new directory, an empty one or one it set up before: never a system directory or a home
  --hosts NAME,...    the hidden hosts (needed in per-host mode); repeat it or separate names with commas
  --client-user USER  an account clients log in to the jumphost as; it joins ${defaultLayout.clientsGroup} (repeatable)
  --key NAME=FILE     host NAME's public key file (.pub): one key line, which ssh-keygen -l must read; a host
                      without one gets a file to fill in by hand
  --print             print the script on stdout (the default)
  --apply             run the script (as root)
  --check             check the jumphost against these options (sshd -t, sshd -T, accounts, modes);
                      one line per problem on stderr; alone, it prints no script

Exit status: 0 done and no problems; 2 bad options, or --apply without root; 9 the script failed or --check
found problems.
`;

/** The exit status when the script fails or --check finds problems. */
export const setupFailedExit = ExitCode.setupFailed;

export interface ServerSetupArgs {
  mode: ServerMode;
  socketDir: string;
  hosts: string[];
  clientUsers: string[];
  /** NAME → public key file, as given. */
  keyFiles: Record<string, string>;
  print: boolean;
  apply: boolean;
  check: boolean;
  help: boolean;
}

export interface ServerSetupDeps {
  runner: SetupRunner;
  layout: ServerLayout;
  readKeyFile: (path: string) => Promise<string>;
}

const usage = (message: string): TunnelError => new TunnelError('usage', `${message} (see tunnel-config server-setup --help)`);

const list = (values: string[] | undefined): string[] => (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim());

export function parseServerSetupArgs(argv: string[]): ServerSetupArgs {
  const parsed = parseCommandArgs(
    {
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      mode: { type: 'string', default: 'per-host' },
      'socket-dir': { type: 'string', default: DEFAULT_SOCKET_DIR },
      hosts: { type: 'string', multiple: true },
      'client-user': { type: 'string', multiple: true },
      key: { type: 'string', multiple: true },
      print: { type: 'boolean', default: false },
      apply: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    },
    'server-setup',
  );
  const { values } = parsed;
  const mode = values.mode as ServerMode;
  if (!serverModes.includes(mode)) throw usage(`--mode ${quoteForMessage(values.mode)}: use per-host or shared`);
  if (values.print && values.apply) throw usage('--print and --apply exclude each other: print the script, or run it');
  const keyFiles: Record<string, string> = {};
  for (const flag of values.key ?? []) {
    const at = flag.indexOf('=');
    if (at <= 0 || at === flag.length - 1) throw usage(`--key ${quoteForMessage(flag)}: give NAME=PUBKEYFILE`);
    const name = flag.slice(0, at);
    if (name in keyFiles) throw usage(`--key ${quoteForMessage(name)} is given twice`);
    keyFiles[name] = flag.slice(at + 1);
  }
  return {
    mode,
    socketDir: values['socket-dir'],
    hosts: list(values.hosts),
    clientUsers: list(values['client-user']),
    keyFiles,
    print: values.print || (!values.apply && !values.check),
    apply: values.apply,
    check: values.check,
    help: values.help,
  };
}

/** Each --key file: one public key line of ours (keys.ts), and a key OpenSSH reads (ssh-keygen -l). */
async function readKeys(args: ServerSetupArgs, deps: ServerSetupDeps): Promise<Record<string, string[]>> {
  const keys: Record<string, string[]> = {};
  for (const [host, file] of Object.entries(args.keyFiles)) {
    let text: string;
    try {
      text = await deps.readKeyFile(file);
    } catch (error) {
      throw usage(`--key ${host}=${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const key = parsePublicKey(text, host, file);
    const problem = await opensshKeyProblem(text, deps.runner);
    if (problem) throw new TunnelError('usage', `--key ${host}=${file}: ${problem}`);
    keys[host] = [key];
  }
  return keys;
}

/** One message per directory named on the command line that is not ours to take; the script checks again when it runs. */
async function claimProblems(plan: ServerPlan, runner: SetupRunner): Promise<string[]> {
  const problems: string[] = [];
  for (const dir of plan.dirs) {
    const problem = dir.flag === undefined ? undefined : await claimProblem(dir, plan, runner);
    if (problem) problems.push(`${dir.flag} ${dir.path}: it ${problem}; choose a directory of its own: a new one (server-setup creates it), an empty one, or one it set up before`);
  }
  return problems;
}

/** Runs the script from a file (not stdin, which a command in it could read), passing its output on line by line. */
async function applyScript(script: string, plan: ServerPlan, io: CommandIo, runner: SetupRunner): Promise<void> {
  if (!runner.isRoot()) {
    throw new TunnelError('usage', 'server-setup --apply must run as root: it adds accounts and writes under /etc/ssh; use sudo, or --print the script to review and run it yourself');
  }
  let pending = '';
  const onOutput = (text: string): void => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach((line) => io.stderr(line));
  };
  const result = await runner.withTempDir(async (_dir, write) => runner.run('bash', [await write('server-setup.sh', script)], { timeoutMs: 300_000, onOutput }));
  if (pending !== '') io.stderr(pending);
  if (result.code !== 0) {
    const how = result.timedOut ? 'did not finish within 5 minutes' : result.signal ? `was killed by ${result.signal}` : `failed (exit ${String(result.code)})`;
    throw new TunnelError('setupFailed', `the setup script ${how}; the steps before the failing one are done, and running it again is harmless once the cause above is fixed`);
  }
  io.stderr(renderInstructions(plan).trimEnd());
}

/** server-setup with its environment passed in: tests give a scratch layout and their own runner. */
export async function runServerSetup(args: ServerSetupArgs, io: CommandIo, deps: ServerSetupDeps): Promise<number> {
  if (args.help) {
    io.stdout(serverSetupUsage);
    return 0;
  }
  const plan = buildServerPlan({
    mode: args.mode,
    socketDir: args.socketDir,
    hosts: args.hosts,
    clientUsers: args.clientUsers,
    keys: await readKeys(args, deps),
    layout: deps.layout,
  });
  const claims = await claimProblems(plan, deps.runner);
  // a script is neither printed nor run for a directory that is not ours; --check alone reports it
  if ((args.print || args.apply) && claims[0] !== undefined) throw new TunnelError('usage', claims[0]);
  const dropIn = renderSshdDropIn(plan);
  const script = renderSetupScript(plan, dropIn);
  if (args.print) io.stdout(script);
  if (args.apply) await applyScript(script, plan, io, deps.runner);
  if (!args.check) return 0;
  const problems = [...claims, ...(await checkServer(plan, dropIn, deps.runner))];
  for (const problem of problems) io.stderr(`tunnel-config: check: ${problem}`);
  if (problems.length > 0) return setupFailedExit;
  io.stderr(`tunnel-config: check: ok: ${plan.accounts.length} tunnel account(s), ${plan.hosts.length} host(s), sshd -t passes and applies the settings`);
  return 0;
}

export async function serverSetupCommand(argv: string[], io: CommandIo): Promise<number> {
  const deps: ServerSetupDeps = { runner: systemRunner, layout: defaultLayout, readKeyFile: (path) => readFile(path, 'utf8') };
  return runServerSetup(parseServerSetupArgs(argv), io, deps);
}
