import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import type { JumpConfig } from './jump.js';
import { BaseAgent, OpenSSHAgent, parseKey } from './ssh2.js';


export interface AuthDeps {
  readFile: (path: string) => Promise<Buffer | undefined>;
  /** Asks for a key's passphrase on the terminal; undefined when there is none. */
  askPassphrase: (question: string) => Promise<string | undefined>;
}

/** What was tried, so a failure can say what to do. */
export interface AuthReport {
  agentUsed: boolean;
  keysTried: string[];
  /** Passphrase-protected keys that could not be unlocked: no terminal, BatchMode, or wrong passphrases. */
  locked: string[];
  wrongPassphrase: boolean;
  /** The identity last offered: after a successful login, the one that worked (`key FILE` or `agent key COMMENT (SHA256:…)`). */
  offered?: string;
}

const readIfExists = async (path: string): Promise<Buffer | undefined> => {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
};

function publicBlob(data: Buffer | undefined): Buffer | undefined {
  if (!data) return undefined;
  const key = parseKey(data);
  if (key instanceof Error) return undefined;
  return key.getPublicSSH();
}

const isEncryptedKeyError = (error: Error): boolean => /passphrase|encrypted/i.test(error.message);

/** An agent that offers only the keys named by IdentityFile, as `IdentitiesOnly yes` asks. */
class FilteredAgent extends BaseAgent<ParsedKey> {
  constructor(
    private readonly inner: InstanceType<typeof OpenSSHAgent>,
    private readonly allowed: Buffer[],
  ) {
    super();
  }

  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    this.inner.getIdentities((err, keys) => {
      if (err || !keys) return cb(err ?? undefined, undefined);
      const parsed = keys.filter((key): key is ParsedKey => 'getPublicSSH' in key);
      cb(undefined, parsed.filter((key) => this.allowed.some((blob) => blob.equals(key.getPublicSSH()))));
    });
  }

  sign(pubKey: ParsedKey, data: Buffer, options: unknown, cb?: unknown): void {
    (this.inner.sign as (...args: unknown[]) => void)(pubKey, data, options, cb);
  }
}

/** Passes an agent through, telling which of its keys it signs with: the one the jump accepted, once logged in. */
class ReportingAgent extends BaseAgent<ParsedKey> {
  constructor(
    private readonly inner: InstanceType<typeof BaseAgent>,
    private readonly onSign: (key: ParsedKey) => void,
  ) {
    super();
  }

  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    (this.inner.getIdentities as (cb: (err: Error | undefined, keys?: ParsedKey[]) => void) => void)(cb);
  }

  sign(pubKey: ParsedKey, data: Buffer, options: unknown, cb?: unknown): void {
    this.onSign(pubKey);
    (this.inner.sign as (...args: unknown[]) => void)(pubKey, data, options, cb);
  }
}

const agentKeyName = (key: ParsedKey): string =>
  `agent key ${key.comment || key.type} (SHA256:${createHash('sha256').update(key.getPublicSSH()).digest('base64').replace(/=+$/, '')})`;

/** Tries keys in the order ssh does: the agent's, then each IdentityFile, asking passphrases only when needed. */
export function createAuthHandler(jump: JumpConfig, deps: AuthDeps, report: AuthReport): AuthHandlerMiddleware {
  const steps: Array<() => Promise<AnyAuthMethod | undefined>> = [];
  const username = jump.user;

  if (jump.identityAgent) {
    const agentPath = jump.identityAgent;
    steps.push(async () => {
      const agent = new OpenSSHAgent(agentPath);
      report.agentUsed = true;
      report.offered = 'the agent';
      const reporting = (inner: InstanceType<typeof BaseAgent>): InstanceType<typeof BaseAgent> =>
        new ReportingAgent(inner, (key) => {
          report.offered = agentKeyName(key);
        });
      if (!jump.identitiesOnly) return { type: 'agent', username, agent: reporting(agent) };
      const blobs = await Promise.all(jump.identityFiles.map((file) => deps.readFile(`${file}.pub`)));
      const allowed = blobs.map((data) => publicBlob(data)).filter((b): b is Buffer => b !== undefined);
      return { type: 'agent', username, agent: reporting(new FilteredAgent(agent, allowed)) };
    });
  }

  for (const file of jump.identityFiles) {
    steps.push(async () => {
      const data = await deps.readFile(file);
      if (!data) return undefined;
      let key = parseKey(data);
      let passphrase: string | undefined;
      // ssh's NumberOfPasswordPrompts default: three tries.
      for (let tries = 0; tries < 3 && key instanceof Error && isEncryptedKeyError(key) && !jump.batchMode; tries++) {
        passphrase = await deps.askPassphrase(`Enter passphrase for key '${file}': `);
        if (passphrase === undefined) break;
        key = parseKey(data, passphrase);
        if (key instanceof Error) report.wrongPassphrase = true;
      }
      if (key instanceof Error) {
        if (isEncryptedKeyError(key)) report.locked.push(file);
        return undefined;
      }
      report.keysTried.push(file);
      report.offered = `key ${file}`;
      return passphrase === undefined ? { type: 'publickey', username, key: data } : { type: 'publickey', username, key: data, passphrase };
    });
  }

  return (methodsLeft, _partial, next) => {
    const advance = async (): Promise<void> => {
      if (methodsLeft && !methodsLeft.includes('publickey')) return next(false as never);
      for (let step = steps.shift(); step; step = steps.shift()) {
        const method = await step();
        if (method) return next(method);
      }
      next(false as never);
    };
    advance().catch(() => next(false as never));
  };
}

export const defaultAuthDeps = (askPassphrase: AuthDeps['askPassphrase']): AuthDeps => ({ readFile: readIfExists, askPassphrase });
