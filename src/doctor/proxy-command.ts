import { parseArgs } from 'node:util';
import { pairRoutes, type Route } from '../proxy/routes.js';
import { splitCommandLine } from '../ssh/command-line.js';

export type ProxyCommandReading =
  | { kind: 'ours'; routes: Route[]; configFile: string | undefined }
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
 * directory as the proxy pairs them (pairRoutes), and the ssh_config it resolves them from.
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
  if (parsed.positionals.length !== 1) return { kind: 'broken', problem: `it passes ${parsed.positionals.length} hosts, not one (%h)` };
  let routes: Route[];
  try {
    routes = pairRoutes(parsed.values.jump ?? [], parsed.values['socket-dir'] ?? []);
  } catch (error) {
    return { kind: 'broken', problem: (error as Error).message.replace(/ \(see tunnel-config proxy --help\)$/, '') };
  }
  return { kind: 'ours', routes, configFile: parsed.values.config };
}
