import { tryItCommand } from '../check/render.js';
import { TunnelError } from '../errors.js';
import { renderDoctor } from '../doctor/steps.js';
import { askOnTerminal } from '../tty.js';
import type { CommandIo } from './apply-change.js';
import { parseCommandArgs } from './args.js';

export const doctorUsage = `Usage: tunnel-config doctor HOST [--json] [--config FILE | -F FILE]

Walks the way \`ssh HOST\` goes and prints each step with ✔ or ✖; at the first failure, what to do:

  ssh            the OpenSSH client (ssh -V)
  ssh_config     how ssh -G resolves HOST: tunnel-config's ProxyCommand in effect, or the line that wins
  then, for each --jump of that ProxyCommand, in order:
  jump           the jump as ssh -G resolves it
  name, TCP      its name resolution, and reaching its port
  jump host key  its key against known_hosts (never asked about, never recorded)
  auth           the login, and which key or agent identity worked
  stream-local   whether the jump lets the account open stream-local channels
  socket         whether HOST's socket is there and answers with an SSH banner
  host key       HOST's own key against known_hosts (under HostKeyAlias if set), as ssh will check it

A step shown with · could not be told either way. Like the proxy, the doctor goes on to the next jump
after a jump that is down, refuses the login or the channel, or has no HOST (3, 5, 7, 6), and stops at
any other failure. The status is 0 only when every step passed. When one jump gets through and
another fails, HOST is reachable but the status is the first failure's; with no way through, it is
the proxy's: that of the failure it stops at, or the first jump's (2 config, 3 unreachable, 4 host
key, 5 login, 6 not connected, 7 refused by the jump, 10 nothing behind the tunnel).

  -F, --config FILE  the ssh_config to read, as ssh -F does (ssh itself reads ~/.ssh/config under the
                     home directory of the user database, whatever $HOME says)
  --json             one object on stdout: host, ok, exitCode, via (the jump that gets through, or
                     null), steps [{step, jump?, ok (true, false or null), detail, fix?, exitCode?}];
                     only the steps that ran are listed
`;

export async function doctorCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        config: { type: 'string', short: 'F' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    'doctor',
  );
  if (values.help) return io.stdout(doctorUsage), 0;
  const [host, ...more] = positionals;
  if (host === undefined || more.length > 0) throw new TunnelError('usage', `doctor takes one HOST, got ${positionals.length} (see tunnel-config doctor --help)`);
  const { runDoctor } = await import('../doctor/index.js');
  const report = await runDoctor(
    { host, configFile: values.config },
    { env: io.env, askPassphrase: (question) => askOnTerminal(question, { echo: false }) },
  );
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report, tryItCommand(host, values.config)));
  return report.exitCode;
}
