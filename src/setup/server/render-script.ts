import { systemDirs, systemTrees } from './claim.js';
import { renderInstructions } from './instructions.js';
import { authorizedKeyLine, tunnelKeyOptions } from './keys.js';
import type { KeyFileSpec, ServerPlan } from './plan.js';
import { expectedSettings } from './render-sshd.js';
import { claimHelpers } from './script-claim.js';
import { reloadSshd, scriptHelpers } from './script-helpers.js';

/** One word for bash: plain words as they are, anything else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

const command = (...words: string[]): string => words.map(shellWord).join(' ');

const octal = (mode: number): string => mode.toString(8).padStart(5, '0');

/** A quoted here-document: bash copies the lines as they are, with no expansion. */
function hereDoc(head: string, lines: string[]): string[] {
  const end = 'EOF';
  if (lines.includes(end)) throw new Error(`here-document text contains its end marker ${end}`);
  return [`${head} <<'${end}'`, ...lines, end];
}

function keyFileSteps(file: KeyFileSpec): string[] {
  const lines = file.entries.flatMap(({ host, keys }) =>
    keys.length > 0
      ? keys.map((key) => authorizedKeyLine(key, host))
      : [`# tunnel-config: the public key of hidden host ${host} goes here, as one line:`, `# ${tunnelKeyOptions} ssh-ed25519 AAAA... tunnel-config:${host}`],
  );
  const given = file.entries.filter((entry) => entry.keys.length > 0).map((entry) => entry.host);
  const missing = file.entries.filter((entry) => entry.keys.length === 0).map((entry) => entry.host);
  if (given.length > 0) {
    const note = missing.length > 0 ? `; still to add by hand: ${missing.join(' ')}` : '';
    return [`# ${file.account}: the keys of ${given.join(' ')} (from --key), rewritten on every run${note}.`, ...hereDoc(command('put_file', file.path), lines)];
  }
  const what = missing.length > 0 ? `the public key of ${missing.join(' ')}` : "each hidden host's public key";
  const example = lines.length > 0 ? lines : [`# tunnel-config: each hidden host's public key goes here, one line each:`, `# ${tunnelKeyOptions} ssh-ed25519 AAAA... tunnel-config:NAME`];
  return [`# ${file.account}: no --key given: add ${what} to this file by hand (its comment shows how); it is kept on later runs.`, ...hereDoc(command('placeholder', file.path), example)];
}

function dropInSteps(plan: ServerPlan, dropIn: string): string[] {
  const accounts = plan.accounts.map((account) => account.name);
  return [
    '# The sshd settings go in place only if sshd accepts the whole configuration and applies them to every',
    '# tunnel account; otherwise the previous drop-in (or none) is put back. sshd -t needs its privilege',
    "# separation directory, which only exists while sshd runs.",
    `[ -d ${shellWord(plan.layout.privsepDir)} ] || mkdir -m 0755 -- ${shellWord(plan.layout.privsepDir)}`,
    'new_drop_in=$(mktemp -- "$drop_in.new.XXXXXX")',
    ...hereDoc('cat > "$new_drop_in"', dropIn.replace(/\n$/, '').split('\n')),
    'chmod 0644 -- "$new_drop_in"',
    'old_drop_in=',
    'if [ -e "$drop_in" ]; then',
    '  old_drop_in=$(mktemp -- "$drop_in.old.XXXXXX")',
    '  cp -p -- "$drop_in" "$old_drop_in"',
    'fi',
    'mv -f -- "$new_drop_in" "$drop_in"',
    'restore_drop_in() {',
    '  if [ -n "$old_drop_in" ]; then mv -f -- "$old_drop_in" "$drop_in"; else rm -f -- "$drop_in"; fi',
    '  fail "$1; $drop_in is back as it was"',
    '}',
    '"$sshd" -t -f "$sshd_config" || restore_drop_in "sshd -t rejects the configuration"',
    'expected=(',
    ...expectedSettings(plan).map((line) => `  ${shellWord(line)}`),
    ')',
    'applied=yes',
    `for user in ${accounts.map(shellWord).join(' ')}; do`,
    '  expect_settings "$user" "${expected[@]}" || applied=no',
    'done',
    '[ "$applied" = yes ] || restore_drop_in "sshd would not apply these settings: is $drop_in included at the top of $sshd_config, before any other Match block for these accounts?"',
    '[ -z "$old_drop_in" ] || rm -f -- "$old_drop_in"',
    ...plan.clientUsers.map((user) => command('check_client', user)),
  ];
}

