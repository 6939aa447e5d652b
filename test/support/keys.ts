import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, copyFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

// rsa takes ~0.3 s to generate; worlds in one test process share keys made once
let cacheDir: string | undefined;
const cache = new Map<string, Promise<string>>();

function keyCacheDir(): string {
  if (cacheDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'tunnel-world-keys-'));
    cacheDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return cacheDir;
}

async function generate(path: string, type: KeyType, passphrase: string, comment: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', type, ...bits[type], '-N', passphrase, '-C', comment, '-f', path], { timeout: 30_000 });
}

/** Puts a key pair named `name` in `dir`, generated once per process for each name, type and passphrase. */
export async function makeKey(dir: string, name: string, type: KeyType, passphrase = ''): Promise<KeyPair> {
  const cacheKey = JSON.stringify([name, type, passphrase]);
  let cached = cache.get(cacheKey);
  if (cached === undefined) {
    const path = join(keyCacheDir(), `${cache.size}_${name}`);
    cached = generate(path, type, passphrase, `tunnel-world ${name}`).then(() => path);
    cache.set(cacheKey, cached);
    cached.catch(() => cache.delete(cacheKey));
  }
  const source = await cached;
  const path = join(dir, name);
  await copyFile(source, path);
  await copyFile(`${source}.pub`, `${path}.pub`);
  // ssh and ssh-add refuse private keys others can read
  await chmod(path, 0o600);
  const [keyType, blob] = (await readFile(`${path}.pub`, 'utf8')).trim().split(/\s+/);
  return { type, path, publicKey: `${keyType} ${blob}`, passphrase };
}
