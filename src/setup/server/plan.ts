import { dirname } from 'node:path/posix';
import { TunnelError } from '../../errors.js';
import { hostNameProblem, quoteForMessage, socketPathFor } from '../../ssh/hostname.js';
import { configFileProblem, socketDirValueProblem, userProblem } from '../../sshconfig/validate.js';
import { accountNameLimit, chrootSocketDir, type ServerLayout, type ServerMode } from './layout.js';

export interface ServerSetupRequest {
  mode: ServerMode;
  /** Where clients find DIR/NAME.sock (`tunnel-config proxy --socket-dir`). */
  socketDir: string;
  hosts: string[];
  clientUsers: string[];
  /** Public keys (`TYPE BASE64`) per host; a host without any gets a placeholder file to fill in. */
  keys: Record<string, string[]>;
  layout: ServerLayout;
}

export interface AccountSpec {
  name: string;
  home: string;
  group: string;
}

/** A directory we own: created if missing, then given exactly this owner and mode. */
export interface DirSpec {
  path: string;
  owner: string;
  group: string;
  mode: number;
  /** One line for the script's comment. */
  why: string;
  /**
   * The option that named this directory, when the user did: it is then taken only if it is missing, empty
   * or already exactly as we leave it, and never when it is a system directory or a home (see claim.ts).
   */
  flag?: string;
}

export interface HostSpec {
  name: string;
  account: string;
  /** The path the host's `ssh -R PATH:localhost:22` binds, as its account sees the file system. */
  bindPath: string;
  /** The path clients open: SOCKETDIR/NAME.sock. */
  socketPath: string;
  /** Per-host mode: the socket's real path, which socketPath links to. */
  realPath?: string;
}

export interface KeyFileSpec {
  path: string;
  account: string;
  /** Hosts without keys are listed too: the file then tells the admin what to paste. */
  entries: Array<{ host: string; keys: string[] }>;
}

export interface LinkSpec {
  path: string;
  target: string;
}

/** Everything the setup creates, as data: the script and the checks are both rendered from it. */
export interface ServerPlan {
  mode: ServerMode;
  socketDir: string;
  layout: ServerLayout;
  groups: string[];
  accounts: AccountSpec[];
  clientUsers: string[];
  /** Directories above ours: created (root, 0755) if missing, and they must be root's and writable by root only. */
  parents: string[];
  dirs: DirSpec[];
  links: LinkSpec[];
  keyFiles: KeyFileSpec[];
  hosts: HostSpec[];
}

const usage = (message: string): TunnelError => new TunnelError('usage', `${message} (see tunnel-config server-setup --help)`);

const perHostNameRule = /^[a-z0-9][a-z0-9_-]*$/;

function checkRequest(request: ServerSetupRequest): void {
  const { mode, socketDir, hosts, clientUsers, keys, layout } = request;
  const dirProblem = socketDirValueProblem(socketDir) ?? (socketDir === '/' ? 'may not be /' : undefined);
  if (dirProblem) throw usage(`--socket-dir ${quoteForMessage(socketDir)}: it ${dirProblem}`);
  for (const path of [layout.hostsDir, layout.authorizedKeysDir, layout.dropIn, layout.sshdConfig, layout.sshd, layout.privsepDir, layout.nologin]) {
    const problem = configFileProblem(path);
    if (problem) throw new TunnelError('internal', `server layout path ${quoteForMessage(path)}: it ${problem}`);
  }
  for (const ours of [layout.hostsDir, layout.authorizedKeysDir, dirname(layout.dropIn)]) {
    if (socketDir === ours || socketDir.startsWith(`${ours}/`) || ours.startsWith(`${socketDir.replace(/\/+$/, '')}/`)) {
      throw usage(`--socket-dir ${socketDir} overlaps ${ours}, which server-setup manages; choose a directory of its own, e.g. /home/host`);
    }
  }
  if (mode === 'per-host' && hosts.length === 0) throw usage('per-host mode needs the hidden hosts: --hosts NAME[,NAME...]');
  hosts.forEach((host, index) => {
    const problem = hostNameProblem(host);
    if (problem) throw usage(`--hosts ${quoteForMessage(host)}: a host name ${problem}`);
    if (hosts.indexOf(host) !== index) throw usage(`--hosts ${quoteForMessage(host)} is listed twice`);
    socketPathFor(socketDir, host);
    if (mode !== 'per-host') return;
    const room = accountNameLimit - layout.hostAccountPrefix.length;
    if (!perHostNameRule.test(host) || host.length > room) {
      throw usage(
        `--hosts ${quoteForMessage(host)}: per-host mode names an account ${layout.hostAccountPrefix}NAME after each host, so NAME must be 1 to ${room} lowercase letters, digits, "-" or "_", starting with a letter or digit`,
      );
    }
  });
  const tunnelAccounts = new Set(mode === 'per-host' ? hosts.map((host) => layout.hostAccountPrefix + host) : [layout.sharedAccount]);
  clientUsers.forEach((user, index) => {
    const problem = userProblem(user);
    if (problem) throw usage(`--client-user ${quoteForMessage(user)}: a user name ${problem}`);
    if (clientUsers.indexOf(user) !== index) throw usage(`--client-user ${quoteForMessage(user)} is listed twice`);
    if (user === 'root') throw usage('--client-user root: root reaches every socket already; name the accounts clients log in as');
    if (tunnelAccounts.has(user)) throw usage(`--client-user ${user} is a tunnel account; clients need an account of their own`);
  });
  for (const host of Object.keys(keys)) {
    if (!hosts.includes(host)) throw usage(`--key ${quoteForMessage(host)}=...: ${quoteForMessage(host)} is not one of --hosts`);
  }
}

