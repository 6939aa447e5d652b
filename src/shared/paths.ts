import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The directory that holds the shared connections' sockets: private to the user (0700). */
export function sharedDir(env: NodeJS.ProcessEnv, home: string): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime && runtime.startsWith('/') ? join(runtime, 'tunnel-config') : join(home, '.cache', 'tunnel-config', 'shared');
}

/**
 * One shared connection per resolved jump: the whole `ssh -G` result (host, port, user, identities,
 * known_hosts and algorithm settings…), the tunnel-config version and the uid. A changed ssh_config
 * or a new version means a new connection, never a reused one.
 */
export function sharedKey(sshG: string, version: string, uid: number): string {
  return createHash('sha256').update(`${version}\0${uid}\0${sshG}`).digest('hex').slice(0, 24);
}

export interface SharedPaths {
  dir: string;
  socket: string;
  lock: string;
  token: string;
}

export function sharedPaths(dir: string, key: string): SharedPaths {
  return { dir, socket: join(dir, `${key}.sock`), lock: join(dir, `${key}.lock`), token: join(dir, 'token') };
}

/** Durations as `--persist` takes them: 0, 90, 90s, 10m, 2h. Undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,7})([smh]?)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1;
  return Number(match[1]) * unit;
}
