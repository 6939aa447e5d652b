import { COMMAND_WORDS, type CommandFlags, HOST_NAME_COMMANDS, SET_NAME_COMMANDS, SSH_PROGRAMS } from './flags.js';

const words = (list: readonly string[]): string => list.join(' ');

const caseArms = (table: Record<string, string>, indent: string): string =>
  Object.entries(table).map(([command, value]) => `${indent}${command}) ${value} ;;`).join('\n');

/** The bash script: `complete -F` for tunnel-config, and a wrapper that adds the managed host names to ssh, scp, sftp and rsync. */
export function renderBashCompletion(commands: readonly string[], flags: Record<string, CommandFlags>): string {
  const flagWords = Object.fromEntries(Object.entries(flags).map(([c, f]) => [c, `flags="${words(f.flags)}"`]));
  const allFileFlags = [...new Set(Object.values(flags).flatMap((f) => f.fileFlags))];
  const valueArms = Object.fromEntries(Object.entries(flags).filter(([, f]) => f.valueFlags.length > 0).map(([c, f]) => [c, `values="${words(f.valueFlags)}"`]));
  const fixedArms = Object.fromEntries(Object.entries(COMMAND_WORDS).map(([c, list]) => [c, `fixed="${words(list)}"`]));
  return `# bash completion for tunnel-config: tunnel-config completion bash
# Names come from \`tunnel-config completion --names\`, which reads the ssh_config and a local cache only.

_tunnel_config_names() {
  local kind=$1 config= i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      --config|-F) config=\${COMP_WORDS[i+1]} ;;
      --config=*) config=\${COMP_WORDS[i]#--config=} ;;
    esac
  done
  if [[ -n $config ]]; then
    [[ $config == "~/"* ]] && config=$HOME/\${config#"~/"}
    command tunnel-config completion --names "$kind" --config "$config" 2>/dev/null
  else
    command tunnel-config completion --names "$kind" 2>/dev/null
  fi
}

_tunnel_config() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} command=\${COMP_WORDS[1]}
  local commands="${words(commands)}" flags= values= fixed= value
  COMPREPLY=()
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W "$commands help" -- "$cur"))
    return 0
  fi
  case $prev in
    ${allFileFlags.join('|')})
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0 ;;
  esac
  case $command in
${caseArms(valueArms, '    ')}
  esac
  for value in $values; do
    [[ $prev == "$value" ]] && return 0
  done
  case $command in
    help)
      ((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
      return 0 ;;
${caseArms(flagWords, '    ')}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return 0
  fi
  case $command in
${caseArms(fixedArms, '    ')}
    ${SET_NAME_COMMANDS.join('|')}) fixed=$(_tunnel_config_names sets) ;;
    ${HOST_NAME_COMMANDS.join('|')}) fixed=$(_tunnel_config_names hosts) ;;
  esac
  COMPREPLY=($(compgen -W "$fixed" -- "$cur"))
  return 0
}
complete -F _tunnel_config tunnel-config

# For ${SSH_PROGRAMS.join(', ')}: the completion they had (bash-completion's, loaded on first use if need be) runs
# first, unchanged; the managed host names are then added to its answer where it would offer a host.
_tunnel_config_ssh_hosts() {
  local program=\${1##*/} cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local original_var=_tunnel_config_original_\${program}
  local original=\${!original_var}
  if [[ -z $original ]]; then
    _tunnel_config_adopt "$program" load
    original=\${!original_var}
  fi
  local at_host=1
  _tunnel_config_host_position "$program" "$cur" "$prev" || at_host=
  COMPREPLY=()
  if [[ -n $original && $original != - ]] && declare -F "$original" >/dev/null; then
    "$original" "$@"
  elif [[ -z $at_host ]]; then
    # What bash does for a program without a completion: file names.
    compopt -o default 2>/dev/null
    return 0
  elif declare -F _known_hosts_real >/dev/null; then
    _known_hosts_real -a -- "$cur"
  else
    COMPREPLY=($(compgen -A hostname -- "$cur"))
  fi
  [[ -z $at_host ]] && return 0
  local user= name suffix= existing
  [[ $cur == *@* ]] && user=\${cur%%@*}@
  [[ $program == scp || $program == rsync ]] && suffix=:
  for name in $(compgen -W "$(_tunnel_config_names hosts)" -- "\${cur#*@}"); do
    name=$user$name$suffix
    for existing in "\${COMPREPLY[@]}"; do
      [[ $existing == "$name" ]] && continue 2
    done
    COMPREPLY+=("$name")
  done
  [[ -n $suffix ]] && compopt -o nospace 2>/dev/null
  return 0
}

# Whether CUR is where PROGRAM takes a host: not an option or its value, not a path, and for ssh and sftp only the first argument.
_tunnel_config_host_position() {
  local program=$1 cur=$2 prev=$3 i word skip=
  [[ $cur == -* || $cur == */* || $cur == *:* ]] && return 1
  _tunnel_config_takes_value "$program" "$prev" && return 1
  [[ $program == ssh || $program == sftp ]] || return 0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ -n $skip ]]; then skip=; continue; fi
    _tunnel_config_takes_value "$program" "$word" && { skip=1; continue; }
    [[ $word == -* ]] && continue
    return 1
  done
  return 0
}

# Whether WORD is an option of PROGRAM whose value is the next word.
_tunnel_config_takes_value() {
  case $1 in
    rsync) case $2 in -e|--rsh|--rsync-path|-f|--filter|--exclude|--include|--exclude-from|--include-from|--files-from|-T|--temp-dir|--log-file|--password-file|--port|--chmod|-B|--timeout|--compare-dest|--copy-dest|--link-dest|--partial-dir|--backup-dir|--suffix|--bwlimit|--chown|-M|--remote-option) return 0 ;; esac ;;
    *) case $2 in -[BbcDEeFIiJLlmOoPpQRSsWw]) return 0 ;; esac ;;
  esac
  return 1
}

# Puts the wrapper in front of PROGRAM's completion, keeping its options; "load" first asks bash-completion to load it.
_tunnel_config_adopt() {
  local program=$1 spec original=-
  if [[ $2 == load ]]; then
    complete -r "$program" 2>/dev/null
    if declare -F _comp_load >/dev/null; then _comp_load "$program"
    elif declare -F __load_completion >/dev/null; then __load_completion "$program"
    elif declare -F _completion_loader >/dev/null; then _completion_loader "$program"
    fi
  fi
  spec=$(complete -p "$program" 2>/dev/null)
  if [[ $spec == *" -F "* ]]; then
    original=\${spec#* -F }
    original=\${original%% *}
  fi
  [[ $original == _tunnel_config_ssh_hosts ]] && return 0
  # A completion of another kind (complete -A hostname, -W ...) is left as it is.
  [[ -n $spec && $original == - && $2 != load ]] && return 0
  # Not loaded yet (bash-completion loads on first use): the wrapper loads it when first asked.
  [[ $original == - && $2 != load ]] && original=
  printf -v "_tunnel_config_original_$program" %s "$original"
  if [[ -n $spec && $original != - ]]; then
    eval "\${spec/ -F $original / -F _tunnel_config_ssh_hosts }"
  else
    complete -F _tunnel_config_ssh_hosts "$program"
  fi
}

for _tunnel_config_program in ${SSH_PROGRAMS.join(' ')}; do
  _tunnel_config_adopt "$_tunnel_config_program"
done
unset _tunnel_config_program
`;
}
