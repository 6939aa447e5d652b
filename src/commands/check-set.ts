import { checkTunnelSet } from '../check/index.js';
import { jumpAliasFor } from '../sshconfig/validate.js';
import type { TunnelSet } from '../sshconfig/types.js';
import { askOnTerminal } from '../tty.js';
import type { CommandIo } from './apply-change.js';

/** Checks a set as its hosts' ProxyCommand will use it; questions (a new host key, a passphrase) only with a person there. */
export function checkSet(set: TunnelSet, io: CommandIo): Promise<number> {
  return checkTunnelSet(
    {
      jump: 'alias' in set.jump ? set.jump.alias : jumpAliasFor(set.name),
      configFile: set.configFile,
      socketDir: set.socketDir,
      hosts: set.hosts,
    },
    { env: io.env, stdout: io.stdout, stderr: io.stderr, ask: io.interactive ? askOnTerminal : async () => undefined },
  );
}
