import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { TunnelError } from '../errors.js';
import { type ExpandContext, type JumpConfig, jumpConfigFrom, parseJumpSpec, parseSshG, sshGArgs } from './jump.js';

const NOISE = /^Pseudo-terminal will not be allocated/;

function runSshG(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
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

/** Resolves `--jump` the way `ssh JUMP` would, by asking OpenSSH itself (`ssh -G`). */
export async function resolveJump(jump: string, configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<JumpConfig> {
  const spec = parseJumpSpec(jump);
  const text = await runSshG(sshGArgs(spec, configFile), env);
  return jumpConfigFrom(parseSshG(text), spec.host, expandContext(env));
}