/** The checks that keep the script from taking over a directory named on the command line (see claim.ts). */
function claimSteps(plan: ServerPlan): string[] {
  const named = plan.dirs.filter((dir) => dir.flag !== undefined);
  if (named.length === 0) return [];
  return [
    "# The system's directories: a directory named on the command line may not be one, hold one or lie in one.",
    `system_dirs=(${systemDirs.map(shellWord).join(' ')})`,
    `system_trees=(${systemTrees.map(shellWord).join(' ')})`,
    '# Our accounts, NAME:HOME: their homes are set by this script, so they are no one else\'s.',
    `our_accounts=(${plan.accounts.map((account) => shellWord(`${account.name}:${account.home}`)).join(' ')})`,
    '',
    claimHelpers,
    '# Directories named on the command line: taken only if missing, empty or already as this script leaves',
    '# them, never a system directory or a home; checked here, before anything changes, and again before chown.',
    ...named.map((dir) => command('check_claim', dir.path, dir.owner, dir.group, octal(dir.mode))),
    '',
  ];
}

function header(plan: ServerPlan): string[] {
  const clients = plan.clientUsers.length > 0 ? plan.clientUsers.join(' ') : '(none named)';
  const hosts = plan.hosts.length > 0 ? plan.hosts.map((host) => host.name).join(' ') : '(none named)';
  const design =
    plan.mode === 'per-host'
      ? [
          '# Each hidden host logs in as an account of its own, chrooted to a directory where it can write nothing',
          `# but /sock: its key can bind its own socket and no other host's. Clients open ${plan.socketDir}/NAME.sock,`,
          `# root's link to that socket, if they are in ${plan.layout.clientsGroup}; no one else can.`,
        ]
      : [
          `# The seed recipe, hardened: every hidden host logs in as ${plan.layout.sharedAccount}, which can bind sockets in ${plan.socketDir}`,
          '# and do nothing else (no shell, pty, agent, X11 or TCP forwarding). Every host can still replace every',
          "# other host's socket: per-host mode (the default) closes that.",
        ];
  return [
    '#!/bin/bash',
    `# Jumphost setup for tunnel-config, ${plan.mode} mode, written by tunnel-config server-setup.`,
    `#   hidden hosts: ${hosts}`,
    `#   client accounts: ${clients}`,
    `#   socket directory: ${plan.socketDir}`,
    '#',
    '# Review it, then run it as root on the jumphost (server-setup --apply runs exactly this). Running it again',
    '# is harmless: it creates what is missing, puts owners and modes back, and rewrites only its own files.',
    '#',
    ...design,
  ];
}

/** The whole setup as a bash script: idempotent, reviewable, the same text that --apply runs. */
export function renderSetupScript(plan: ServerPlan, dropIn: string): string {
  const { layout } = plan;
  const lines = [
    ...header(plan),
    'set -euo pipefail',
    'umask 022',
    '',
    command(`sshd=${layout.sshd}`),
    command(`sshd_config=${layout.sshdConfig}`),
    command(`drop_in=${layout.dropIn}`),
    command(`nologin=${layout.nologin}`),
    '',
    scriptHelpers,
    ...(layout.reloadSshd ? [reloadSshd] : []),
    ...claimSteps(plan),
    '# Groups: the tunnel accounts, and the client accounts that may open the sockets.',
    ...plan.groups.map((group) => command('group', group)),
    '',
    '# Tunnel accounts.',
    ...plan.accounts.map((account) => command('account', account.name, account.home, account.group)),
    '',
    '# Directories above ours.',
    ...plan.parents.map((dir) => command('safe_parent', dir)),
    '',
    ...plan.dirs.flatMap((dir) => [`# ${dir.why}`, command(dir.flag === undefined ? 'own_dir' : 'claim_dir', dir.path, dir.owner, dir.group, octal(dir.mode))]),
    ...(plan.links.length > 0 ? ['', `# What clients open: ${plan.socketDir}/NAME.sock, root's links to the sockets in the chroots.`] : []),
    ...plan.links.map((link) => command('link', link.path, link.target)),
    '',
    `# Keys: one authorized_keys file per tunnel account, root's; each line may only forward (${tunnelKeyOptions}).`,
    ...plan.keyFiles.flatMap(keyFileSteps),
    '',
    `# Client accounts (tunnel-config proxy --jump USER@JUMPHOST) join ${layout.clientsGroup}.`,
    ...(plan.clientUsers.length > 0
      ? plan.clientUsers.map((user) => command('client', user, layout.clientsGroup))
      : [`# None named (--client-user): add each with  usermod --append --groups ${layout.clientsGroup} USER`]),
    '',
    ...dropInSteps(plan, dropIn),
    '',
    ...(layout.reloadSshd ? ['reload_sshd'] : ['# This layout leaves the running sshd alone: reload it yourself.']),
    `printf 'server-setup: done (${plan.mode} mode)\\n'`,
    '',
    ...renderInstructions(plan).replace(/\n$/, '').split('\n').map((line) => (line === '' ? '#' : `# ${line}`)),
  ];
  return `${lines.join('\n')}\n`;
}
