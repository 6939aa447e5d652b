import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { TunnelError } from '../errors.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { parseTunnelSet } from '../sshconfig/parse.js';
import { renderProxyCommand } from '../sshconfig/render.js';
import { findShadowingLine, sampleHostFor } from '../sshconfig/shadow.js';
import { type ConfigFile, defaultConfigPath, readConfig } from '../sshconfig/store.js';
import type { TunnelSet } from '../sshconfig/types.js';
import type { CommandIo } from './apply-change.js';

export interface ConfigContext {
  file: ConfigFile;
  /** The path written into ProxyCommand's -F, or undefined for ssh's default file. */
  configFile: string | undefined;
  sets: TunnelSet[];
}

/** Reads the config (default ~/.ssh/config) and its tunnel sets; broken markers stop the command here. */
export async function loadConfig(given: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigContext> {
  const defaultPath = defaultConfigPath(env.HOME || homedir());
  const path = given === undefined ? defaultPath : resolve(given);
  const file = await readConfig(path);
  const sets = findManagedBlocks(file.text, path).map((block) => parseTunnelSet(block, path));
  return { file, configFile: path === defaultPath ? undefined : path, sets };
}

/** The absolute path of this tunnel-config, as ProxyCommand must run it. */
export function selfPath(): string {
  return resolve(process.argv[1] ?? 'tunnel-config');
}

function sshG(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done) => {
    execFile('ssh', ['-G', ...args], { env, timeout: 10_000 }, (error, stdout) => done(error ? '' : stdout)).stdin?.end();
  });
}

/** After writing: asks OpenSSH whether a host of the set now resolves to our ProxyCommand, and says what overrides it if not. */
export async function verifyWritten(io: CommandIo, context: ConfigContext, set: TunnelSet, text: string): Promise<number> {
  const host = sampleHostFor(set);
  const output = await sshG([...(context.configFile ? ['-F', context.configFile] : []), '--', host], io.env);
  const line = output.split('\n').find((l) => l.toLowerCase().startsWith('proxycommand '));
  const expected = renderProxyCommand(set);
  if (line?.slice('proxycommand '.length) === expected) {
    io.stdout(`Done. Try it: ssh ${set.hosts.find((h) => !/[*?]/.test(h)) ?? host}\n`);
    return 0;
  }
  const shadow = findShadowingLine(text, host, expected);
  const where = shadow ? `line ${shadow.line} of ${context.file.path} (${shadow.text.trim()})` : 'an earlier setting (an Include or the system ssh_config)';
  throw new TunnelError('usage', `written, but ssh -G ${host} does not use it: ${where} sets ProxyCommand/ProxyJump for ${host} first; move or narrow that section`);
}
