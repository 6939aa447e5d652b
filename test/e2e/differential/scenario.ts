import type { KeyType } from '../../world.js';
import { configPath } from '../../support/quote.js';

export type Strict = 'yes' | 'no' | 'off' | 'ask' | 'accept-new';

export const strictValues: readonly Strict[] = ['yes', 'no', 'off', 'ask', 'accept-new'];

/** Which sshd the scenario connects to. */
export type JumpKind =
  /** The world's jump on 127.0.0.1:PORT with ed25519, ecdsa and rsa host keys. */
  | 'main'
  /** A jump on 127.0.0.1:PORT2 with only the rsa key, offered only as SHA-1 `ssh-rsa`. */
  | 'sha1'
  /** The world's host keys on 192.0.2.1:22 in a network namespace, reached as `jump.test`. */
  | 'netns';

/** What a scenario's files and lines are written from. */
export interface Ctx {
  /** The directory the run happens in (its cwd), holding the scenario's files. */
  dir: string;
  hostName: string;
  port: number;
  /** The name ssh looks the jump up under in known_hosts: `[127.0.0.1]:PORT`, or `jump.test` on port 22. */
  name: string;
  /** The jump's address: the IP entry under CheckHostIP, the portless name ssh retries on another port. */
  ip: string;
  /** The jump's host public keys, `type base64`. */
  key: Record<KeyType, string>;
  /** A key the jump does not have: a changed host key. */
  spare: string;
  /** A CA key that signed nothing. */
  ca: string;
  /** Public key files, for ssh-keygen -k. */
  pub: { ed25519: string; spare: string };
  /** SHA256 fingerprint of the jump's ed25519 key, as %f gives it. */
  ed25519Fingerprint: string;
}

/** How OpenSSH's `ssh jump true` must end, for the scenario to test what its name says. */
export type SshExpectation =
  | {
      connects: true;
      /** Names ssh must newly record in `recordsIn` (default known_hosts); nothing else may change. */
      records?: (c: Ctx) => string[];
      recordsIn?: string;
    }
  | {
      /** Matched against ssh's stderr; ssh exits 255. */
      refuses: RegExp;
      /** Algorithm negotiation failed (not a known_hosts verdict): the proxy may exit 3 or 4. */
      negotiation?: true;
    };

/**
 * The product refuses where ssh carries on, on purpose; only these. A scenario names one and the
 * test asserts that ssh connects and the proxy refuses with exit 4.
 */
export const stricterOnPurpose = {
  /** ssh warns, disables password auth and forwarding, and connects; we refuse. */
  changedUnderNo: 'StrictHostKeyChecking no/off with a changed key',
  revokedUnderNo: 'StrictHostKeyChecking no/off with a revoked key',
  /** ssh only loads the @revoked lines matching the host; we refuse the key whatever name the line has. */
  revokedElsewhere: '@revoked under another host name',
} as const;

export type Stricter = keyof typeof stricterOnPurpose;

export interface Scenario {
  name: string;
  jump?: JumpKind;
  /** Omitted: no StrictHostKeyChecking line, so ssh's default (ask). */
  strict?: Strict;
  /** `BatchMode yes` in the config, else `BatchMode no` (both run without a terminal either way). */
  batch: boolean;
  /** Lines first in `Host jump`, so they override the defaults below them. */
  config?: (c: Ctx) => string[];
  /** The UserKnownHostsFile `known_hosts`; undefined: no such file. */
  knownHosts?: (c: Ctx) => string[];
  /** More files in the run directory; names ending in `.sh` are made executable. */
  files?: (c: Ctx) => Record<string, string>;
  /** Runs in the starting directory after the files are written (e.g. ssh-keygen -H). */
  prepare?: (c: Ctx, keygen: (args: string[]) => Promise<void>) => Promise<void>;
  ssh: SshExpectation;
  stricter?: Stricter;
}

/** `Host jump`: the scenario's lines, then strict client defaults (ssh keeps the first value it reads). */
export function renderConfig(scenario: Scenario, c: Ctx, user: string, identityFile: string): string {
  const lines = [
    'Host jump',
    ...(scenario.config?.(c) ?? []),
    ...(scenario.strict ? [`StrictHostKeyChecking ${scenario.strict}`] : []),
    `BatchMode ${scenario.batch ? 'yes' : 'no'}`,
    `HostName ${c.hostName}`,
    `Port ${c.port}`,
    `User ${user}`,
    `IdentityFile ${configPath(identityFile)}`,
    'IdentitiesOnly yes',
    'IdentityAgent none',
    `UserKnownHostsFile ${configPath(`${c.dir}/known_hosts`)}`,
    `GlobalKnownHostsFile ${configPath(`${c.dir}/global_known_hosts`)}`,
    // ssh would otherwise add the jump's other host keys after login, which the proxy does not do
    'UpdateHostKeys no',
    'CheckHostIP no',
    'ConnectTimeout 10',
  ];
  return lines.map((line, i) => (i === 0 ? line : `  ${line}`)).join('\n') + '\n';
}

/** Both values of BatchMode for one scenario. */
export function withAndWithoutBatchMode(scenario: Omit<Scenario, 'batch'>): Scenario[] {
  return [
    { ...scenario, name: `${scenario.name}, BatchMode yes`, batch: true },
    { ...scenario, name: `${scenario.name}, no BatchMode`, batch: false },
  ];
}
