import { readKnownHostsFiles } from '../jump/hostkey.js';
import type { JumpConfig } from '../jump/jump.js';
import { runKnownHostsCommand } from '../jump/known-hosts-command.js';
import { checkRevokedHostKeys, revokedKeyFiles } from '../jump/revoked.js';
import { splitFix } from './steps.js';
import { checkHostKey, type KnownHostEntry, knownHostNames } from '../ssh/knownhosts.js';
import { judgeKnownKey, type KnownKeyVerdict } from './known-key.js';

/** How a presented key stands against the host's RevokedHostKeys, known_hosts files and KnownHostsCommand, as ssh -G names them. */
export async function judgeKey(config: JumpConfig, key: Buffer, sshCommand: string, entries?: KnownHostEntry[]): Promise<KnownKeyVerdict> {
  const names = knownHostNames(config.hostName, config.port, config.hostKeyAlias);
  const files = [...config.userKnownHostsFiles, ...config.globalKnownHostsFiles];
  const fromFiles = entries ?? (await readKnownHostsFiles(files));
  const fromCommand = await runKnownHostsCommand(config, 'HOSTNAME', names[0], key).catch(() => []);
  // RevokedHostKeys comes first, as in ssh: a revoked key is refused whatever known_hosts says.
  try {
    await checkRevokedHostKeys(config, await revokedKeyFiles(config), names[0], key);
  } catch (error) {
    const { detail, fix } = splitFix((error as Error).message);
    return { ok: false, detail, fix };
  }
  const check = checkHostKey([...fromFiles, ...fromCommand], names, key);
  return judgeKnownKey({ name: names[0], key, check, files, sshCommand, strict: config.strictHostKeyChecking });
}

