/** How the hidden hosts reach their jumphost: an existing ssh_config alias, or a Host block we write. */
export type JumpTarget =
  | { alias: string }
  | {
      host: string;
      port?: number;
      user?: string;
      identityFile?: string;
      /** Lines of the user's own in the jump's section (`ConnectTimeout 5`), kept as written after ours. */
      options?: string[];
    };

/** One tunnel set: the answers of `tunnel-config add`, recoverable from its managed block. */
export interface TunnelSet {
  /** The set's name, e.g. `home`: [a-z0-9][a-z0-9_-]{0,31}. */
  name: string;
  jump: JumpTarget;
  /** The socket directory on the jumphost, e.g. `/home/host`. */
  socketDir: string;
  /** Further jumps, tried in order after `jump` when it fails (failover), each with its socket directory there. */
  moreJumps?: { jump: JumpTarget; socketDir: string }[];
  /** Host names and/or patterns (`host-*`, `pi`, `nas`). */
  hosts: string[];
  /** The login user on the hidden hosts, when set. */
  user?: string;
  /** The absolute path of the tunnel-config executable written into ProxyCommand. */
  proxyPath: string;
  /** The absolute path of the node that runs it, written before it so that ssh's PATH needs no node; unset in blocks written before. */
  nodePath?: string;
  /** The ssh_config file the proxy must resolve the jump from (`-F`), when it is not ssh's default. */
  configFile?: string;
  /** The proxy's `--persist` (how long the shared jump connection outlives its last session), e.g. `10m` or `0`; unset is the proxy's default. */
  persist?: string;
  /** More lines for the hosts' section (`--ssh-option`), each `Keyword value` as written. */
  sshOptions?: string[];
  /** The lines of a seed-recipe section this set took the place of (`--adopt`), as they were; `remove` puts them back. */
  adopted?: string[];
}

/** A managed block as found in a config file's text. */
export interface ManagedBlock {
  name: string;
  /** 1-based line numbers of the begin and end markers. */
  beginLine: number;
  endLine: number;
  /** Character offsets: [start, end) covers the whole block including the end marker's line ending. */
  start: number;
  end: number;
  text: string;
}
