import { TunnelError } from '../errors.js';
import type { CommandIo } from './apply-change.js';
import { parseCommandArgs } from './args.js';

export const completionUsage = `Usage: tunnel-config completion bash|zsh|fish

Prints a completion script for the shell on stdout: the commands, their flags, set names for edit, remove
and hosts, and the managed host names (and the last \`hosts\` listing's) for ssh, scp, sftp and rsync,
added to the completion those already have. While completing, the script runs
\`tunnel-config completion --names sets|hosts [--config FILE]\`, which reads only local files.
The README's "Shell completion" says where each shell wants the script.
`;

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** `commands` is the CLI's command table, so the script offers what the CLI runs. */
export async function completionCommand(argv: string[], io: CommandIo, commands: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { names: { type: 'string' }, config: { type: 'string', short: 'F' }, help: { type: 'boolean', short: 'h', default: false } },
    },
    'completion',
  );
  if (values.help) return io.stdout(completionUsage), 0;
  if (values.names !== undefined) {
    if (values.names !== 'sets' && values.names !== 'hosts') throw new TunnelError('usage', `--names takes sets or hosts (see tunnel-config completion --help)`);
    const { completionNames } = await import('../completion/names.js');
    const names = await completionNames(values.names, values.config, io.env);
    io.stdout(names.map((name) => `${name}\n`).join(''));
    return 0;
  }
  const [shell, extra] = positionals;
  if (shell === undefined || extra !== undefined || !SHELLS.includes(shell as Shell)) {
    throw new TunnelError('usage', `completion takes one shell: bash, zsh or fish (see tunnel-config completion --help)`);
  }
  io.stdout(await renderCompletion(shell as Shell, commands));
  return 0;
}

async function renderCompletion(shell: Shell, commands: readonly string[]): Promise<string> {
  const { commandFlags } = await import('../completion/flags.js');
  const flags = commandFlags();
  if (shell === 'bash') return (await import('../completion/bash.js')).renderBashCompletion(commands, flags);
  if (shell === 'zsh') return (await import('../completion/zsh.js')).renderZshCompletion(commands, flags);
  return (await import('../completion/fish.js')).renderFishCompletion(commands, flags);
}
