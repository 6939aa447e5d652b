import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TunnelError } from '../errors.js';
import { checkHostIpName, decideJumpHostKey, isRecordableHostName, offendingEntries, type RecordName } from '../ssh/hostkey-decision.js';
import {
  keyTypeLabel,
  parseStrictHostKeyChecking,
  renderAddedKeyMessage,
  renderAskPrompt,
  renderHostKeyMessage,
  type HostKeyMessageContext,
} from '../ssh/hostkey-policy.js';
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownHostNames,
  matchesHost,
  orderingKeyTypes,
  parseKnownHosts,
  type HostKeyCheck,
  type KnownHostEntry,
} from '../ssh/knownhosts.js';
import type { JumpConfig } from './jump.js';
import { runKnownHostsCommand } from './known-hosts-command.js';
import { checkRevokedHostKeys, revokedKeyFiles } from './revoked.js';

export interface HostKeyIo {
  /** Asks a question on the terminal; undefined when there is none. */
  ask: (question: string) => Promise<string | undefined>;
  /** Tells the user something on stderr. */
  tell: (line: string) => void;
  /** Never write known_hosts (tunnel-config doctor only looks): a key that would be recorded is accepted unrecorded. */
  readOnly?: boolean;
  /** Told each host key the jump presents, before it is checked. */
  onKey?: (key: Buffer) => void;
}

export type HostVerifier = (key: Buffer, verify: (valid: boolean) => void) => boolean | undefined;

export interface HostKeyGuard {
  /** Key types known for the jump as ssh counts them to order its host key algorithms. */
  knownTypes: string[];
  verifier: HostVerifier;
  /** The address the TCP connection reached, for CheckHostIP. */
  connectedTo: (address: string | undefined) => void;
  /** Why the last key was refused, once a refusal happened. */
  refusal: () => TunnelError | undefined;
  /** Called around a question so the handshake timer does not count the user's thinking time. */
  onAsk?: (asking: boolean) => void;
}

/** The entries of the known_hosts files ssh -G names; a file that cannot be read has none, as for ssh. */
export async function readKnownHostsFiles(files: readonly string[]): Promise<KnownHostEntry[]> {
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
  return texts.flatMap((text, i) => parseKnownHosts(text, files[i] ?? ''));
}

function recordKey(file: string, lines: readonly string[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, lines.map((line) => `${line}\n`).join(''), { mode: 0o600 });
}

/**
 * Checks the jump's host key as ssh does: RevokedHostKeys, the known_hosts files and KnownHostsCommand
 * that `ssh -G` names, CheckHostIP, StrictHostKeyChecking. A key accepted once is accepted again on a
 * rekey without asking anything (as ssh keeps the previous host key); any other key is checked afresh.
 */
