import { createHash, createHmac, randomBytes } from 'node:crypto';
import { TunnelError } from '../errors.js';

export type KnownHostMarker = 'revoked' | 'cert-authority' | null;

/** One well-formed line of a known_hosts file. */
export interface KnownHostEntry {
  file: string;
  /** 1-based, as OpenSSH prints it in "Offending key in FILE:LINE". */
  line: number;
  marker: KnownHostMarker;
  /** The raw host field: comma-separated patterns, or one `|1|salt|hmac` hash. */
  hosts: string;
  keyType: string;
  key: Buffer;
  /** Set for lines a KnownHostsCommand printed: ssh never records next to those. */
  source?: 'command';
}

export type HostKeyCheck =
  | { status: 'ok'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  /** Every plain key known for the name, of any type: OpenSSH treats a known key of another type as a change too. */
  | { status: 'changed'; entries: KnownHostEntry[] }
  | { status: 'unknown' };

/** Names to look a host up under, most specific first. */
export type KnownHostNames = readonly [string, ...string[]];

const MARKERS = new Map<string, KnownHostMarker>([
  ['@revoked', 'revoked'],
  ['@cert-authority', 'cert-authority'],
]);
const HASH_MAGIC = '|1|';
const SALT_BYTES = 20;
// OpenSSH's match_pattern_list gives up on a sub-pattern this long (char sub[1024]).
const MAX_PATTERN_LENGTH = 1023;

/** Length-prefixed fields after the type name, for the key types whose layout we can check. */
const BLOB_FIELD_COUNTS = new Map<string, number>([
  ['ssh-ed25519', 1],
  ['ssh-rsa', 2],
  ['ssh-dss', 4],
  ['ecdsa-sha2-nistp256', 2],
  ['ecdsa-sha2-nistp384', 2],
  ['ecdsa-sha2-nistp521', 2],
  ['sk-ssh-ed25519@openssh.com', 2],
  ['sk-ecdsa-sha2-nistp256@openssh.com', 3],
]);

/** Parses known_hosts text; lines OpenSSH would reject are skipped, never thrown on. */
export function parseKnownHosts(text: string, file: string, source?: 'command'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const entry = parseKnownHostsLine(raw, file, index + 1);
    if (entry !== null) entries.push(source ? { ...entry, source } : entry);
  });
  return entries;
}

function parseKnownHostsLine(raw: string, file: string, line: number): KnownHostEntry | null {
  const fields = raw.replace(/\r$/, '').split(/[ \t]+/).filter((field) => field !== '');
  if (fields.length === 0 || fields[0]?.startsWith('#')) return null;
  // An unknown marker (undefined) makes OpenSSH skip the whole line.
  const marker = fields[0]?.startsWith('@') ? MARKERS.get(fields.shift() ?? '') : null;
  const [hosts, keyType, base64] = fields;
  if (marker === undefined || hosts === undefined || keyType === undefined || base64 === undefined) return null;
  const key = decodeKeyBlob(base64);
  if (key === null || readBlobType(key) !== keyType) return null;
  return { file, line, marker, hosts, keyType, key };
}

/** The blob of a base64 public key, or null unless it is well formed. */
export function decodeKeyBlob(base64: string): Buffer | null {
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  const blob = Buffer.from(base64, 'base64');
  return hasValidLayout(blob) ? blob : null;
}

function hasValidLayout(blob: Buffer): boolean {
  const fields = readSshStrings(blob);
  const type = fields?.[0]?.toString('latin1');
  if (fields === null || type === undefined) return false;
  const expectedFields = BLOB_FIELD_COUNTS.get(type);
  // A type we do not know the layout of is kept: it can only ever add a mismatch, never trust.
  if (expectedFields === undefined) return true;
  if (fields.length !== expectedFields + 1) return false;
  if (type === 'ssh-ed25519') return fields[1]?.length === 32;
  if (type.startsWith('ecdsa-sha2-')) return fields[1]?.toString('latin1') === type.slice('ecdsa-sha2-'.length);
  return true;
}

/** Splits a buffer into SSH wire strings (uint32 length + bytes); null unless they fill it exactly. */
function readSshStrings(blob: Buffer): Buffer[] | null {
  const fields: Buffer[] = [];
  let offset = 0;
  while (offset < blob.length) {
    if (offset + 4 > blob.length) return null;
    const end = offset + 4 + blob.readUInt32BE(offset);
    if (end > blob.length) return null;
    fields.push(blob.subarray(offset + 4, end));
    offset = end;
  }
  return fields;
}

function readBlobType(key: Buffer): string | null {
  if (key.length < 4) return null;
  const end = 4 + key.readUInt32BE(0);
  return end > key.length ? null : key.subarray(4, end).toString('latin1');
}

/** The key type named inside an SSH public key blob, e.g. `ssh-ed25519`. */
export function keyTypeOfBlob(key: Buffer): string {
  const type = readBlobType(key);
  if (type === null || type === '') throw new TunnelError('hostKey', 'the host key is not a valid SSH public key blob');
  return type;
}

