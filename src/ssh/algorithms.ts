import { TunnelError } from '../errors.js';

/** The lists `ssh -G` prints for a host: what ssh itself would offer. */
export interface SshAlgorithms {
  hostKey: string[];
  kex: string[];
  cipher: string[];
  mac: string[];
}



/** What the SSH library can do: every algorithm it supports, and its preferred order. */
export interface LibraryAlgorithms {
  supported: SshAlgorithms;
  preferred: SshAlgorithms;
}

const LABELS: Record<keyof SshAlgorithms, string> = {
  hostKey: 'HostKeyAlgorithms',
  kex: 'KexAlgorithms',
  cipher: 'Ciphers',
  mac: 'MACs',
};

/** The plain key type an algorithm uses: rsa-sha2-* sign with ssh-rsa keys; certificates name their key's type. */
export function keyTypeOfAlgorithm(algorithm: string): string {
  const plain = algorithm.replace(/-cert-v01@openssh\.com$/, '');
  if (plain === 'rsa-sha2-256' || plain === 'rsa-sha2-512') return 'ssh-rsa';
  if (plain === 'sk-ssh-ed25519' || plain === 'sk-ecdsa-sha2-nistp256') return `${plain}@openssh.com`;
  return plain;
}

/**
 * Whether ssh orders HostKeyAlgorithms by the keys known_hosts has (sshconnect2.c): only when it is unset
 * or given as `+list` or `-list`, not for an explicit or `^` list. ssh -G prints only the result, so a
 * result that is the default list, or the default with algorithms appended, counts as ordered; anything
 * else (an explicit list, `^`, and `-`, which cannot be told from an explicit list) is offered as printed,
 * which never accepts a key that the ordered list would refuse.
 */
export function ordersByKnownHosts(printed: readonly string[], defaults: readonly string[] | undefined): boolean {
  if (defaults === undefined || defaults.length === 0) return false;
  return defaults.every((name, i) => printed[i] === name);
}

/**
 * ssh's order_hostkeyalgs: when a key of the first algorithm's type is known, the list as it is; else the
 * algorithms of known key types first, the others after, each group in its configured order.
 */
export function orderHostKeyAlgorithms(printed: readonly string[], knownTypes: readonly string[], ordered: boolean): string[] {
  const first = printed[0];
  if (!ordered || first === undefined || knownTypes.includes(keyTypeOfAlgorithm(first))) return [...printed];
  const known = printed.filter((algorithm) => knownTypes.includes(keyTypeOfAlgorithm(algorithm)));
  return [...known, ...printed.filter((algorithm) => !known.includes(algorithm))];
}

/**
 * What the proxy offers the jump: only algorithms ssh would offer (its resolved lists), that the library
 * supports. Key exchange, ciphers and MACs follow the library's preferred (fastest) order among those;
 * host key algorithms follow ssh's own order, so the jump presents the key it would present to ssh.
 * Lists ssh -G did not print fall back to the library's defaults.
 */
export function offeredAlgorithms(ssh: SshAlgorithms, library: LibraryAlgorithms, knownTypes: readonly string[], jumpName: string, orderedByKnownHosts = true): SshAlgorithms {
  const pick = (kind: keyof SshAlgorithms, list: readonly string[] = ssh[kind]): string[] => {
    const wanted = list;
    if (wanted.length === 0) return [...library.preferred[kind]];
    const allowed = wanted.filter((name) => library.supported[kind].includes(name));
    if (allowed.length === 0) {
      throw new TunnelError(
        'usage',
        `none of the ${LABELS[kind]} ssh would use for ${jumpName} (${wanted.join(',')}) is supported by tunnel-config: allow one of ${library.supported[kind].join(',')} for it`,
      );
    }
    if (kind === 'hostKey') return allowed;
    const rank = (name: string): number => {
      const at = library.preferred[kind].indexOf(name);
      return at < 0 ? library.preferred[kind].length + allowed.indexOf(name) : at;
    };
    return [...allowed].sort((a, b) => rank(a) - rank(b));
  };
  // ssh orders the whole list, certificates included; the library then takes what it supports, in that order.
  const hostKey = ssh.hostKey.length === 0 ? [] : orderHostKeyAlgorithms(ssh.hostKey, knownTypes, orderedByKnownHosts);
  return { hostKey: pick('hostKey', hostKey), kex: pick('kex'), cipher: pick('cipher'), mac: pick('mac') };
}
