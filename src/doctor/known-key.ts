import { keyTypeLabel } from '../ssh/hostkey-policy.js';
import { type HostKeyCheck, fingerprintSha256, formatKnownHostsLine, keyTypeOfBlob } from '../ssh/knownhosts.js';

/** How a presented host key stands against known_hosts, as one line and, unless it matches, what to do. */
export interface KnownKeyVerdict {
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface KnownKeyFacts {
  /** The name the key is looked up under (HostKeyAlias, `[host]:port` or the host). */
  name: string;
  key: Buffer;
  check: HostKeyCheck;
  /** The known_hosts files that were read, for messages. */
  files: readonly string[];
  /** What to run to see and record the key the way ssh does (`ssh host-1`). */
  sshCommand: string;
  /** StrictHostKeyChecking as ssh -G resolves it for this host. */
  strict: string;
}

const RECORDS_UNKNOWN = new Set(['accept-new', 'no', 'off', 'false']);

/** The check of one host key: matched, unknown (acceptable only where ssh would record it unasked), changed or revoked. */
export function judgeKnownKey(facts: KnownKeyFacts): KnownKeyVerdict {
  const { name, key, check } = facts;
  const presented = `${keyTypeLabel(keyTypeOfBlob(key))} key ${fingerprintSha256(key)}`;
  switch (check.status) {
    case 'ok':
      return { ok: true, detail: `${presented} of ${name} matches ${check.entry.file}:${check.entry.line}` };
    case 'revoked':
      return {
        ok: false,
        detail: `${presented} of ${name} is marked @revoked in ${check.entry.file}:${check.entry.line}`,
        fix: `this key must not be trusted: ask the host's administrator for its new key and add that to known_hosts`,
      };
    case 'changed': {
      const where = check.entries.map((entry) => `${entry.file}:${entry.line}`).join(', ');
      const file = check.entries[0]?.file ?? facts.files[0] ?? '~/.ssh/known_hosts';
      return {
        ok: false,
        detail: `${presented} presented for ${name} is not the key known for it (${where}): the host key changed, or someone is in between`,
        fix: `verify the new key with the host's administrator (ssh-keygen -lf on its host key); only then remove the old one with \`ssh-keygen -R '${name}' -f ${file}\` and run \`${facts.sshCommand}\` to record the new one`,
      };
    }
    case 'unknown':
      if (RECORDS_UNKNOWN.has(facts.strict.toLowerCase())) {
        return { ok: true, detail: `${presented} of ${name} is not in known_hosts yet; ssh records it on the first connect (StrictHostKeyChecking ${facts.strict})` };
      }
      return {
        ok: false,
        detail: `no key is known for ${name} in ${facts.files.join(', ') || 'any known_hosts file (UserKnownHostsFile none)'}; it presents ${presented}`,
        fix:
          facts.files[0] === undefined
            ? `check that fingerprint with the host's administrator, then give ${name} a UserKnownHostsFile holding \`${formatKnownHostsLine(name, key, { hashed: false })}\``
            : `check that fingerprint with the host's administrator, then add \`${formatKnownHostsLine(name, key, { hashed: false })}\` to ${facts.files[0]} (doctor never writes known_hosts)`,
      };
  }
}
