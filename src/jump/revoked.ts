import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TunnelError } from '../errors.js';
import { keyTypeLabel } from '../ssh/hostkey-policy.js';
import { fingerprintSha256, keyTypeOfBlob } from '../ssh/knownhosts.js';
import { isKrl, parseRevokedKeyList } from '../ssh/revoked-keys.js';
import { expandPath, type JumpConfig } from './jump.js';

const run = (file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = execFile(file, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end();
  });

/** OpenSSH expands `~`, `%` and `${}` in RevokedHostKeys from 9.4 on; earlier versions open the path as written. */
async function expandsRevokedPaths(): Promise<boolean> {
  const { stderr } = await run('ssh', ['-V']);
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(stderr);
  if (!match) return true;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 9 || (major === 9 && minor >= 4);
}

/** The RevokedHostKeys files as the local ssh opens them. */
export async function revokedKeyFiles(jump: JumpConfig): Promise<string[]> {
  const raw = jump.revokedHostKeys;
  if (!raw.some((path) => /[~%$]/.test(path)) || !(await expandsRevokedPaths())) return raw;
  return raw.map((path) => expandPath(path, jump, jump.context));
}

async function inKrl(file: string, key: Buffer): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'tunnel-config-key-'));
  try {
    const keyFile = join(dir, 'key.pub');
    await writeFile(keyFile, `${keyTypeOfBlob(key)} ${key.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    const result = await run('ssh-keygen', ['-Q', '-f', file, keyFile]);
    if (result.code === 0 && /: ok$/m.test(result.stdout)) return false;
    if (result.code === 1 && /: REVOKED$/m.test(result.stdout)) return true;
    throw new Error(result.stderr.trim().split('\n').pop() || `ssh-keygen -Q exited ${result.code}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * OpenSSH's sshkey_check_revoked for each RevokedHostKeys file: a KRL through ssh-keygen -Q, else a list of
 * keys. A file that is missing or unreadable makes ssh refuse, and so it refuses here.
 */
export async function checkRevokedHostKeys(jump: JumpConfig, files: readonly string[], name: string, key: Buffer): Promise<void> {
  const label = `${keyTypeLabel(keyTypeOfBlob(key))} ${fingerprintSha256(key)}`;
  for (const file of files) {
    let revoked: boolean;
    try {
      const bytes = await readFile(file);
      if (isKrl(bytes)) revoked = await inKrl(file, key);
      else {
        const list = parseRevokedKeyList(bytes.toString('utf8'));
        if ('badLine' in list) throw new Error(`line ${list.badLine} is not a public key`);
        revoked = list.keys.some((listed) => listed.equals(key));
      }
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
      throw new TunnelError('hostKey', `could not check the host key of ${name} (${label}) against RevokedHostKeys ${file}: ${why}; ssh refuses here too: fix the file or the RevokedHostKeys line for ${jump.name}`);
    }
    if (revoked) {
      throw new TunnelError('hostKey', `the host key of ${name} (${label}) is revoked by RevokedHostKeys ${file}: do not connect until ${jump.name} has a new key, then verify it with \`ssh ${jump.name}\``);
    }
  }
}