/** Every directory above `path`, outermost first, without `/`. */
function ancestors(path: string): string[] {
  const found: string[] = [];
  for (let dir = dirname(path); dir !== '/' && dir !== '.'; dir = dirname(dir)) found.unshift(dir);
  return found;
}

const socketName = (host: string): string => `${host}.sock`;

/** Checks the request (TunnelError 'usage' naming the flag) and lays out the accounts, directories and files. */
export function buildServerPlan(request: ServerSetupRequest): ServerPlan {
  checkRequest(request);
  const { mode, layout, hosts, keys } = request;
  const socketDir = request.socketDir.replace(/\/+$/, '');
  const root = (path: string, why: string): DirSpec => ({ path, owner: 'root', group: 'root', mode: 0o755, why });
  const keyEntry = (host: string): { host: string; keys: string[] } => ({ host, keys: keys[host] ?? [] });
  let plan: Omit<ServerPlan, 'parents'>;
  if (mode === 'per-host') {
    const hostSpecs: HostSpec[] = hosts.map((name) => {
      const account = layout.hostAccountPrefix + name;
      return {
        name,
        account,
        bindPath: `${chrootSocketDir}/${socketName(name)}`,
        socketPath: `${socketDir}/${socketName(name)}`,
        realPath: `${layout.hostsDir}/${account}${chrootSocketDir}/${socketName(name)}`,
      };
    });
    plan = {
      mode,
      socketDir,
      layout,
      groups: [layout.hostsGroup, layout.clientsGroup],
      accounts: hostSpecs.map(({ account }) => ({ name: account, home: `${layout.hostsDir}/${account}`, group: layout.hostsGroup })),
      clientUsers: request.clientUsers,
      dirs: [
        root(layout.hostsDir, 'the chroots'),
        ...hostSpecs.flatMap(({ name, account }) => [
          root(`${layout.hostsDir}/${account}`, `${name}'s chroot: root's and writable by root only, as sshd's ChrootDirectory requires`),
          {
            path: `${layout.hostsDir}/${account}${chrootSocketDir}`,
            owner: account,
            group: layout.clientsGroup,
            mode: 0o2710,
            why: `${name}'s socket directory: setgid, so the socket's group is ${layout.clientsGroup}; clients may open it by name, not list it`,
          },
        ]),
        root(layout.authorizedKeysDir, 'the tunnel accounts\' authorized_keys files'),
        { path: socketDir, owner: 'root', group: layout.clientsGroup, mode: 0o750, why: `what clients open: only root writes here, only ${layout.clientsGroup} may enter`, flag: '--socket-dir' },
      ],
      links: hostSpecs.map((host) => ({ path: host.socketPath, target: host.realPath ?? '' })),
      keyFiles: hostSpecs.map(({ name, account }) => ({ path: `${layout.authorizedKeysDir}/${account}`, account, entries: [keyEntry(name)] })),
      hosts: hostSpecs,
    };
  } else {
    const account = layout.sharedAccount;
    plan = {
      mode,
      socketDir,
      layout,
      groups: [layout.hostsGroup, layout.clientsGroup],
      accounts: [{ name: account, home: socketDir, group: layout.hostsGroup }],
      clientUsers: request.clientUsers,
      dirs: [
        root(layout.authorizedKeysDir, `the tunnel account's authorized_keys file`),
        { path: socketDir, owner: account, group: layout.clientsGroup, mode: 0o750, why: `the sockets: ${account} binds them, only ${layout.clientsGroup} may enter`, flag: '--socket-dir' },
      ],
      links: [],
      keyFiles: [{ path: `${layout.authorizedKeysDir}/${account}`, account, entries: hosts.map(keyEntry) }],
      hosts: hosts.map((name) => ({ name, account, bindPath: `${socketDir}/${socketName(name)}`, socketPath: `${socketDir}/${socketName(name)}` })),
    };
  }
  const owned = new Set(plan.dirs.map((dir) => dir.path));
  const parents = [...new Set([...plan.dirs.map((dir) => dir.path), layout.dropIn].flatMap(ancestors))].filter((dir) => !owned.has(dir));
  parents.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  return { ...plan, parents };
}

/** The accounts hidden hosts log in as. */
export const tunnelAccounts = (plan: ServerPlan): string[] => plan.accounts.map((account) => account.name);
