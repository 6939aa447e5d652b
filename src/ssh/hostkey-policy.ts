import { TunnelError } from '../errors.js';
import { fingerprintSha256, keyTypeOfBlob, type HostKeyCheck, type KnownHostEntry } from './knownhosts.js';

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask' | 'off';

/** What the host key messages need to name things the way the user will recognise them. */
export interface HostKeyMessageContext {
  /** The name looked up in known_hosts, e.g. `[jump.example.com]:2222`. */
  name: string;
  /** The key the server presented. */
  key: Buffer;
  /** What the user types to reach the jumphost with ssh, e.g. `jump`. */
  jumpHost: string;
}

// ssh -G prints yes as "true" and no/off as "false"; ssh_config accepts all of these, case-insensitively.
const STRICT_VALUES = new Map<string, StrictHostKeyChecking>([
  ['yes', 'yes'],
  ['true', 'yes'],
  ['no', 'no'],
  ['false', 'no'],
  ['off', 'off'],
  ['ask', 'ask'],
  ['accept-new', 'accept-new'],
]);

const CHANGED_BANNER = [
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
  'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
  'It is also possible that a host key has just been changed.',
];

/** Normalises a StrictHostKeyChecking value as ssh_config(5) or `ssh -G` spells it. */
export function parseStrictHostKeyChecking(value: string): StrictHostKeyChecking {
  const strict = STRICT_VALUES.get(value.trim().toLowerCase());
  if (strict === undefined) {
    throw new TunnelError('usage', `StrictHostKeyChecking "${value}" is not one of yes, no, ask, accept-new, off`);
  }
  return strict;
}

/** The stderr text for a check that did not end in 'ok'; for 'unknown' it is the refusal under `yes`. */
export function renderHostKeyMessage(check: Exclude<HostKeyCheck, { status: 'ok' }>, context: HostKeyMessageContext): string {
  switch (check.status) {
    case 'changed':
      return renderChangedKeyMessage(check.entries, context);
    case 'revoked':
      return renderRevokedKeyMessage(check.entry, context);
    case 'unknown':
      return renderUnknownKeyMessage(context);
  }
}

export function renderChangedKeyMessage(offending: readonly KnownHostEntry[], context: HostKeyMessageContext): string {
  const files = [...new Set(offending.map((entry) => entry.file))];
  return [
    ...CHANGED_BANNER,
    `The fingerprint for the ${keyTypeLabel(keyTypeOfBlob(context.key))} key sent by the remote host is`,
    `${fingerprintSha256(context.key)}.`,
    ...offending.map((entry) => `Offending ${keyTypeLabel(entry.keyType)} key in ${entry.file}:${entry.line}`),
    '  remove with:',
    ...files.map((file) => `  ssh-keygen -f ${shellQuote(file)} -R ${shellQuote(context.name)}`),
    `Host key for ${context.name} has changed and tunnel-config always refuses changed host keys.`,
  ].join('\n');
}

export function renderRevokedKeyMessage(revoked: KnownHostEntry, context: HostKeyMessageContext): string {
  return `the host key for ${context.name} (${fingerprintSha256(context.key)}) is marked @revoked in ${revoked.file}:${revoked.line}`;
}

export function renderUnknownKeyMessage(context: HostKeyMessageContext): string {
  const type = keyTypeLabel(keyTypeOfBlob(context.key));
  return (
    `no ${type} host key is known for ${context.name} (${fingerprintSha256(context.key)}) and StrictHostKeyChecking is yes; ` +
    `connect once with \`ssh ${context.jumpHost}\` to verify and record the key, or set StrictHostKeyChecking accept-new for it`
  );
}

/** OpenSSH's notice after `accept-new` records a key. */
export function renderAddedKeyMessage(context: HostKeyMessageContext, file: string): string {
  return `Warning: Permanently added '${context.name}' (${keyTypeLabel(keyTypeOfBlob(context.key))}) to the list of known hosts in ${file}.`;
}

/** OpenSSH's question for an unknown key under `ask`; the answer is yes, no or the fingerprint. */
export function renderAskPrompt(context: HostKeyMessageContext): string {
  return [
    `The authenticity of host '${context.name}' can't be established.`,
    `${keyTypeLabel(keyTypeOfBlob(context.key))} key fingerprint is ${fingerprintSha256(context.key)}.`,
    'Are you sure you want to continue connecting (yes/no/[fingerprint])? ',
  ].join('\n');
}

/** The short names OpenSSH's sshkey_type() prints, e.g. `ED25519` for `ssh-ed25519`. */
export function keyTypeLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType === 'ssh-dss') return 'DSA';
  if (keyType === 'sk-ssh-ed25519@openssh.com') return 'ED25519-SK';
  if (keyType === 'sk-ecdsa-sha2-nistp256@openssh.com') return 'ECDSA-SK';
  return keyType;
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
