export type ServerMode = 'shared' | 'per-host';

export const serverModes: readonly ServerMode[] = ['per-host', 'shared'];

/**
 * Where the jumphost setup lives and what its accounts are called. A real jumphost uses defaultLayout;
 * tests move every path under a scratch directory and give the accounts unique names.
 */
export interface ServerLayout {
  /** Holds one chroot per host account: HOSTSDIR/ACCOUNT. */
  hostsDir: string;
  /** Holds one authorized_keys file per account: KEYSDIR/ACCOUNT (root's, so no tunnel key can change it). */
  authorizedKeysDir: string;
  /** The drop-in file with our Match block; sshd_config must include it. */
  dropIn: string;
  /** The sshd_config that `sshd -t` and `sshd -T` read. */
  sshdConfig: string;
  sshd: string;
  /** sshd -t refuses to run without it, and it exists only while sshd runs (Debian's unit makes it). */
  privsepDir: string;
  nologin: string;
  /** A hidden host NAME logs in as PREFIX + NAME in per-host mode. */
  hostAccountPrefix: string;
  /** The group of every tunnel account; `Match Group` selects them in per-host mode. */
  hostsGroup: string;
  /** Client accounts in this group may open the hosts' sockets. */
  clientsGroup: string;
  /** The one account of shared mode (the seed recipe's `host`). */
  sharedAccount: string;
  /** False in tests: the script then leaves the running sshd alone. */
  reloadSshd: boolean;
}

export const defaultLayout: ServerLayout = {
  hostsDir: '/srv/tunnel-config/hosts',
  authorizedKeysDir: '/etc/ssh/tunnel-config/authorized_keys',
  dropIn: '/etc/ssh/sshd_config.d/tunnel-config.conf',
  sshdConfig: '/etc/ssh/sshd_config',
  sshd: '/usr/sbin/sshd',
  privsepDir: '/run/sshd',
  nologin: '/usr/sbin/nologin',
  hostAccountPrefix: 'tunnel-',
  hostsGroup: 'tunnel-hosts',
  clientsGroup: 'tunnel-clients',
  sharedAccount: 'host',
  reloadSshd: true,
};

/** Where a host account's sockets live, as the account sees it from inside its chroot. */
export const chrootSocketDir = '/sock';

/** The longest account name useradd takes. */
export const accountNameLimit = 32;