/** What `ssh-keygen -lf` prints: `SHA256:` and unpadded base64 of the blob's SHA-256. */
export function fingerprintSha256(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The names OpenSSH looks the key up under: the HostKeyAlias as is, else `host` on port 22 and
 * `[host]:port` otherwise, followed by the bare host, which OpenSSH also accepts a key under.
 */
export function knownHostNames(hostName: string, port: number, hostKeyAlias?: string): KnownHostNames {
  if (hostKeyAlias !== undefined && hostKeyAlias !== '') return [hostKeyAlias.toLowerCase()];
  const host = hostName.toLowerCase();
  return port === 22 ? [host] : [`[${host}]:${port}`, host];
}

/** OpenSSH's match_hostname, with the name lowercased as ssh lowercases it before looking it up. */
export function matchesHost(entry: Pick<KnownHostEntry, 'hosts'>, name: string): boolean {
  const lowered = name.toLowerCase();
  return entry.hosts.startsWith('|') ? matchesHashedHost(entry.hosts, lowered) : matchesPatternList(entry.hosts, lowered);
}

function matchesHashedHost(field: string, name: string): boolean {
  if (!field.startsWith(HASH_MAGIC)) return false;
  const saltEnd = field.indexOf('|', HASH_MAGIC.length);
  if (saltEnd < 0) return false;
  const salt = Buffer.from(field.slice(HASH_MAGIC.length, saltEnd), 'base64');
  return salt.length === SALT_BYTES && hashHostName(name, salt) === field;
}

function hashHostName(name: string, salt: Buffer): string {
  const hmac = createHmac('sha1', salt).update(name).digest('base64');
  return `${HASH_MAGIC}${salt.toString('base64')}|${hmac}`;
}

function matchesPatternList(list: string, name: string): boolean {
  let matchedPositive = false;
  for (const item of list.toLowerCase().split(',')) {
    const negated = item.startsWith('!');
    const pattern = negated ? item.slice(1) : item;
    if (pattern.length >= MAX_PATTERN_LENGTH) return false;
    if (!matchesGlob(name, pattern)) continue;
    if (negated) return false;
    matchedPositive = true;
  }
  return matchedPositive;
}

/** `*` and `?` globbing; iterative, so no pattern in a user's file can backtrack exponentially. */
function matchesGlob(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starAt = -1;
  let textAtStar = 0;
  while (t < text.length) {
    if (pattern[p] === '*') {
      starAt = p++;
      textAtStar = t;
    } else if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++textAtStar;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * OpenSSH's check_host_key: a matching plain key is ok; otherwise any plain key known for the
 * name (of any type) means changed. Fallback names only ever turn 'unknown' into 'ok'.
 * Stricter than OpenSSH on purpose: an @revoked key is refused whatever host its line names.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], names: string | KnownHostNames, key: Buffer): HostKeyCheck {
  const revoked = entries.find((entry) => entry.marker === 'revoked' && entry.key.equals(key));
  if (revoked !== undefined) return { status: 'revoked', entry: revoked };
  const [name, ...fallbacks] = typeof names === 'string' ? [names] : names;
  const primary = checkName(entries, name, key);
  if (primary.status !== 'unknown') return primary;
  for (const fallback of fallbacks) {
    const check = checkName(entries, fallback, key);
    if (check.status === 'ok') return check;
  }
  return primary;
}

function checkName(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyCheck {
  const known = entries.filter((entry) => entry.marker === null && matchesHost(entry, name));
  const match = known.find((entry) => entry.key.equals(key));
  if (match !== undefined) return { status: 'ok', entry: match };
  return known.length > 0 ? { status: 'changed', entries: known } : { status: 'unknown' };
}

/**
 * The key types ssh counts as known when it orders host key algorithms (hostfile.c,
 * lookup_key_in_hostkeys_by_type), from the entries it loaded for the host: a type is known when its
 * first plain key is not marked @revoked among them.
 */
export function orderingKeyTypes(forName: readonly KnownHostEntry[]): string[] {
  const revoked = forName.filter((entry) => entry.marker === 'revoked');
  const types: string[] = [];
  const seen = new Set<string>();
  for (const entry of forName) {
    if (entry.marker !== null || seen.has(entry.keyType)) continue;
    seen.add(entry.keyType);
    if (!revoked.some((mark) => mark.key.equals(entry.key))) types.push(entry.keyType);
  }
  return types;
}

/** The line `ssh` appends for a new key (no newline), lowercased like OpenSSH's write_host_entry. */
export function formatKnownHostsLine(name: string, key: Buffer, options: { hashed: boolean; salt?: Buffer }): string {
  const host = name.toLowerCase();
  const hostField = options.hashed ? hashHostName(host, checkedSalt(options.salt ?? randomBytes(SALT_BYTES))) : host;
  return `${hostField} ${keyTypeOfBlob(key)} ${key.toString('base64')}`;
}

function checkedSalt(salt: Buffer): Buffer {
  if (salt.length !== SALT_BYTES) throw new TunnelError('internal', `a known_hosts salt must be ${SALT_BYTES} bytes, not ${salt.length}`);
  return salt;
}
