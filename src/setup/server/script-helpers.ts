/** The shell functions every setup script starts with; each says what it guarantees, so re-running is harmless. */
export const scriptHelpers = String.raw`fail() { printf 'server-setup: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run this as root"
[ -x "$sshd" ] || fail "$sshd not found: install openssh-server"

# safe_parent DIR: DIR exists (made root's, 0755, if missing), belongs to root and only root can write it,
# as sshd demands of every directory above a ChrootDirectory or an authorized_keys file.
safe_parent() {
  [ -d "$1" ] || { mkdir -m 0755 -- "$1"; chown root:root -- "$1"; }
  local owner mode
  read -r owner mode < <(stat -L -c '%u %a' -- "$1")
  [ "$owner" = 0 ] || fail "$1 must belong to root (chown root $1)"
  (( (8#$mode & 8#022) == 0 )) || fail "$1 must be writable by root only (chmod go-w $1)"
}

# own_dir DIR OWNER GROUP MODE: DIR exists with exactly this owner, group and mode (never through a symlink).
own_dir() {
  [ ! -L "$1" ] || fail "$1 is a symbolic link: remove it and run this again"
  if [ ! -d "$1" ]; then
    [ ! -e "$1" ] || fail "$1 exists and is not a directory"
    mkdir -- "$1"
  fi
  chown -- "$2:$3" "$1"
  chmod -- "$4" "$1"
}

# group NAME: a system group.
group() { getent group "$1" >/dev/null || groupadd --system -- "$1"; }

# account NAME HOME GROUP: a system account with no shell and no password. "*" is no password without
# locking the account ("!" would: sshd refuses a locked account's keys when UsePAM is off).
account() {
  if ! id -u -- "$1" >/dev/null 2>&1; then
    useradd --system --no-user-group --gid "$3" --home-dir "$2" --no-create-home --shell "$nologin" --password '*' -- "$1"
  fi
  usermod --gid "$3" --home "$2" --shell "$nologin" --password '*' -- "$1"
}

# client USER GROUP: USER, an existing account clients log in as, joins GROUP.
client() {
  id -u -- "$1" >/dev/null 2>&1 || fail "client account $1 does not exist: create it first, or leave out --client-user $1"
  usermod --append --groups "$2" -- "$1"
}

# link PATH TARGET: PATH is root's symbolic link to TARGET (a stale socket left at PATH is replaced).
link() {
  [ "$(readlink -- "$1" || true)" != "$2" ] || return 0
  [ -L "$1" ] || [ ! -d "$1" ] || fail "$1 is a directory"
  ln -sfn -- "$2" "$1"
}

# put_file FILE: FILE is exactly stdin, root's, mode 0644 (written whole, then renamed into place).
put_file() {
  local tmp
  tmp=$(mktemp -- "$1.XXXXXX")
  cat > "$tmp"
  chmod 0644 -- "$tmp"
  mv -f -- "$tmp" "$1"
}

# placeholder FILE: like put_file, but only when FILE does not exist: a key added by hand stays.
placeholder() {
  if [ -e "$1" ]; then
    cat > /dev/null
    chown root:root -- "$1"
    chmod go-w -- "$1"
  else
    put_file "$1"
  fi
}

# settings USER: what sshd would apply to USER's connections, one "keyword value" a line.
settings() { "$sshd" -T -f "$sshd_config" -C "user=$1,host=localhost,addr=127.0.0.1"; }

# expect_settings USER LINE...: sshd applies every LINE to USER (else an earlier Match block wins over ours).
expect_settings() {
  local user=$1 applied line missing=0
  shift
  applied=$(settings "$user") || return 1
  for line in "$@"; do
    if ! grep -qxF -- "$line" <<<"$applied"; then
      printf 'server-setup: sshd would not apply "%s" to %s\n' "$line" "$user" >&2
      missing=1
    fi
  done
  return "$missing"
}

# check_client USER: warns when sshd would refuse USER the direct-streamlocal channel tunnel-config proxy opens.
check_client() {
  local applied
  applied=$(settings "$1") || return 0
  grep -qxE 'allowstreamlocalforwarding (yes|all|local)' <<<"$applied" &&
    grep -qxE 'allowtcpforwarding (yes|all|local)' <<<"$applied" &&
    grep -qxF 'disableforwarding no' <<<"$applied" &&
    grep -qxE 'permitopen (any|(.* )?[*]:[*]( .*)?)' <<<"$applied" ||
    printf 'server-setup: warning: sshd refuses %s the channel tunnel-config proxy opens: it needs AllowStreamLocalForwarding yes or local, AllowTcpForwarding yes or local, PermitOpen any, DisableForwarding no\n' "$1" >&2
}
`;

/** Reloads the system's sshd the way Debian runs it: systemd unit ssh (or sshd), else the pid file. */
export const reloadSshd = String.raw`reload_sshd() {
  local unit
  for unit in ssh sshd; do
    if systemctl is-active --quiet "$unit" 2>/dev/null; then
      systemctl reload "$unit"
      return
    fi
  done
  if [ -r /run/sshd.pid ]; then
    kill -HUP "$(cat /run/sshd.pid)"
    return
  fi
  printf 'server-setup: sshd is not running; start it (systemctl start ssh) to use the new settings\n' >&2
}
`;
