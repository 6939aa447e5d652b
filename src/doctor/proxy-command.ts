import { parseArgs } from 'node:util';
import { DEFAULT_SOCKET_DIR } from '../commands/defaults.js';
import { splitCommandLine } from '../ssh/command-line.js';

/** One jump the ProxyCommand tries, with the socket directory it looks in there. */
export interface JumpRoute {
  jump: string;
  socketDir: string;
}

export type ProxyCommandReading =
  | { kind: 'ours'; routes: JumpRoute[]; configFile: string | undefined }
  | { kind: 'not-ours' }
  /** It runs `tunnel-config proxy`, but with arguments the proxy would refuse. */
  | { kind: 'broken'; problem: string };

const PROXY_OPTIONS = {
  jump: { type: 'string', multiple: true },
  'socket-dir': { type: 'string', multiple: true },
  config: { type: 'string', short: 'F' },
  persist: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const isTunnelConfig = (word: string): boolean => /^tunnel-config(\.js)?$/.test(baseName(word));

/**
 * Reads a ProxyCommand as `tunnel-config proxy` would take it: the jumps in order, each with its socket
 * directory (`--socket-dir` given no time: the default for every jump; once: for every jump; else one per
 * jump, paired by order), and the ssh_config it resolves them from.
 */
export function readProxyCommand(value: string): ProxyCommandReading {
  const words = splitCommandLine(value);
  if (words === null) return { kind: 'not-ours' };
  const at = words.findIndex((word, i) => word === 'proxy' && i > 0 && isTunnelConfig(words[i - 1] ?? ''));
  if (at < 0) return { kind: 'not-ours' };
  let parsed;
  try {
    parsed = parseArgs({ args: words.slice(at + 1), options: PROXY_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return { kind: 'broken', problem: (error as Error).message.replace(/\. To specify a positional.*$/s, '') };
  }
  const jumps = parsed.values.jump ?? [];
  const dirs = parsed.values['socket-dir'] ?? [];
  if (jumps.length === 0) return { kind: 'broken', problem: 'it has no --jump' };
  if (parsed.positionals.length !== 1) return { kind: 'broken', problem: `it passes ${parsed.positionals.length} hosts, not one (%h)` };
  if (dirs.length > 1 && dirs.length !== jumps.length) {
    return { kind: 'broken', problem: `it gives ${dirs.length} --socket-dir for ${jumps.length} --jump: give one for all, or one per jump` };
  }
  const routes = jumps.map((jump, i) => ({ jump, socketDir: dirs.length > 1 ? (dirs[i] ?? DEFAULT_SOCKET_DIR) : (dirs[0] ?? DEFAULT_SOCKET_DIR) }));
  return { kind: 'ours', routes, configFile: parsed.values.config };
}
