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

/** The key type an algorithm signs with: rsa-sha2-* use ssh-rsa keys. */
export function keyTypeOfAlgorithm(algorithm: string): string {
  return algorithm === 'rsa-sha2-256' || algorithm === 'rsa-sha2-512' ? 'ssh-rsa' : algorithm;
}

/**
 * Host key algorithms in the order ssh's order_hostkeyalgs gives them: as configured when a key of the
 * first one's type is known, else known types first. When keys are known, only their types are offered,
 * so an unknown key is never what the jump presents; when none of the allowed types is known, the whole
 * list is offered and the presented key is refused as changed, as ssh refuses it.
 */
export function orderHostKeyAlgorithms(allowed: readonly string[], knownTypes: readonly string[]): string[] {
  const known = allowed.filter((algorithm) => knownTypes.includes(keyTypeOfAlgorithm(algorithm)));
  return known.length > 0 ? known : [...allowed];
}

/**
 * What the proxy offers the jump: only algorithms ssh would offer (its resolved lists), that the library
 * supports. Key exchange, ciphers and MACs follow the library's preferred (fastest) order among those;
 * host key algorithms follow ssh's order. Lists ssh -G did not print fall back to the library's defaults.
 */
export function offeredAlgorithms(ssh: SshAlgorithms, library: LibraryAlgorithms, knownTypes: readonly string[], jumpName: string): SshAlgorithms {
  const pick = (kind: keyof SshAlgorithms): string[] => {
    const wanted = ssh[kind];
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
  return { hostKey: orderHostKeyAlgorithms(pick('hostKey'), knownTypes), kex: pick('kex'), cipher: pick('cipher'), mac: pick('mac') };
}
