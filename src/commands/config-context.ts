import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { TunnelError } from '../errors.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { type BlockState, readBlockState } from '../sshconfig/hand-edits.js';
import { renderProxyCommand } from '../sshconfig/render.js';
import { findShadowingLine, sampleHostFor } from '../sshconfig/shadow.js';
import { type ConfigFile, defaultConfigPath, readConfig } from '../sshconfig/store.js';
import type { TunnelSet } from '../sshconfig/types.js';
import type { CommandIo } from './apply-change.js';

export interface ConfigContext {
  file: ConfigFile;
  /** The path written into ProxyCommand's -F, or undefined for ssh's default file. */
  configFile: string | undefined;
  /** The sets tunnel-config can read, in file order. */
  sets: TunnelSet[];
  /** Every managed block, the ones edited beyond what tunnel-config can read included. */
  blocks: BlockState[];
}

/**
 * Reads the config (default ~/.ssh/config) and its tunnel sets; broken markers stop the command here. A block
 * edited by hand beyond what tunnel-config can read is kept in `blocks` with why, so the other sets stay usable.
 */
export async function loadConfig(given: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigContext> {
  const defaultPath = defaultConfigPath(env.HOME || homedir());
  const path = given === undefined ? defaultPath : resolve(given);
  const file = await readConfig(path);
  const blocks = findManagedBlocks(file.text, path).map((block) => readBlockState(block, path));
  const sets = blocks.flatMap((state) => (state.set ? [state.set] : []));
  return { file, configFile: path === defaultPath ? undefined : path, sets, blocks };
}

/** The absolute path of this tunnel-config, as ProxyCommand must run it. */
export function selfPath(): string {
  return resolve(process.argv[1] ?? 'tunnel-config');
}

/** `ssh -G`'s output, or why it failed: its first complaint (e.g. a line of the config it cannot parse). */
function sshG(args: string[], env: NodeJS.ProcessEnv): Promise<{ output: string; problem?: string }> {
  return new Promise((done) => {
    execFile('ssh', ['-G', ...args], { env, timeout: 10_000 }, (error, stdout, stderr) =>
      done(error ? { output: '', problem: stderr.split('\n')[0]?.trim() || error.message } : { output: stdout }),
    ).stdin?.end();
  });
}

/** The user config ssh reads without -F: under the passwd entry's home directory, whatever $HOME says. */
async function sshReadsOtherConfig(path: string): Promise<string | undefined> {
  let sshDefault: string;
  try {
    sshDefault = defaultConfigPath(userInfo().homedir);
  } catch {
    return undefined;
  }
  if (sshDefault === resolve(path)) return undefined;
  const same = await Promise.all([stat(sshDefault), stat(path)]).then(([a, b]) => a.dev === b.dev && a.ino === b.ino, () => false);
  return same ? undefined : sshDefault;
}

/**
 * Before anything is asked or written: a block written without -F takes effect only in the file ssh reads
 * by default, which is under the home directory of the user database, whatever $HOME says.
 */
export async function assertSshReadsFile(context: ConfigContext): Promise<void> {
  const other = context.configFile === undefined ? await sshReadsOtherConfig(context.file.path) : undefined;
  if (other !== undefined) {
    throw new TunnelError(
      'usage',
      `ssh reads ${other}, not ${context.file.path} ($HOME is not your home directory in the user database), so a block there would not take effect; nothing was written: run tunnel-config with --config ${other}`,
    );
  }
}

/** After writing: asks OpenSSH whether a host of the set now resolves to our ProxyCommand, and says what overrides it if not. */
export async function verifyWritten(io: CommandIo, context: ConfigContext, set: TunnelSet, text: string): Promise<number> {
  const host = sampleHostFor(set);
  const { output, problem } = await sshG([...(context.configFile ? ['-F', context.configFile] : []), '--', host], io.env);
  if (problem !== undefined) throw new TunnelError('usage', `written, but ssh -G ${host} fails: ${problem}`);
  const line = output.split('\n').find((l) => l.toLowerCase().startsWith('proxycommand '));
  const expected = renderProxyCommand(set);
  if (line?.slice('proxycommand '.length) === expected) {
    const literal = set.hosts.find((h) => !/[*?]/.test(h));
    io.stdout(literal ? `Done. Try it: ssh ${literal}\n` : `Done. Try it: ssh <a host matching ${set.hosts.join(' or ')}>\n`);
    return 0;
  }
  const shadow = findShadowingLine(text, host, expected);
  const where = shadow ? `line ${shadow.line} of ${context.file.path} (${shadow.text.trim()})` : 'an earlier setting (an Include or the system ssh_config)';
  throw new TunnelError('usage', `written, but ssh -G ${host} does not use it: ${where} sets ProxyCommand/ProxyJump for ${host} first; move or narrow that section`);
}
