import type { StrictHostKeyChecking } from './hostkey-policy.js';
import type { HostKeyCheck, KnownHostEntry } from './knownhosts.js';

/** What the known_hosts sources say about one presented key, gathered as OpenSSH's check_host_key gathers it. */
export interface HostKeyFacts {
  /** Under the name ssh looks up first: the HostKeyAlias, `host` or `[host]:port`. */
  host: HostKeyCheck;
  /** Under the bare host when `host` is `[host]:port` (files only: ssh runs no KnownHostsCommand for it). */
  bareHost?: HostKeyCheck;
  /** Under the jump's address, when CheckHostIP applies (not loopback, not a literal address). */
  ip?: HostKeyCheck;
  /** A UserKnownHostsFile exists to record into, and the host name is one ssh would record. */
  recordable: boolean;
}

/** Which names a new line is recorded under. */
export type RecordName = 'host' | 'ip';

export type JumpHostKeyDecision =
  | { action: 'accept'; record: RecordName[] }
  | { action: 'ask'; record: RecordName[] }
  | { action: 'refuse'; reason: 'revoked' | 'changed' | 'ip-changed' | 'unknown' | 'unrecordable' };

const fromCommand = (check: HostKeyCheck): boolean => check.status === 'ok' && check.entry.source === 'command';

/**
 * OpenSSH's check_host_key with CheckHostIP, never weaker: a changed or revoked key, or a key
 * that differs from the one known for the jump's address, is refused under every
 * StrictHostKeyChecking value (ssh carries on under `no`/`off`, or asks under `ask`).
 */
export function decideJumpHostKey(facts: HostKeyFacts, strict: StrictHostKeyChecking): JumpHostKeyDecision {
  const { host, bareHost, ip } = facts;
  if (host.status === 'revoked' || ip?.status === 'revoked') return { action: 'refuse', reason: 'revoked' };
  if (host.status === 'changed') return { action: 'refuse', reason: 'changed' };
  if (ip?.status === 'changed') return { action: 'refuse', reason: 'ip-changed' };
  // ssh records the address of a known host only in a file it may write, never for a key a command vouched for.
  const recordIp: RecordName[] = ip?.status === 'unknown' && facts.recordable ? ['ip'] : [];
  if (host.status === 'ok') return { action: 'accept', record: fromCommand(host) ? [] : recordIp };
  if (bareHost?.status === 'ok') return { action: 'accept', record: [] };
  if (!facts.recordable) return { action: 'refuse', reason: 'unrecordable' };
  const record: RecordName[] = ip?.status === 'unknown' ? ['host', 'ip'] : ['host'];
  switch (strict) {
    case 'yes':
      return { action: 'refuse', reason: 'unknown' };
    case 'ask':
      return { action: 'ask', record };
    case 'accept-new':
    case 'no':
    case 'off':
      return { action: 'accept', record };
  }
}

/** The known_hosts entry a refusal points at, for messages. */
export function offendingEntries(check: HostKeyCheck | undefined): KnownHostEntry[] {
  if (check === undefined) return [];
  if (check.status === 'changed') return check.entries;
  if (check.status === 'revoked' || check.status === 'ok') return [check.entry];
  return [];
}

// Characters OpenSSH will not write into a known_hosts host field (sshconnect.c check_host_key).
const UNRECORDABLE = /[@?*#[\]|'"\\]/;

/** Whether ssh would record a key under this HostName (before `[host]:port` is formed). */
export function isRecordableHostName(hostName: string): boolean {
  return !UNRECORDABLE.test(hostName);
}

/** The CheckHostIP lookup name, or undefined where ssh skips the check (loopback, a literal address as HostName). */
export function checkHostIpName(hostName: string, address: string | undefined, port: number): string | undefined {
  if (address === undefined || address === '' || isLoopback(address)) return undefined;
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const name = port === 22 ? plain : `[${plain}]:${port}`;
  return name === hostName.toLowerCase() ? undefined : name;
}

function isLoopback(address: string): boolean {
  const v4 = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return /^127\./.test(v4) || address === '::1';
}
