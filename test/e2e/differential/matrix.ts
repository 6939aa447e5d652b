import { type Ctx, type Scenario, type SshExpectation, type Strict, type Stricter, strictValues } from './scenario.js';

/** ssh's stderr for its refusals, as OpenSSH 9 words them. */
export const sshSays = {
  unknown: /No ED25519 host key is known for [^\n]* and you have requested strict checking\.\r?\nHost key verification failed\./,
  /** ask (or BatchMode) with nobody to ask. */
  notAsked: /Host key verification failed\./,
  /** Nothing but the verdict: no known_hosts file at all (`none`), or a question nobody could see. */
  silent: /^Host key verification failed\.\r?\n$/,
  changed: /REMOTE HOST IDENTIFICATION HAS CHANGED![^]*has changed and you have requested strict checking\.\r?\nHost key verification failed\./,
  revoked: /WARNING: REVOKED HOST KEY DETECTED![^]*was revoked and you have requested strict checking\.\r?\nHost key verification failed\./,
} as const;

const connects: SshExpectation = { connects: true };
const recordsJump: SshExpectation = { connects: true, records: (c) => [c.name] };

interface Row {
  title: string;
  knownHosts: (c: Ctx) => string[];
  outcome: (strict: Strict) => { ssh: SshExpectation; stricter?: Stricter };
}

/** Every StrictHostKeyChecking value, with and without BatchMode, for the basic states of known_hosts. */
const rows: Row[] = [
  {
    title: 'known plain entry',
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`],
    outcome: () => ({ ssh: connects }),
  },
  {
    title: 'unknown key',
    knownHosts: () => [],
    outcome: (strict) => {
      if (strict === 'yes') return { ssh: { refuses: sshSays.unknown } };
      if (strict === 'ask') return { ssh: { refuses: sshSays.notAsked } };
      return { ssh: recordsJump };
    },
  },
  {
    title: 'changed key',
    knownHosts: (c) => [`${c.name} ${c.spare}`],
    outcome: (strict) =>
      strict === 'no' || strict === 'off' ? { ssh: connects, stricter: 'changedUnderNo' } : { ssh: { refuses: sshSays.changed } },
  },
  {
    title: '@revoked under the same name',
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `@revoked ${c.name} ${c.key.ed25519}`],
    outcome: (strict) =>
      strict === 'no' || strict === 'off' ? { ssh: connects, stricter: 'revokedUnderNo' } : { ssh: { refuses: sshSays.revoked } },
  },
  {
    title: '@revoked under another name',
    knownHosts: (c) => [`${c.name} ${c.key.ed25519}`, `@revoked other.example ${c.key.ed25519}`],
    outcome: () => ({ ssh: connects, stricter: 'revokedElsewhere' }),
  },
];

export const matrixScenarios: Scenario[] = rows.flatMap((row) =>
  strictValues.flatMap((strict) =>
    [true, false].map((batch): Scenario => ({
      name: `${row.title} · StrictHostKeyChecking ${strict} · ${batch ? 'BatchMode yes' : 'no BatchMode'}`,
      strict,
      batch,
      knownHosts: row.knownHosts,
      ...row.outcome(strict),
    })),
  ),
);

/** The default StrictHostKeyChecking (ask) with nobody to ask. */
export const defaultStrictScenarios: Scenario[] = [
  { name: 'unknown key · no StrictHostKeyChecking line (ask) · no BatchMode', batch: false, knownHosts: () => [], ssh: { refuses: sshSays.notAsked } },
  { name: 'known plain entry · no StrictHostKeyChecking line (ask) · no BatchMode', batch: false, knownHosts: (c) => [`${c.name} ${c.key.ed25519}`], ssh: connects },
];
