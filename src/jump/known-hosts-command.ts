import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { TunnelError } from '../errors.js';
import { expandTokens, splitCommandLine } from '../ssh/command-line.js';
import { fingerprintSha256, keyTypeOfBlob, parseKnownHosts, type KnownHostEntry } from '../ssh/knownhosts.js';
import type { JumpConfig } from './jump.js';

/** Why ssh runs the command: %I. ORDER runs before the key exchange, without a key. */
export type Invocation = 'ORDER' | 'HOSTNAME' | 'ADDRESS';

const fail = (jump: JumpConfig, why: string): TunnelError =>
  new TunnelError('hostKey', `KnownHostsCommand for ${jump.name} failed (${why}): ssh would stop here too; fix the command or unset it`);

/** ssh's %C: SHA-1 of local host name, remote host, port and user, in hex. */
function connectionHash(jump: JumpConfig): string {
  return createHash('sha1').update(`${jump.context.localHostName}${jump.hostName}${jump.port}${jump.user}`).digest('hex');
}

/**
 * Runs KnownHostsCommand as ssh's load_hostkeys_command does: split like argv, `%` tokens expanded in
 * the arguments (not the program), the program named by an absolute path, stdout read as known_hosts
 * lines for `lookupName`. A command that exits non-zero stops ssh, so it refuses the key here.
 */
export async function runKnownHostsCommand(jump: JumpConfig, invocation: Invocation, lookupName: string, key?: Buffer): Promise<KnownHostEntry[]> {
  const template = jump.knownHostsCommand;
  if (template === undefined) return [];
  const argv = splitCommandLine(template);
  if (argv === null) throw fail(jump, 'it has an unclosed quote');
  const [program, ...args] = argv;
  // ssh logs these and carries on with no keys from the command.
  if (program === undefined || !isAbsolute(program)) return [];
  const ctx = jump.context;
  const tokens: Record<string, string> = {
    C: connectionHash(jump),
    L: ctx.localHostName.split('.')[0] ?? ctx.localHostName,
    i: String(ctx.uid),
    k: jump.hostKeyAlias ?? jump.name,
    l: ctx.localHostName,
    n: jump.name,
    p: String(jump.port),
    d: ctx.home,
    h: jump.hostName,
    r: jump.user,
    u: ctx.localUser,
    H: lookupName,
    I: invocation,
    t: key ? keyTypeOfBlob(key) : 'NONE',
    f: key ? fingerprintSha256(key) : 'NONE',
    K: key ? key.toString('base64') : 'NONE',
  };
  const expanded = args.map((arg) => expandTokens(arg, tokens, ctx.env));
  if (expanded.some((arg) => arg === null)) throw fail(jump, 'it uses an unknown %-token or an unset ${VARIABLE}');
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(program, expanded as string[], { env: ctx.env, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // ssh carries on without the command's keys when the program is missing.
      if (error.code === 'ENOENT') resolve('');
      else reject(fail(jump, error.message));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(fail(jump, signal ? `killed by ${signal}` : `exit ${String(code)}`));
    });
  });
  return parseKnownHosts(stdout, `KnownHostsCommand-${invocation}`, 'command');
}
