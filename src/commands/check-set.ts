import { checkTunnelSet } from '../check/index.js';
import { routesOf } from '../sshconfig/routes.js';
import type { TunnelSet } from '../sshconfig/types.js';
import { askOnTerminal } from '../tty.js';
import type { CommandIo } from './apply-change.js';

/** Checks a set as its hosts' ProxyCommand will use it; questions (a new host key, a passphrase) only with a person there. */
export async function checkSet(set: TunnelSet, io: CommandIo): Promise<number> {
  const routes = routesOf(set);
  let status = 0;
  for (const [index, { alias, socketDir }] of routes.entries()) {
    if (routes.length > 1) io.stdout(`${index === 0 ? '' : '\n'}jump ${index + 1} of ${routes.length}, ${alias}:\n`);
    const result = await checkTunnelSet(
      { jump: alias, configFile: set.configFile, socketDir, hosts: set.hosts },
      { env: io.env, stdout: io.stdout, stderr: io.stderr, ask: io.interactive ? askOnTerminal : async () => undefined },
    );
    status ||= result;
  }
  return status;
}
