/** A validated reverse tunnel: what every renderer of src/setup/host/ turns into a service or a command. */
export interface TunnelSpec {
  /** This host's name; the socket on the jump is `socketPath` (DIR/NAME.sock). */
  name: string;
  jumpHost: string;
  jumpPort: number;
  jumpUser: string;
  socketPath: string;
  /** The port of this host's sshd, reached as localhost:PORT. */
  localPort: number;
  /** Absolute path; passed with IdentitiesOnly so no other key (and no agent key) is offered. */
  identityFile?: string;
  /** Absolute path of the known_hosts file holding the jump's key, when it is not ssh's default. */
  knownHostsFile?: string;
  /** Absolute path of the ssh binary (systemd and launchd want one). */
  sshPath: string;
  /** ServerAliveInterval in seconds; SERVER_ALIVE_INTERVAL when not given. */
  aliveInterval?: number;
  /** The jump's place in --jump-host order, given from the second jump on: it names that jump's service. */
  jumpNumber?: number;
}

export const SERVER_ALIVE_INTERVAL = 10;
export const SERVER_ALIVE_COUNT_MAX = 3;
/** Longest ServerAliveInterval host-setup takes: a dead link is then noticed within the hour. */
export const MAX_ALIVE_INTERVAL = 900;
export const RESTART_DELAY_SECONDS = 5;

/** How long the tunnel waits on a silent jump, connected (ServerAlive checks) or connecting (ConnectTimeout). */
export const silentJumpSeconds = (spec: Pick<TunnelSpec, 'aliveInterval'>): number => (spec.aliveInterval ?? SERVER_ALIVE_INTERVAL) * SERVER_ALIVE_COUNT_MAX;

/**
 * What a tunnel's service is named after: the host's name, with `-jumpN` for the Nth jump from the second on,
 * so the first jump's service keeps its name when more jumps are added.
 */
export const serviceKey = (spec: Pick<TunnelSpec, 'name' | 'jumpNumber'>): string =>
  spec.jumpNumber !== undefined && spec.jumpNumber > 1 ? `${spec.name}-jump${spec.jumpNumber}` : spec.name;

/** The service's name: the systemd unit is `${serviceName}.service`. */
export const serviceName = (name: string): string => `tunnel-config-${name}`;

/** The launchd Label, also the plist's file name without `.plist`. */
export const launchdLabel = (name: string): string => `tunnel-config.${name}`;

/** How the jump's host key is looked up in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export const knownHostsName = (spec: Pick<TunnelSpec, 'jumpHost' | 'jumpPort'>): string =>
  spec.jumpPort === 22 ? spec.jumpHost : `[${spec.jumpHost}]:${spec.jumpPort}`;

export const describeTunnel = (spec: TunnelSpec): string => `keeps ${spec.name} reachable as ${spec.socketPath} on ${spec.jumpHost}`;
