import { COMMAND_WORDS, type CommandFlags, HOST_NAME_COMMANDS, SET_NAME_COMMANDS, SSH_PROGRAMS } from './flags.js';

const caseArms = (table: Record<string, readonly string[]>, variable: string): string =>
  Object.entries(table).filter(([, list]) => list.length > 0).map(([command, list]) => `    ${command}) ${variable}=(${list.join(' ')}) ;;`).join('\n');

/** The zsh script: for fpath (as `_tunnel-config`) or to source after compinit; it also adds the managed host names to ssh, scp, sftp and rsync. */
export function renderZshCompletion(commands: readonly string[], flags: Record<string, CommandFlags>): string {
  const entries = Object.entries(flags);
  const fileFlags = [...new Set(entries.flatMap(([, f]) => f.fileFlags))];
  return `#compdef tunnel-config
# zsh completion for tunnel-config: tunnel-config completion zsh
# Names come from \`tunnel-config completion --names\`, which reads the ssh_config and a local cache only.

_tunnel_config_names() {
  local config i
  for (( i = 2; i < CURRENT; i++ )); do
    case $words[i] in
      (--config|-F) config=$words[i+1] ;;
      (--config=*) config=\${words[i]#--config=} ;;
    esac
  done
  config=\${config/#\\~/$HOME}
  if [[ -n $config ]]; then
    command tunnel-config completion --names $1 --config $config 2>/dev/null
  else
    command tunnel-config completion --names $1 2>/dev/null
  fi
}

_tunnel_config() {
  local -a commands flags values fixed
  commands=(${commands.join(' ')})
  if (( CURRENT == 2 )); then
    compadd -- $commands help
    return
  fi
  case $words[CURRENT-1] in
    (${fileFlags.join('|')}) _files; return ;;
  esac
  case $words[2] in
${caseArms(Object.fromEntries(entries.map(([c, f]) => [c, f.valueFlags])), 'values')}
  esac
  (( \${values[(Ie)$words[CURRENT-1]]} )) && return 1
  case $words[2] in
    (help) (( CURRENT == 3 )) && compadd -- $commands; return ;;
${caseArms(Object.fromEntries(entries.map(([c, f]) => [c, f.flags])), 'flags')}
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $flags
    return
  fi
  case $words[2] in
${caseArms(COMMAND_WORDS, 'fixed')}
    (${SET_NAME_COMMANDS.join('|')}) fixed=(\${(f)"$(_tunnel_config_names sets)"}) ;;
    (${HOST_NAME_COMMANDS.join('|')}) fixed=(\${(f)"$(_tunnel_config_names hosts)"}) ;;
  esac
  compadd -- $fixed
}

# For ${SSH_PROGRAMS.join(', ')}: the completion they had runs first, unchanged; the managed host names are added where a host goes.
typeset -gA _tunnel_config_original
_tunnel_config_ssh_hosts() {
  local program=\${words[1]:t} original=\${_tunnel_config_original[\${words[1]:t}]} ret=1 i skip=
  if [[ -n $original ]]; then
    $original "$@" && ret=0
  else
    _hosts && ret=0
  fi
  [[ $PREFIX == -* || $PREFIX == */* || $PREFIX == *:* ]] && return ret
  [[ $words[CURRENT-1] == -[BbcDEeFIiJLlmOoPpQRSsWw] ]] && return ret
  if [[ $program == (ssh|sftp) ]]; then
    for (( i = 2; i < CURRENT; i++ )); do
      if [[ -n $skip ]]; then skip=; continue; fi
      [[ $words[i] == -[BbcDEeFIiJLlmOoPpQRSsWw] ]] && { skip=1; continue; }
      [[ $words[i] == -* ]] && continue
      return ret
    done
  fi
  local -a names
  names=(\${(f)"$(_tunnel_config_names hosts)"})
  compset -P '*@'
  if [[ $program == (scp|rsync) ]]; then
    compadd -S : -- $names && ret=0
  else
    compadd -- $names && ret=0
  fi
  return ret
}

_tunnel_config_adopt() {
  local program
  for program in ${SSH_PROGRAMS.join(' ')}; do
    [[ \${_comps[$program]} == _tunnel_config_ssh_hosts ]] && continue
    _tunnel_config_original[$program]=\${_comps[$program]}
    compdef _tunnel_config_ssh_hosts $program
  done
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _tunnel_config_adopt
  _tunnel_config "$@"
else
  compdef _tunnel_config tunnel-config
  _tunnel_config_adopt
fi
`;
}
