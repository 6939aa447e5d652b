import { TunnelError } from '../../errors.js';
import { perJump } from '../../ssh/per-jump.js';
import type { TunnelSpec } from './spec.js';

/** The flags that describe one jump, as typed and by their key: each may be given once per --jump-host. */
export const JUMP_FLAGS = {
  'jump-host': 'jumpHost',
  'jump-port': 'jumpPort',
  'jump-user': 'jumpUser',
  identity: 'identity',
  'known-hosts': 'knownHosts',
  'socket-dir': 'socketDir',
} as const;

export type JumpFlagKey = (typeof JUMP_FLAGS)[keyof typeof JUMP_FLAGS];

/** Each per-jump flag's values in the order given; absent or empty means not given. */
export type RepeatedJumpFlags = Partial<Record<JumpFlagKey, readonly string[]>>;

/** One jump's flags; undefined means not given (the default). */
export type JumpFlags = { jumpHost: string } & Partial<Record<Exclude<JumpFlagKey, 'jumpHost'>, string>>;

const flagOf = (key: JumpFlagKey): string => `--${Object.entries(JUMP_FLAGS).find(([, value]) => value === key)?.[0] ?? key}`;

/**
 * The jumps in --jump-host order with their own flags, paired as the proxy pairs --jump and --socket-dir:
 * a flag given once is every jump's, given once per jump the Nth is the Nth jump's; any other count is refused.
 */
export function pairJumpFlags(given: RepeatedJumpFlags): JumpFlags[] {
  const hosts = given.jumpHost ?? [];
  if (hosts.length === 0) throw new TunnelError('usage', 'host-setup needs --jump-host HOST (see tunnel-config host-setup --help)');
  const keys = Object.values(JUMP_FLAGS).filter((key) => key !== 'jumpHost');
  const paired = keys.map((key) => {
    const values = given[key] ?? [];
    const each = perJump(values, hosts.length);
    if (each === undefined) {
      throw new TunnelError(
        'usage',
        `host-setup got ${hosts.length} --jump-host and ${values.length} ${flagOf(key)}: give one ${flagOf(key)} for every jump, or one per --jump-host in the same order`,
      );
    }
    return [key, each] as const;
  });
  return hosts.map((jumpHost, index) => {
    const jump: JumpFlags = { jumpHost };
    for (const [key, each] of paired) {
      const value = each[index];
      if (value !== undefined) jump[key] = value;
    }
    return jump;
  });
}

/** Two tunnels to the same jump would fight over one socket: each jump (host and port) is named once. */
export function duplicateJumpProblem(specs: readonly Pick<TunnelSpec, 'jumpHost' | 'jumpPort'>[]): string | undefined {
  const seen = new Set<string>();
  for (const spec of specs) {
    const key = `${spec.jumpHost.toLowerCase()} ${spec.jumpPort}`;
    if (seen.has(key)) return `--jump-host ${spec.jumpHost} is given twice (both on port ${spec.jumpPort}): name each jump once`;
    seen.add(key);
  }
  return undefined;
}
