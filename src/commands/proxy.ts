import { type ErrorCode, TunnelError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import { runProxy } from '../proxy/index.js';
import { pairRoutes } from '../proxy/routes.js';
import { parseDuration } from '../shared/paths.js';
import { DEFAULT_PERSIST } from './defaults.js';

export const proxyUsage = `Usage: tunnel-config proxy --jump JUMP [--socket-dir DIR] [--jump JUMP2 [--socket-dir DIR2]]... [-F SSH_CONFIG] [--persist 10m] [-v] [--] HOST

The ProxyCommand: connects to JUMP over SSH and relays stdin/stdout to the UNIX
socket DIR/HOST.sock that HOST's reverse tunnel keeps open there.

  --jump JUMP        an ssh_config alias or [user@]host[:port], resolved with ssh -G;
                     given more than once, the jumps are tried in order: when one is
                     unreachable, refuses the login or the channel, or HOST is not
                     connected to it, the next is tried (-v says which carried the session);
                     a host key that does not match stops at once, as in ssh
  --socket-dir DIR   the jumphost's socket directory (default /home/host); given once it
                     is every jump's, given once per jump the Nth is the Nth jump's
  -F SSH_CONFIG      the ssh_config file to resolve JUMP from (default: ssh's own)
  --persist TIME     keep the jump connection open in a shared background process for
                     later connects, until idle for TIME (90s, 10m, 2h; 0 turns it off;
                     default 10m); see tunnel-config shared --help
  -v, --verbose      write the SSH debug log to stderr

In ssh_config:  ProxyCommand tunnel-config proxy --jump jump.example.com -- %h
`;

export { DEFAULT_SOCKET_DIR } from './defaults.js';

/** Causes that take more than a line to pin down (which of several reasons, on which side): doctor walks them. */
const EXPLAINED = new Set<ErrorCode>(['offline', 'refused', 'silent']);

export async function proxyCommand(argv: string[], io: { env: NodeJS.ProcessEnv; stderr: (line: string) => void; stdout: (text: string) => void }): Promise<number> {
  const parsed = parseCommandArgs(
    {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      jump: { type: 'string', multiple: true },
      'socket-dir': { type: 'string', multiple: true },
      config: { type: 'string', short: 'F' },
      verbose: { type: 'boolean', short: 'v', default: false },
      persist: { type: 'string', default: DEFAULT_PERSIST },
      help: { type: 'boolean', short: 'h', default: false },
    },
    },
    'proxy',
  );
  const { values, positionals } = parsed;
  // Asked for, help is the command's output like any other's; the proxy's stdout is the tunnel's only when it relays.
  if (values.help) {
    io.stdout(proxyUsage);
    return 0;
  }
  const routes = pairRoutes(values.jump ?? [], values['socket-dir'] ?? []);
  const persistSeconds = parseDuration(values.persist);
  if (persistSeconds === undefined) {
    throw new TunnelError('usage', `invalid --persist ${JSON.stringify(values.persist)}: use seconds, or a number with s, m or h (0 turns sharing off)`);
  }
  if (positionals.length !== 1) {
    throw new TunnelError('usage', `proxy needs exactly one HOST, got ${positionals.length} (see tunnel-config proxy --help)`);
  }
  const host = positionals[0] ?? '';
  try {
    return await runProxy(
      {
        host,
        routes,
        ...(values.config !== undefined ? { configFile: values.config } : {}),
        verbose: values.verbose,
        persistSeconds,
      },
      io,
    );
  } catch (error) {
    if (!(error instanceof TunnelError) || !EXPLAINED.has(error.code)) throw error;
    const lines = error.lines;
    throw new TunnelError(error.code, `${error.message} (tunnel-config doctor ${host} explains more)`, { cause: error, ...(lines ? { lines } : {}) });
  }
}
