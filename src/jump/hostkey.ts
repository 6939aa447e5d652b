import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TunnelError } from '../errors.js';
import { decideHostKey, parseStrictHostKeyChecking, renderAddedKeyMessage, renderAskPrompt, renderHostKeyMessage, type HostKeyMessageContext } from '../ssh/hostkey-policy.js';
import type { JumpConfig } from './jump.js';
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  hostKeyAlgorithms,
  knownHostNames,
  knownKeyTypes,
  parseKnownHosts,
  type KnownHostEntry,
} from '../ssh/knownhosts.js';

export interface HostKeyIo {
  /** Asks a question on the terminal; undefined when there is none. */
  ask: (question: string) => Promise<string | undefined>;
  /** Tells the user something on stderr. */
  tell: (line: string) => void;
}

export type HostVerifier = (key: Buffer, verify: (valid: boolean) => void) => boolean | undefined;

export interface HostKeyGuard {
  /** ssh2 `algorithms.serverHostKey`: only the types known_hosts has for this jump, when it has any. */
  algorithms: string[] | undefined;
  verifier: HostVerifier;
  /** Why the last key was refused, once a refusal happened. */
  refusal: () => TunnelError | undefined;
  /** Called around a question so the handshake timer does not count the user's thinking time. */
  onAsk?: (asking: boolean) => void;
}

async function readKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
  return texts.flatMap((text, i) => parseKnownHosts(text, files[i] ?? ''));
}

function recordKey(file: string, line: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${line}\n`, { mode: 0o600 });
}

/**
 * Checks the jump's host key against the known_hosts files `ssh -G` names, as ssh does.
 * Files are read once; the verifier is synchronous unless it must ask, so rekeys stay cheap.
 */
export async function createHostKeyGuard(jump: JumpConfig, io: HostKeyIo): Promise<HostKeyGuard> {
  const entries = await readKnownHosts([...jump.userKnownHostsFiles, ...jump.globalKnownHostsFiles]);
  const names = knownHostNames(jump.hostName, jump.port, jump.hostKeyAlias);
  const strict = parseStrictHostKeyChecking(jump.strictHostKeyChecking);
  const userFile = jump.userKnownHostsFiles[0];
  let refusal: TunnelError | undefined;

  const refuse = (message: string): false => {
    refusal = new TunnelError('hostKey', message);
    return false;
  };
  const remember = (key: Buffer, context: HostKeyMessageContext): boolean => {
    if (!userFile) return refuse(`no UserKnownHostsFile is set to record the host key of ${names[0]}`);
    const line = formatKnownHostsLine(names[0], key, { hashed: jump.hashKnownHosts, salt: randomBytes(20) });
    try {
      recordKey(userFile, line);
    } catch (error) {
      return refuse(`could not record the host key of ${names[0]} in ${userFile}: ${(error as Error).message}`);
    }
    entries.push(...parseKnownHosts(line, userFile));
    io.tell(renderAddedKeyMessage(context, userFile));
    return true;
  };

  const verifier: HostVerifier = (key, verify) => {
    const check = checkHostKey(entries, names, key);
    const decision = decideHostKey(check, strict);
    const context: HostKeyMessageContext = { name: names[0], key, jumpHost: jump.name };
    if (decision.action === 'accept') return true;
    if (decision.action === 'append') return remember(key, context);
    if (decision.action === 'refuse' || check.status === 'ok') {
      return refuse(check.status === 'ok' ? 'host key refused' : renderHostKeyMessage(check, context));
    }
    if (jump.batchMode) {
      return refuse(`no host key is known for ${names[0]} (${fingerprintSha256(key)}) and BatchMode forbids asking; connect once with \`ssh ${jump.name}\` to verify and record it`);
    }
    guard.onAsk?.(true);
    void askUntilAnswered(io, renderAskPrompt(context), fingerprintSha256(key)).then((answer) => {
      guard.onAsk?.(false);
      if (answer === 'yes') verify(remember(key, context));
      else {
        refuse(
          answer === 'no-terminal'
            ? `no host key is known for ${names[0]} (${fingerprintSha256(key)}) and there is no terminal to ask; connect once with \`ssh ${jump.name}\` to verify and record it`
            : `host key verification failed for ${names[0]}: not accepted`,
        );
        verify(false);
      }
    });
    return undefined;
  };

  const guard: HostKeyGuard = {
    algorithms: hostKeyAlgorithms(knownKeyTypes(entries, names)),
    verifier,
    refusal: () => refusal,
  };
  return guard;
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
