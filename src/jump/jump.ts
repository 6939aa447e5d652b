import { TunnelError } from '../errors.js';
import { ordersByKnownHosts } from '../ssh/algorithms.js';
import { quoteForMessage } from '../ssh/hostname.js';

/** What the user typed after `--jump`: an ssh_config alias or `[user@]host[:port]`. */
export interface JumpSpec {
  host: string;
  user?: string;
  port?: number;
}

const JUMP_FORM = /^(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.%a-zA-Z]+\]|[^@:\s[\]]+)(?::(\d{1,5}))?$/;
// Letters, digits, '.', '_' and '-' only: nothing a shell, a `Match exec` or a `%` token could act on.
const SAFE_NAME = /^[A-Za-z0-9._-]+$/;
const SAFE_BRACKETED = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?$/;

export function parseJumpSpec(text: string): JumpSpec {
  const bad = (why: string): TunnelError =>
    new TunnelError('usage', `invalid --jump ${quoteForMessage(text)}: ${why}; use an ssh_config alias or [user@]host[:port]`);
  if (text.startsWith('-')) throw bad('it may not start with "-"');
  if (/[^\x21-\x7e]/.test(text)) throw bad('it may contain only printable ASCII without spaces');
  const match = JUMP_FORM.exec(text);
  if (!match) throw bad('it is not of the form');
  const [, user, rawHost = '', rawPort] = match;
  const bracketed = rawHost.startsWith('[');
  const host = bracketed ? rawHost.slice(1, -1) : rawHost;
  if (host.startsWith('-') || (user !== undefined && user.startsWith('-'))) throw bad('a part may not start with "-"');
  if (!(bracketed ? SAFE_BRACKETED : SAFE_NAME).test(host) || (user !== undefined && !SAFE_NAME.test(user))) {
    throw bad('the user and host may contain only ASCII letters, digits, ".", "_" and "-"');
  }
  const spec: JumpSpec = { host };
  if (user !== undefined) spec.user = user;
  if (rawPort !== undefined) {
    const port = Number(rawPort);
    if (port < 1 || port > 65535) throw bad(`port ${rawPort} is out of range`);
    spec.port = port;
  }
  return spec;
}

/** Arguments for `ssh -G` that make OpenSSH resolve the jump exactly as `ssh JUMP` would. */
export function sshGArgs(spec: JumpSpec, configFile?: string): string[] {
  const args = ['-G'];
  if (configFile !== undefined) args.push('-F', configFile);
  if (spec.user !== undefined) args.push('-l', spec.user);
  if (spec.port !== undefined) args.push('-p', String(spec.port));
  args.push('--', spec.host);
  return args;
}

/** `ssh -G` output: lower-case keyword → every value printed for it, in order. */
export type SshOptions = Map<string, string[]>;

export function parseSshG(text: string): SshOptions {
  const options: SshOptions = new Map();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const key = line.slice(0, space).toLowerCase();
    const values = options.get(key) ?? [];
    values.push(line.slice(space + 1).trimEnd());
    options.set(key, values);
  }
  return options;
}

/** The part of a resolved jump configuration the proxy acts on. */
export interface JumpConfig {
  /** The name the user gave, for messages. */
  name: string;
  hostName: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Agent socket path, or undefined for no agent. */
  identityAgent: string | undefined;
  /** Empty for `none`. */
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  /** RevokedHostKeys as ssh -G prints it, one entry per file; empty for none. */
  revokedHostKeys: string[];
  /** KnownHostsCommand as written (tokens unexpanded); undefined for none. */
  knownHostsCommand: string | undefined;
  checkHostIp: boolean;
  /** The algorithm lists ssh would offer, as `ssh -G` resolves them (`+`, `-` and `^` applied). */
  algorithms: JumpAlgorithms;
  strictHostKeyChecking: string;
  hashKnownHosts: boolean;
  hostKeyAlias: string | undefined;
  batchMode: boolean;
  connectTimeoutSeconds: number | undefined;
  serverAliveIntervalSeconds: number;
  serverAliveCountMax: number;
  proxyCommand: string | undefined;
  proxyJump: string | undefined;
  /** The local facts `%` tokens expand to. */
  context: ExpandContext;
}

export interface JumpAlgorithms {
  hostKey: string[];
  /** Whether ssh reorders hostKey by the key types known_hosts has (see ordersByKnownHosts). */
  hostKeyOrderedByKnownHosts: boolean;
  kex: string[];
  cipher: string[];
  mac: string[];
}

export interface ExpandContext {
  home: string;
  localUser: string;
  uid: number;
  localHostName: string;
  env: NodeJS.ProcessEnv;
}

function first(options: SshOptions, key: string): string | undefined {
  return options.get(key)?.[0];
}

