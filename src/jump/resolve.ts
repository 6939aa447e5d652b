import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { TunnelError } from '../errors.js';
import { type ExpandContext, type JumpConfig, jumpConfigFrom, parseJumpSpec, parseSshG, sshGArgs } from './jump.js';

const NOISE = /^Pseudo-terminal will not be allocated/;

/** `ssh -G` output for a jump: OpenSSH's own resolution of ssh_config. */
export function runSshG(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('ssh', args, { env, maxBuffer: 1 << 20, timeout: 10_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        return reject(new TunnelError('usage', 'OpenSSH\'s ssh was not found on PATH: it is needed to read ssh_config (install openssh-client)'));
      }
      const said = stderr.split('\n').filter((line) => line.trim() && !NOISE.test(line));
      reject(new TunnelError('usage', `ssh_config could not be read for the jump (ssh ${args.join(' ')}): ${said.join('; ') || error.message}`));
    });
    child.stdin?.end();
  });
}

export function expandContext(env: NodeJS.ProcessEnv = process.env): ExpandContext {
  const me = userInfo();
  return { home: me.homedir, localUser: me.username, uid: me.uid, localHostName: hostname(), env };
}

/** OpenSSH's compiled-in settings, to tell a configured HostKeyAlgorithms from the default. */
export const sshDefaults = (env: NodeJS.ProcessEnv): Promise<string> => runSshG(['-G', '-F', '/dev/null', 'defaults.invalid'], env).catch(() => '');

/** Resolves `--jump` the way `ssh JUMP` would, by asking OpenSSH itself (`ssh -G`). */
export async function resolveJump(jump: string, configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<JumpConfig> {
  return (await resolveJumpWithText(jump, configFile, env)).jump;
}

/** The same, keeping OpenSSH's text: the shared connection is keyed on all of it. */
export async function resolveJumpWithText(jump: string, configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<{ jump: JumpConfig; sshG: string }> {
  const spec = parseJumpSpec(jump);
  const [sshG, defaults] = await Promise.all([runSshG(sshGArgs(spec, configFile), env), sshDefaults(env)]);
  return { jump: jumpConfigFrom(parseSshG(sshG), spec.host, expandContext(env), parseSshG(defaults)), sshG };
}
