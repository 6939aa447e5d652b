import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

export const keyTypes: readonly KeyType[] = ['ed25519', 'ecdsa', 'rsa'];

export interface KeyPair {
  type: KeyType;
  /** Private key file, mode 0600. The public key is `${path}.pub`. */
  path: string;
  /** `ssh-ed25519 AAAA…` without a comment: ready for authorized_keys and known_hosts lines. */
  publicKey: string;
  /** Empty when the key is not encrypted. */
  passphrase: string;
}

const run = promisify(execFile);
const bits: Record<KeyType, string[]> = { ed25519: [], ecdsa: ['-b', '256'], rsa: ['-b', '2048'] };

// rsa takes ~0.3 s to generate: worlds in one test process reuse the key files' contents
const cache = new Map<string, Promise<{ privateKey: Buffer; publicKey: Buffer }>>();

async function generate(path: string, type: KeyType, passphrase: string, comment: string): Promise<{ privateKey: Buffer; publicKey: Buffer }> {
  await run('ssh-keygen', ['-q', '-t', type, ...bits[type], '-N', passphrase, '-C', comment, '-f', path], { timeout: 30_000 });
  return { privateKey: await readFile(path), publicKey: await readFile(`${path}.pub`) };
}

/** Puts a key pair named `name` in `dir`, generated once per process for each name, type and passphrase. */
export async function makeKey(dir: string, name: string, type: KeyType, passphrase = ''): Promise<KeyPair> {
  const path = join(dir, name);
  const cacheKey = JSON.stringify([name, type, passphrase]);
  let cached = cache.get(cacheKey);
  if (cached === undefined) {
    cached = generate(path, type, passphrase, `tunnel-world ${name}`);
    cache.set(cacheKey, cached);
    cached.catch(() => cache.delete(cacheKey));
  }
  const { privateKey, publicKey } = await cached;
  // mode 0600: ssh and ssh-add refuse private keys others can read
  await writeFile(path, privateKey, { mode: 0o600 });
  await writeFile(`${path}.pub`, publicKey);
  const [keyType, blob] = publicKey.toString('utf8').trim().split(/\s+/);
  return { type, path, publicKey: `${keyType} ${blob}`, passphrase };
}