export async function createHostKeyGuard(jump: JumpConfig, io: HostKeyIo): Promise<HostKeyGuard> {
  const strict = parseStrictHostKeyChecking(jump.strictHostKeyChecking);
  const [fileEntries, ordered, revokedFiles] = await Promise.all([
    readKnownHostsFiles([...jump.userKnownHostsFiles, ...jump.globalKnownHostsFiles]),
    runKnownHostsCommand(jump, 'ORDER', jump.hostName),
    revokedKeyFiles(jump),
  ]);
  const names = knownHostNames(jump.hostName, jump.port, jump.hostKeyAlias);
  const userFile = jump.userKnownHostsFiles[0];
  const trusted: Buffer[] = [];
  let address: string | undefined;
  let refusal: TunnelError | undefined;

  const refuse = (error: TunnelError): false => {
    refusal = error;
    return false;
  };

  const record = (key: Buffer, what: readonly RecordName[], ipName: string | undefined, context: HostKeyMessageContext): void => {
    const recorded = what.map((name) => (name === 'ip' ? (ipName ?? '') : names[0])).filter(Boolean);
    if (recorded.length === 0 || userFile === undefined || io.readOnly) return;
    const lines = jump.hashKnownHosts
      ? recorded.map((name) => formatKnownHostsLine(name, key, { hashed: true, salt: randomBytes(20) }))
      : [formatKnownHostsLine(recorded.join(','), key, { hashed: false })];
    try {
      recordKey(userFile, lines);
    } catch (error) {
      throw new TunnelError('hostKey', `could not record the host key of ${recorded.join(',')} in ${userFile}: ${(error as Error).message}`);
    }
    fileEntries.push(...parseKnownHosts(lines.join('\n'), userFile));
    io.tell(renderAddedKeyMessage({ ...context, name: recorded.join(',') }, userFile));
  };

  const verifyKey = async (key: Buffer): Promise<boolean> => {
    const context: HostKeyMessageContext = { name: names[0], key, jumpHost: jump.name };
    await checkRevokedHostKeys(jump, revokedFiles, names[0], key);
    const ipName = jump.checkHostIp ? checkHostIpName(jump.hostName, address, jump.port) : undefined;
    const [hostCommand, ipCommand] = await Promise.all([
      runKnownHostsCommand(jump, 'HOSTNAME', names[0], key),
      ipName === undefined ? [] : runKnownHostsCommand(jump, 'ADDRESS', ipName, key),
    ]);
    const host = checkHostKey([...fileEntries, ...hostCommand], names[0], key);
    const bareName = names[1];
    const bareHost = host.status === 'unknown' && bareName !== undefined ? checkHostKey(fileEntries, bareName, key) : undefined;
    const ip = ipName === undefined ? undefined : checkHostKey([...fileEntries, ...ipCommand], ipName, key);
    const recordable = userFile !== undefined && isRecordableHostName(jump.hostKeyAlias ?? jump.hostName);
    const decision = decideJumpHostKey({ host, ...(bareHost ? { bareHost } : {}), ...(ip ? { ip } : {}), recordable }, strict);

    if (decision.action === 'accept') {
      record(key, decision.record, ipName, context);
      return true;
    }
    if (decision.action === 'refuse') throw refusalFor(decision.reason, { host, ip, ipName, context, jump });
    if (jump.batchMode) {
      throw new TunnelError('hostKey', `no host key is known for ${names[0]} (${fingerprintSha256(key)}) and BatchMode forbids asking; connect once with \`ssh ${jump.name}\` to verify and record it`);
    }
    guard.onAsk?.(true);
    const answer = await askUntilAnswered(io, renderAskPrompt(context), fingerprintSha256(key));
    guard.onAsk?.(false);
    if (answer === 'no-terminal') {
      throw new TunnelError('hostKey', `no host key is known for ${names[0]} (${fingerprintSha256(key)}) and there is no terminal to ask; connect once with \`ssh ${jump.name}\` to verify and record it`);
    }
    if (answer === 'no') throw new TunnelError('hostKey', `host key verification failed for ${names[0]}: not accepted`);
    record(key, decision.record, ipName, context);
    return true;
  };

  // Never an async function: ssh2 takes any returned promise as a yes. Undefined means "wait for verify()".
  const verifier: HostVerifier = (key, verify) => {
    io.onKey?.(key);
    if (trusted.some((known) => known.equals(key))) return true;
    verifyKey(key).then(
      (ok) => {
        if (ok) trusted.push(key);
        verify(ok);
      },
      (error: unknown) => {
        refuse(error instanceof TunnelError ? error : new TunnelError('hostKey', `the host key of ${names[0]} could not be checked: ${(error as Error).message}`));
        verify(false);
      },
    );
    return undefined;
  };

  const guard: HostKeyGuard = {
    // As ssh loads them to order: the files under the lookup name, the command's lines under the host.
    knownTypes: orderingKeyTypes([
      ...fileEntries.filter((entry) => matchesHost(entry, names[0])),
      ...ordered.filter((entry) => matchesHost(entry, jump.hostName)),
    ]),
    verifier,
    connectedTo: (remote) => {
      address = remote;
    },
    refusal: () => refusal,
  };
  return guard;
}

interface RefusalFacts {
  host: HostKeyCheck;
  ip: HostKeyCheck | undefined;
  ipName: string | undefined;
  context: HostKeyMessageContext;
  jump: JumpConfig;
}

function refusalFor(reason: 'revoked' | 'changed' | 'ip-changed' | 'unknown' | 'unrecordable', facts: RefusalFacts): TunnelError {
  const { host, ip, ipName, context, jump } = facts;
  const fingerprint = fingerprintSha256(context.key);
  switch (reason) {
    case 'revoked': {
      const check = host.status === 'revoked' ? host : ip;
      return new TunnelError('hostKey', check && check.status === 'revoked' ? renderHostKeyMessage(check, context) : 'host key refused');
    }
    case 'changed':
    case 'unknown':
      return new TunnelError('hostKey', host.status === 'ok' ? 'host key refused' : renderHostKeyMessage(host, context));
    case 'ip-changed': {
      const where = offendingEntries(ip).map((entry) => `${entry.file}:${entry.line}`).join(', ');
      return new TunnelError(
        'hostKey',
        `the ${keyTypeLabel(keyTypeOfBlob(context.key))} host key for ${context.name} (${fingerprint}) differs from the key known for its address ${ipName ?? ''} (${where}; CheckHostIP): DNS spoofing, or the address and key changed together; verify with \`ssh ${jump.name}\`, then fix known_hosts`,
      );
    }
    case 'unrecordable':
      return new TunnelError(
        'hostKey',
        `no host key is known for ${context.name} (${fingerprint}) and ${jump.userKnownHostsFiles.length === 0 ? 'UserKnownHostsFile is none' : `${jump.hostKeyAlias ?? jump.hostName} cannot be recorded in known_hosts`}, so ssh would refuse it too: add the verified key to a known_hosts file for ${jump.name}`,
      );
  }
}

async function askUntilAnswered(io: HostKeyIo, prompt: string, fingerprint: string): Promise<'yes' | 'no' | 'no-terminal'> {
  let question = prompt;
  for (;;) {
    const answer = await io.ask(question);
    if (answer === undefined) return 'no-terminal';
    const word = answer.trim();
    if (word.toLowerCase() === 'yes' || word === fingerprint) return 'yes';
    if (word.toLowerCase() === 'no') return 'no';
    question = "Please type 'yes', 'no' or the fingerprint: ";
  }
}
