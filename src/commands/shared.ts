import { closeSync, readdirSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { TunnelError } from '../errors.js';
import { resolveJumpWithText } from '../jump/resolve.js';
import { sendRequest } from '../shared/client.js';
import { runDaemon, type StartReport } from '../shared/daemon.js';
import { parseDuration, sharedDir, sharedKey, sharedPaths } from '../shared/paths.js';
import { PROTOCOL_VERSION, type SharedStatus } from '../shared/protocol.js';
import { renderStatusTable } from '../shared/render.js';
import { ensurePrivateDir, ensureToken, readToken } from '../shared/store.js';
import { packageVersion } from '../version.js';
import { parseCommandArgs } from './args.js';

export const sharedUsage = `Usage: tunnel-config shared status [--json]
       tunnel-config shared stop [JUMP]

The shared jump connections: the proxy keeps one authenticated connection per jump in a
background process, so repeat connects skip the SSH handshake (--persist on the proxy).

  status [--json]   each shared connection: jump, pid, age, channels open, bytes
  stop [JUMP]       end the shared connections (all, or those for JUMP)
`;

interface Io {
  env: NodeJS.ProcessEnv;
  stderr: (line: string) => void;
  stdout: (text: string) => void;
}

const REQUEST_TIMEOUT_MS = 3000;

export async function sharedCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'serve') return serve(rest, io);
  if (sub === 'status') return status(rest, io);
  if (sub === 'stop') return stop(rest, io);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(sharedUsage);
    return 0;
  }
  throw new TunnelError('usage', `shared needs status or stop${sub === undefined ? '' : `, not "${sub}"`} (see tunnel-config shared --help)`);
}

async function statuses(env: NodeJS.ProcessEnv): Promise<Array<{ socket: string; status: SharedStatus }>> {
  const dir = sharedDir(env, env.HOME || userInfo().homedir);
  const token = readToken(join(dir, 'token'));
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.sock'));
  } catch {
    return [];
  }
  if (token === undefined) return [];
  const found = await Promise.all(
    names.map(async (name) => {
      const socket = join(dir, name);
      const answer = await sendRequest({ op: 'status', version: PROTOCOL_VERSION, token }, { socket, timeoutMs: REQUEST_TIMEOUT_MS });
      if ('unavailable' in answer) return undefined;
      answer.conn.destroy();
      return answer.reply.ok && answer.reply.status ? { socket, status: answer.reply.status } : undefined;
    }),
  );
  return found.filter((entry) => entry !== undefined);
}

async function status(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, strict: true, options: { json: { type: 'boolean', default: false } } }, 'shared status');
  const list = (await statuses(io.env)).map((entry) => entry.status);
  if (values.json) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
  else if (list.length === 0) io.stderr('no shared connections are running');
  else io.stdout(renderStatusTable(list, Date.now()));
  return 0;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stop(argv: string[], io: Io): Promise<number> {
  const { positionals } = parseCommandArgs({ args: argv, strict: true, allowPositionals: true, options: {} }, 'shared stop');
  if (positionals.length > 1) throw new TunnelError('usage', 'shared stop takes at most one JUMP (see tunnel-config shared --help)');
  const [jump] = positionals;
  const dir = sharedDir(io.env, io.env.HOME || userInfo().homedir);
  const token = readToken(join(dir, 'token'));
  const targets = (await statuses(io.env)).filter((entry) => jump === undefined || entry.status.jump === jump || entry.status.target.includes(`@${jump}:`));
  for (const { socket } of targets) {
    const answer = await sendRequest({ op: 'stop', version: PROTOCOL_VERSION, token: token ?? '' }, { socket, timeoutMs: REQUEST_TIMEOUT_MS });
    if (!('unavailable' in answer)) answer.conn.destroy();
  }
  const deadline = Date.now() + 5000;
  while (targets.some(({ status: s }) => isAlive(s.pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  io.stderr(`stopped ${targets.length} shared connection${targets.length === 1 ? '' : 's'}${jump === undefined ? '' : ` for ${jump}`}`);
  return 0;
}

/** The background process itself, started by a proxy: reports once on fd 3, then serves. */
async function serve(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: argv,
      strict: true,
      options: { key: { type: 'string' }, jump: { type: 'string' }, idle: { type: 'string' }, config: { type: 'string', short: 'F' } },
    },
    'shared serve',
  );
  let reported = false;
  const report = (value: StartReport): void => {
    if (reported) return;
    reported = true;
    try {
      writeSync(3, `${JSON.stringify(value)}\n`);
      closeSync(3);
    } catch {
      // started by hand, with no report pipe
    }
  };
  const fail = (code: string, message: string): number => {
    report({ state: 'failed', code, message, messages: [] });
    io.stderr(message);
    return 2;
  };
  const idleSeconds = parseDuration(values.idle ?? '');
  if (values.key === undefined || values.jump === undefined || idleSeconds === undefined || idleSeconds === 0) return fail('usage', 'shared serve needs --key, --jump and --idle');
  let resolved;
  try {
    resolved = await resolveJumpWithText(values.jump, values.config, io.env);
  } catch (error) {
    return fail(error instanceof TunnelError ? error.code : 'internal', (error as Error).message);
  }
  const { jump, sshG } = resolved;
  const me = userInfo();
  const version = packageVersion();
  if (sharedKey(sshG, version, me.uid) !== values.key) return fail('changed', 'the ssh_config for the jump changed while the shared connection started');
  const dir = sharedDir(io.env, io.env.HOME || me.homedir);
  const problem = ensurePrivateDir(dir, me.uid);
  if (problem !== undefined) return fail('usage', problem);
  const token = ensureToken(join(dir, 'token'));
  if (token === undefined) return fail('usage', `cannot create ${join(dir, 'token')}`);
  return runDaemon({
    jump,
    paths: sharedPaths(dir, values.key),
    token,
    idleSeconds,
    version,
    report,
    log: (line) => io.stderr(`${new Date().toISOString()} ${line}`),
  });
}
