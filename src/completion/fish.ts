import { COMMAND_WORDS, type CommandFlags, HOST_NAME_COMMANDS, SET_NAME_COMMANDS, SSH_PROGRAMS } from './flags.js';

/** One `complete` line for a flag: `-l name` or `-s F`, `-r` when it takes a value, `-F` when that is a file. */
function flagLine(command: string, flag: string, flags: CommandFlags): string {
  const spelled = flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
  const value = flags.fileFlags.includes(flag) ? ' -r -F' : flags.valueFlags.includes(flag) ? ' -r' : '';
  return `complete -c tunnel-config -n '__fish_seen_subcommand_from ${command}' ${spelled}${value}`;
}

/** The fish script; it also adds the managed host names to ssh, scp, sftp and rsync, next to their own completions. */
export function renderFishCompletion(commands: readonly string[], flags: Record<string, CommandFlags>): string {
  const flagLines = Object.entries(flags).flatMap(([command, f]) => f.flags.map((flag) => flagLine(command, flag, f)));
  const wordLines = Object.entries(COMMAND_WORDS).map(([command, list]) =>
    `complete -c tunnel-config -n '__fish_seen_subcommand_from ${command}' -a '${list.join(' ')}'`);
  const hostLines = SSH_PROGRAMS.map((program) => {
    // scp and rsync take HOST:PATH.
    const names = program === 'scp' || program === 'rsync' ? "(__tunnel_config_names hosts | string replace -r \\'$\\' :)" : '(__tunnel_config_names hosts)';
    return `complete -c ${program} -n '__tunnel_config_host_position ${program}' -a '${names}' -d 'tunnel-config host'`;
  });
  return `# fish completion for tunnel-config: tunnel-config completion fish
# Names come from \`tunnel-config completion --names\`, which reads the ssh_config and a local cache only.

function __tunnel_config_names
    set -l tokens (commandline -opc)
    set -l config
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --config -F
                set -l next (math $i + 1)
                set config $tokens[$next]
            case '--config=*'
                set config (string replace -- --config= '' $tokens[$i])
        end
    end
    if test -n "$config"
        command tunnel-config completion --names $argv[1] --config (string replace -r -- '^~/' "$HOME/" $config) 2>/dev/null
    else
        command tunnel-config completion --names $argv[1] 2>/dev/null
    end
end

# Where a host goes: not after an option that takes a value, and for ssh and sftp only as the first argument.
function __tunnel_config_host_position
    set -l tokens (commandline -opc)
    set -l skip
    string match -qr -- '^-[BbcDEeFIiJLlmOoPpQRSsWw]$' $tokens[-1]; and return 1
    contains -- $argv[1] ssh sftp; or return 0
    for token in $tokens[2..-1]
        if test -n "$skip"
            set skip
            continue
        end
        if string match -qr -- '^-[BbcDEeFIiJLlmOoPpQRSsWw]$' $token
            set skip 1
            continue
        end
        string match -q -- '-*' $token; and continue
        return 1
    end
    return 0
end

complete -c tunnel-config -f
complete -c tunnel-config -n __fish_use_subcommand -a '${[...commands, 'help'].join(' ')}'
complete -c tunnel-config -n '__fish_seen_subcommand_from help' -a '${commands.join(' ')}'
${wordLines.join('\n')}
complete -c tunnel-config -n '__fish_seen_subcommand_from ${SET_NAME_COMMANDS.join(' ')}' -a '(__tunnel_config_names sets)'
complete -c tunnel-config -n '__fish_seen_subcommand_from ${HOST_NAME_COMMANDS.join(' ')}' -a '(__tunnel_config_names hosts)'
${flagLines.join('\n')}

${hostLines.join('\n')}
`;
}
