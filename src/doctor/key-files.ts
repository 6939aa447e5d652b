import { readKnownHostsFiles } from '../jump/hostkey.js';
import type { JumpConfig } from '../jump/jump.js';
import { runKnownHostsCommand } from '../jump/known-hosts-command.js';
import { checkHostKey, type KnownHostEntry, knownHostNames } from '../ssh/knownhosts.js';
import { judgeKnownKey, type KnownKeyVerdict } from './known-key.js';

/** How a presented key stands against the host's known_hosts files and KnownHostsCommand, as ssh -G names them. */
export async function judgeKey(config: JumpConfig, key: Buffer, sshCommand: string, entries?: KnownHostEntry[]): Promise<KnownKeyVerdict> {
  const names = knownHostNames(config.hostName, config.port, config.hostKeyAlias);
  const files = [...config.userKnownHostsFiles, ...config.globalKnownHostsFiles];
  const fromFiles = entries ?? (await readKnownHostsFiles(files));
  const fromCommand = await runKnownHostsCommand(config, 'HOSTNAME', names[0], key).catch(() => []);
  const check = checkHostKey([...fromFiles, ...fromCommand], names, key);
  return judgeKnownKey({ name: names[0], key, check, files, sshCommand, strict: config.strictHostKeyChecking });
}

