import { TunnelError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import { runProxy } from '../proxy/index.js';
import { DEFAULT_SOCKET_DIR } from './defaults.js';

export const proxyUsage = `Usage: tunnel-config proxy --jump JUMP [--socket-dir DIR] [-F SSH_CONFIG] [-v] [--] HOST

The ProxyCommand: connects to JUMP over SSH and relays stdin/stdout to the UNIX
socket DIR/HOST.sock that HOST's reverse tunnel keeps open there.

  --jump JUMP        an ssh_config alias or [user@]host[:port], resolved with ssh -G
  --socket-dir DIR   the jumphost's socket directory (default /home/host)
  -F SSH_CONFIG      the ssh_config file to resolve JUMP from (default: ssh's own)
  -v, --verbose      write the SSH debug log to stderr

In ssh_config:  ProxyCommand tunnel-config proxy --jump jump.example.com -- %h
`;

export { DEFAULT_SOCKET_DIR } from './defaults.js';

export async function proxyCommand(argv: string[], io: { env: NodeJS.ProcessEnv; stderr: (line: string) => void }): Promise<number> {
  const parsed = parseCommandArgs(
    {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      jump: { type: 'string' },
      'socket-dir': { type: 'string', default: DEFAULT_SOCKET_DIR },
      config: { type: 'string', short: 'F' },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    },
    'proxy',
  );
  const { values, positionals } = parsed;
  if (values.help) {
    io.stderr(proxyUsage.trimEnd());
    return 0;
  }
  if (values.jump === undefined) throw new TunnelError('usage', 'proxy needs --jump JUMP (see tunnel-config proxy --help)');
  if (positionals.length !== 1) {
    throw new TunnelError('usage', `proxy needs exactly one HOST, got ${positionals.length} (see tunnel-config proxy --help)`);
  }
  return runProxy(
    {
      host: positionals[0] ?? '',
      jump: values.jump,
      socketDir: values['socket-dir'],
      ...(values.config !== undefined ? { configFile: values.config } : {}),
      verbose: values.verbose,
    },
    io,
  );
}
