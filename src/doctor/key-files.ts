import { readFile } from 'node:fs/promises';
import type { JumpConfig } from '../jump/jump.js';
import { runKnownHostsCommand } from '../jump/known-hosts-command.js';
import { checkHostKey, type KnownHostEntry, knownHostNames, parseKnownHosts } from '../ssh/knownhosts.js';
import { judgeKnownKey, type KnownKeyVerdict } from './known-key.js';

/** The entries of the known_hosts files ssh -G names; a file that cannot be read has none, as for ssh. */
export async function readKnownHostsFiles(files: readonly string[]): Promise<KnownHostEntry[]> {
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
  return texts.flatMap((text, i) => parseKnownHosts(text, files[i] ?? ''));
}

/** How a presented key stands against the host's known_hosts files and KnownHostsCommand, as ssh -G names them. */
export async function judgeKey(config: JumpConfig, key: Buffer, sshCommand: string, entries?: KnownHostEntry[]): Promise<KnownKeyVerdict> {
  const names = knownHostNames(config.hostName, config.port, config.hostKeyAlias);
  const files = [...config.userKnownHostsFiles, ...config.globalKnownHostsFiles];
  const fromFiles = entries ?? (await readKnownHostsFiles(files));
  const fromCommand = await runKnownHostsCommand(config, 'HOSTNAME', names[0], key).catch(() => []);
  const check = checkHostKey([...fromFiles, ...fromCommand], names, key);
  return judgeKnownKey({ name: names[0], key, check, files, sshCommand, strict: config.strictHostKeyChecking });
}

