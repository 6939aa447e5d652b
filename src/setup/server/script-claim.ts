/**
 * The script's side of claim.ts: before it changes anything, and again just before it chowns, a directory named
 * on the command line must be missing, empty or already as the script leaves it, and no system directory or home.
 * Needs the arrays system_dirs, system_trees (claim.ts) and our_accounts (NAME:HOME), rendered before it.
 */
// Not String.raw, whose ${...} would still be JavaScript's: bash's are escaped (the text has no other backslash).
export const claimHelpers = `# system_dir_problem PATH: says why PATH is, holds or lies in a system directory; nothing when it does not.
system_dir_problem() {
  local dir
  if [ "$1" = / ]; then echo "is the root directory"; return 0; fi
  for dir in "\${system_dirs[@]}"; do
    if [ "$dir" = "$1" ]; then echo "is the system directory $dir"; return 0; fi
    if [[ $dir == "$1"/* ]]; then echo "holds the system directory $dir"; return 0; fi
  done
  for dir in "\${system_trees[@]}"; do
    if [[ $1 == "$dir"/* ]]; then echo "is inside the system directory $dir"; return 0; fi
  done
  return 0
}

# home_problem DIR REAL: says whose home DIR (REAL: its links resolved) is or holds; our own accounts aside.
home_problem() {
  local passwd name home path ours candidate
  passwd=$(getent passwd) || fail "cannot list the accounts (getent passwd) to check $1 against their homes"
  while IFS=: read -r name _ _ _ _ home _; do
    [[ $home == /* ]] || continue
    for ours in "\${our_accounts[@]}"; do [ "$ours" != "$name:$home" ] || continue 2; done
    for path in "$(realpath -m -s -- "$home")" "$(realpath -m -- "$home")"; do
      for candidate in "$1" "$2"; do
        if [ "$path" = "$candidate" ]; then echo "is the home directory of the account $name"; return 0; fi
        if [[ $path == "$candidate"/* ]]; then echo "holds $path, the home directory of the account $name"; return 0; fi
      done
    done
  done <<<"$passwd"
  return 0
}

# check_claim DIR OWNER GROUP MODE: fails unless DIR, named on the command line, is missing, or an empty directory,
# or already exactly OWNER:GROUP MODE; and is no system directory, home, symbolic link or shared (sticky) directory.
check_claim() {
  local dir real problem uid gid mode want_uid want_gid
  dir=$(realpath -m -s -- "$1")
  real=$(realpath -m -- "$1")
  problem=$(system_dir_problem "$dir")
  if [ -z "$problem" ]; then
    problem=$(system_dir_problem "$real")
    [ -z "$problem" ] || problem="$problem (it resolves to $real)"
  fi
  [ -n "$problem" ] || problem=$(home_problem "$dir" "$real")
  if [ -z "$problem" ] && [ -L "$1" ]; then
    problem="is a symbolic link (to $(readlink -- "$1")): give the directory itself"
  elif [ -z "$problem" ] && [ -e "$1" ]; then
    if [ ! -d "$1" ]; then
      problem="exists and is not a directory"
    else
      read -r uid gid mode < <(stat -c '%u %g %a' -- "$1")
      want_uid=$(id -u -- "$2" 2>/dev/null) || want_uid=
      want_gid=$(getent group "$3" | cut -d: -f3) || want_gid=
      if (( (8#$mode & 8#1000) != 0 )); then
        problem="has the sticky bit (mode $mode): a directory shared by several accounts, like /tmp, is not one to take"
      elif [ "$uid:$gid" = "$want_uid:$want_gid" ] && (( 8#$mode == 8#$4 )); then
        :
      elif [ -n "$(ls -A -- "$1")" ]; then
        problem="is not empty and is uid $uid, gid $gid, mode $mode, not $2:$3 $4 as this script leaves it"
      fi
    fi
  fi
  [ -z "$problem" ] || fail "refusing $1: it $problem. This script takes only a directory it creates, an empty one or one it set up before, and has changed nothing of $1"
}

# claim_dir DIR OWNER GROUP MODE: own_dir, once check_claim passes again (DIR may have changed since the first check).
claim_dir() {
  check_claim "$@"
  own_dir "$@"
}
`;