function integer(options: SshOptions, key: string, fallback: number): number {
  const value = Number(first(options, key));
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

const yes = (value: string | undefined): boolean => value === 'yes' || value === 'true';

/** Expands `~`, `${VAR}` and the ssh_config(5) `%` tokens that `ssh -G` leaves in IdentityFile. */
export function expandPath(path: string, jump: { hostName: string; port: number; user: string; name: string }, ctx: ExpandContext): string {
  let out = path.replace(/^~(?=\/|$)/, ctx.home);
  out = out.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => ctx.env[name] ?? '');
  const tokens: Record<string, string> = {
    '%': '%',
    d: ctx.home,
    h: jump.hostName,
    i: String(ctx.uid),
    L: ctx.localHostName.split('.')[0] ?? ctx.localHostName,
    l: ctx.localHostName,
    n: jump.name,
    p: String(jump.port),
    r: jump.user,
    u: ctx.localUser,
  };
  return out.replace(/%(.)/g, (whole, token: string) => tokens[token] ?? whole);
}

function agentPath(value: string | undefined, ctx: ExpandContext, expand: (p: string) => string): string | undefined {
  if (value === undefined || value === 'SSH_AUTH_SOCK') return ctx.env.SSH_AUTH_SOCK || undefined;
  if (value === 'none') return undefined;
  if (value.startsWith('$')) return ctx.env[value.slice(1).replace(/^\{|\}$/g, '')] || undefined;
  return expand(value);
}

/** `defaults`: `ssh -G -F /dev/null` for any host, OpenSSH's compiled-in settings. */
export function jumpConfigFrom(options: SshOptions, name: string, ctx: ExpandContext, defaults?: SshOptions): JumpConfig {
  const hostName = first(options, 'hostname') ?? name;
  const port = integer(options, 'port', 22);
  const user = first(options, 'user') ?? ctx.localUser;
  const expand = (p: string): string => expandPath(p, { hostName, port, user, name }, ctx);
  const words = (key: string): string[] => (options.get(key) ?? []).flatMap((v) => v.split(' ')).filter(Boolean);
  // ssh reads `none` in first place as no file at all, never as a file named "none".
  const files = (key: string): string[] => {
    const all = words(key);
    return all[0]?.toLowerCase() === 'none' ? [] : all.map(expand);
  };
  const commaList = (key: string): string[] => (first(options, key) ?? '').split(',').filter(Boolean);
  const timeout = first(options, 'connecttimeout');
  const none = (value: string | undefined): string | undefined => (value === undefined || value.toLowerCase() === 'none' ? undefined : value);
  return {
    name,
    hostName,
    port,
    user,
    identityFiles: (options.get('identityfile') ?? []).map(expand),
    identitiesOnly: yes(first(options, 'identitiesonly')),
    identityAgent: agentPath(first(options, 'identityagent'), ctx, expand),
    userKnownHostsFiles: files('userknownhostsfile'),
    globalKnownHostsFiles: files('globalknownhostsfile'),
    revokedHostKeys: words('revokedhostkeys')[0]?.toLowerCase() === 'none' ? [] : words('revokedhostkeys'),
    knownHostsCommand: none(first(options, 'knownhostscommand')),
    checkHostIp: yes(first(options, 'checkhostip')),
    algorithms: {
      hostKey: commaList('hostkeyalgorithms'),
      hostKeyOrderedByKnownHosts: ordersByKnownHosts(commaList('hostkeyalgorithms'), defaults?.get('hostkeyalgorithms')?.[0]?.split(',')),
      kex: commaList('kexalgorithms'),
      cipher: commaList('ciphers'),
      mac: commaList('macs'),
    },
    strictHostKeyChecking: first(options, 'stricthostkeychecking') ?? 'ask',
    hashKnownHosts: yes(first(options, 'hashknownhosts')),
    hostKeyAlias: first(options, 'hostkeyalias'),
    batchMode: yes(first(options, 'batchmode')),
    connectTimeoutSeconds: timeout === undefined || timeout === 'none' ? undefined : integer(options, 'connecttimeout', 0) || undefined,
    serverAliveIntervalSeconds: integer(options, 'serveraliveinterval', 0),
    serverAliveCountMax: integer(options, 'serveralivecountmax', 3),
    proxyCommand: none(first(options, 'proxycommand')),
    proxyJump: none(first(options, 'proxyjump')),
    context: ctx,
  };
}

/** Refuses a jump that is reached through another hop: the host key check there would not be ours. */
export function assertDirectJump(jump: JumpConfig): void {
  if (jump.proxyJump !== undefined || jump.proxyCommand !== undefined) {
    throw new TunnelError(
      'usage',
      `the jump ${jump.name} is itself reached through ${jump.proxyJump ? 'ProxyJump' : 'ProxyCommand'}, which tunnel-config proxy does not follow: give --jump a host it can reach directly`,
    );
  }
}
