import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ExitCode, TunnelError } from '../errors.js';
import { jumpConfigFrom, parseSshG } from '../jump/jump.js';
import { expandContext, runSshG, sshDefaults } from '../jump/resolve.js';
import { hostNameProblem } from '../ssh/hostname.js';
import { defaultConfigPath } from '../sshconfig/store.js';
import { judgeConfig } from './config-step.js';
import { type DoctorReport, type DoctorStep, concludeReport, fail, failsOver, pass } from './steps.js';
import { walkJump, type WalkIo } from './walk-jump.js';

export interface DoctorOptions {
  host: string;
  /** -F/--config; undefined: the file ssh reads by itself. */
  configFile: string | undefined;
}

/** `ssh -V` says which OpenSSH this is, on stderr. */
function sshVersion(env: NodeJS.ProcessEnv): Promise<{ version?: string; problem?: string }> {
  return new Promise((done) => {
    execFile('ssh', ['-V'], { env, timeout: 10_000 }, (error, stdout, stderr) => {
      const text = `${stderr}${stdout}`.trim().split('\n')[0] ?? '';
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return done({ problem: 'no ssh on PATH' });
      done(/OpenSSH/.test(text) ? { version: text } : { problem: `ssh -V said ${JSON.stringify(text || error?.message || '')}, not OpenSSH` });
    }).stdin?.end();
  });
}

/** `ssh -G` needs OpenSSH 6.8 or later (ProxyCommand, -G and stream-local forwarding are all older). */
export function versionProblem(version: string): string | undefined {
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(version);
  if (!match) return undefined;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < 6 || (major === 6 && minor < 8) ? `${match[0]} is older than 6.8, which has no ssh -G` : undefined;
}

/**
 * Walks the chain for HOST as `ssh HOST` would go: the OpenSSH client, ssh_config (our ProxyCommand in
 * effect, or what shadows it), then each jump the ProxyCommand names, up to HOST's own host key.
 */
export async function runDoctor(options: DoctorOptions, io: WalkIo): Promise<DoctorReport> {
  const { host } = options;
  const problem = hostNameProblem(host);
  if (problem !== undefined) throw new TunnelError('usage', `invalid HOST: ${problem} (see tunnel-config doctor --help)`);
  const steps: DoctorStep[] = [];
  const done = (): DoctorReport => concludeReport(host, steps);

  const ssh = await sshVersion(io.env);
  const tooOld = ssh.version === undefined ? undefined : versionProblem(ssh.version);
  if (ssh.version === undefined || tooOld !== undefined) {
    steps.push(fail('ssh', tooOld ?? ssh.problem ?? 'no OpenSSH', 'install OpenSSH\'s client (apt-get install openssh-client; it comes with macOS)', ExitCode.usage));
    return done();
  }
  steps.push(pass('ssh', ssh.version));

  const path = options.configFile === undefined ? defaultConfigPath(userInfo().homedir) : resolve(options.configFile);
  const named = options.configFile !== undefined;
  let sshG: string;
  try {
    sshG = await runSshG(['-G', ...(named ? ['-F', path] : []), '--', host], io.env);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace('for the jump ', '') : String(error);
    steps.push(fail('config', message, `fix that line of ${path}`, ExitCode.usage));
    return done();
  }
  const text = await readFile(path, 'utf8').catch(() => '');
  const verdict = judgeConfig({ host, sshG, path, text, named });
  steps.push(verdict.step);
  if (!verdict.routes) return done();

  const parsed = parseSshG(sshG);
  const config = jumpConfigFrom(parsed, host, expandContext(io.env), parseSshG(await sshDefaults(io.env)));
  const hidden = { name: config.hostName, config, sshCommand: named ? `ssh -F ${path} ${host}` : `ssh ${host}` };
  for (const route of verdict.routes) {
    const walked = await walkJump(route, verdict.configFile, hidden, io);
    steps.push(...walked);
    // The proxy goes no further than a failure it does not fail over on; the doctor neither.
    const failed = walked.find((step) => step.ok === false);
    if (failed && !failsOver(failed)) break;
  }
  return done();
}
