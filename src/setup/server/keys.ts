import { TunnelError } from '../../errors.js';
import { quoteForMessage } from '../../ssh/hostname.js';

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
 * The public keys in the text of a host's .pub (or authorized_keys-like) file, as `TYPE BASE64`:
 * comments are dropped, since the line we write names the host itself.
 */
export function parsePublicKeys(text: string, host: string, file: string): string[] {
  const keys: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const problem = publicKeyProblem(line);
    if (problem) throw new TunnelError('usage', `--key ${host}=${file}: line ${index + 1} ${problem}`);
    const [type, blob] = line.split(/\s+/);
    const key = `${type} ${blob}`;
    if (!keys.includes(key)) keys.push(key);
  });
  if (keys.length === 0) throw new TunnelError('usage', `--key ${host}=${file}: no public key in the file (give the host's .pub file, e.g. /etc/ssh/ssh_host_ed25519_key.pub or ~/.ssh/id_ed25519.pub)`);
  return keys;
}

/** One authorized_keys line for a host's key. */
export const authorizedKeyLine = (key: string, host: string): string => `${tunnelKeyOptions} ${key} tunnel-config:${host}`;
