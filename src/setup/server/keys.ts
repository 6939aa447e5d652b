import { TunnelError } from '../../errors.js';
import { quoteForMessage } from '../../ssh/hostname.js';
import type { SetupRunner } from './runner.js';

const keyTypes = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

/** What a tunnel key may do: nothing but port forwarding, which sshd then narrows to `-R PATH`. */
export const tunnelKeyOptions = 'restrict,port-forwarding';

/** Why `line` is not `TYPE BASE64 [comment]` as in a .pub file, or undefined when it is. */
function publicKeyProblem(line: string): string | undefined {
  const [type = '', blob = ''] = line.split(/\s+/);
  if (!keyTypes.has(type)) {
    return keyTypes.has(blob) ? 'has options before the key type: give the plain .pub line' : `starts with ${quoteForMessage(type.slice(0, 40))}, not a key type such as ssh-ed25519`;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return 'has no base64 key after the key type';
  // The blob starts with its own key type: a pasted fragment or a mixed-up line fails here.
  const bytes = Buffer.from(blob, 'base64');
  const length = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  if (length !== type.length || bytes.subarray(4, 4 + length).toString('latin1') !== type) return `holds a key that is not ${type}`;
  return undefined;
}

/**
 * The one public key of a host's .pub file, as `TYPE BASE64`: the file must be exactly one key line (a final
 * line break aside), with no options before the key; its comment is dropped, since our line names the host.
 * OpenSSH's own check of the key itself is opensshKeyProblem's.
 */
export function parsePublicKey(text: string, host: string, file: string): string {
  const where = `--key ${host}=${file}`;
  const lines = text.replace(/\s+$/, '').split(/\r?\n/);
  const line = (lines[0] ?? '').trim();
  if (line === '') throw new TunnelError('usage', `${where}: no public key on its first line (give the host's .pub file, e.g. /etc/ssh/ssh_host_ed25519_key.pub or ~/.ssh/id_ed25519.pub)`);
  const problem = publicKeyProblem(line);
  if (problem) throw new TunnelError('usage', `${where}: line 1 ${problem}`);
  if (lines.length > 1) throw new TunnelError('usage', `${where}: has ${lines.length} lines; a .pub file is one key line, and a host gets one key here`);
  const [type, blob] = line.split(/\s+/);
  return `${type} ${blob}`;
}

/** OpenSSH's word on a key file's text: undefined when `ssh-keygen -l` reads exactly one public key in it. */
export async function opensshKeyProblem(text: string, runner: SetupRunner): Promise<string | undefined> {
  const result = await runner.run('ssh-keygen', ['-l', '-f', '-'], { input: text, timeoutMs: 20_000 });
  if (result.code === null && !result.timedOut) throw new TunnelError('usage', `ssh-keygen (OpenSSH) is needed to check the --key files and did not run: ${result.stderr.trim()}`);
  const said = (result.stderr.trim().split('\n')[0] ?? '').replace(/^\(stdin\) /, 'it ');
  if (result.code !== 0) return `OpenSSH does not read it as a public key (ssh-keygen -l: ${said || `exit ${String(result.code)}`}): is it cut short, or has something been added?`;
  const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
  if (lines.length !== 1) return `ssh-keygen -l finds ${lines.length} keys in it; give one`;
  return undefined;
}

/** One authorized_keys line for a host's key. */
export const authorizedKeyLine = (key: string, host: string): string => `${tunnelKeyOptions} ${key} tunnel-config:${host}`;
