import { decodeKeyBlob } from './knownhosts.js';

// The first bytes of a binary KRL (PROTOCOL.krl: "SSHKRL\n\0").
const KRL_MAGIC = Buffer.from('SSHKRL\n\0', 'latin1');

/** Whether a RevokedHostKeys file is a KRL (checked with ssh-keygen -Q) rather than a list of keys. */
export function isKrl(bytes: Buffer): boolean {
  return bytes.subarray(0, KRL_MAGIC.length).equals(KRL_MAGIC);
}

export type RevokedKeyList = { keys: Buffer[] } | { badLine: number };

/**
 * A plain RevokedHostKeys file, as OpenSSH's sshkey_in_file reads it: one `type base64 [comment]`
 * per line, `#` comments and blank lines skipped. A line it cannot read makes ssh refuse, so it is
 * reported rather than skipped.
 */
export function parseRevokedKeyList(text: string): RevokedKeyList {
  const keys: Buffer[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const [type, base64] = line.split(/[ \t]+/);
    const key = base64 === undefined ? null : decodeKeyBlob(base64);
    if (key === null || key.subarray(4, 4 + key.readUInt32BE(0)).toString('latin1') !== type) return { badLine: index + 1 };
    keys.push(key);
  }
  return { keys };
}
