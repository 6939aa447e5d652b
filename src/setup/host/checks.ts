import { join } from 'node:path';
import { TunnelError } from '../../errors.js';
import { matchesHost, parseKnownHosts } from '../../ssh/knownhosts.js';
import { shellLine } from './render-command.js';
import { knownHostsName, type TunnelSpec } from './spec.js';
import type { HostSystem } from './system.js';

/** The keys ssh tries when no IdentityFile is given (OpenSSH 9), in its order. */
export const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];
export const GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

export type KeyState = 'usable' | 'passphrase' | 'too-open' | 'missing' | { unloadable: string };

/** What ssh would make of a private key with nobody at a terminal: ssh-keygen -y loads it as ssh does. */
export async function keyState(system: HostSystem, path: string): Promise<KeyState> {
  if (!(await system.exists(path))) return 'missing';
  const result = await system.run('ssh-keygen', ['-y', '-P', '', '-f', path]);
  if (result.code === 0) return 'usable';
  if (/incorrect passphrase|passphrase is required/i.test(result.stderr)) return 'passphrase';
  if (/bad permissions/i.test(result.stderr)) return 'too-open';
  const said = result.stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('@'));
  return { unloadable: said.at(-1) ?? `ssh-keygen exited with ${String(result.code)}` };
}

function keyProblem(path: string, state: Exclude<KeyState, 'usable'>): string {
  if (state === 'missing') return `the key ${path} does not exist: pass the private key the jump authorised with --identity KEY`;
  if (state === 'passphrase') {
    return `the key ${path} is protected by a passphrase, and a service has nobody to type it: remove it with ssh-keygen -p -N '' -f ${path}, or make a key without one for the tunnel (ssh-keygen -t ed25519 -N '') and authorise it on the jump`;
  }
  if (state === 'too-open') return `ssh ignores the key ${path}: other users can read it; chmod 600 ${path}`;
  return `ssh cannot load the key ${path}: ${state.unloadable}`;
}

/** The key the service logs in with must load without a passphrase; without --identity, one of ssh's default keys must. */
export async function checkIdentity(system: HostSystem, spec: TunnelSpec, home: string): Promise<void> {
  if (spec.identityFile !== undefined) {
    const state = await keyState(system, spec.identityFile);
    if (state !== 'usable') throw new TunnelError('usage', keyProblem(spec.identityFile, state));
    return;
  }
  const problems: string[] = [];
  for (const name of DEFAULT_IDENTITIES) {
    const path = join(home, '.ssh', name);
    const state = await keyState(system, path);
    if (state === 'usable') return;
    if (state !== 'missing') problems.push(keyProblem(path, state));
  }
  if (problems.length > 0) throw new TunnelError('usage', `no usable key in ${join(home, '.ssh')}: ${problems.join('; ')}; or pass --identity KEY`);
  throw new TunnelError('usage', `no key in ${join(home, '.ssh')} for ssh to log in to the jump with: pass --identity KEY (the private key the jump authorised)`);
}

/** The known_hosts files the service's ssh reads: ours or the user's, then the system's. */
export function knownHostsFiles(spec: TunnelSpec, home: string): string[] {
  const user = spec.knownHostsFile !== undefined ? [spec.knownHostsFile] : [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')];
  return [...user, ...GLOBAL_KNOWN_HOSTS];
}

/** The command that records the jump's key where the service will look for it. */
export function firstConnectCommand(spec: TunnelSpec, runAs: string, currentUser: string): string {
  return shellLine([
    ...(runAs === currentUser ? [] : ['sudo', '-u', runAs]),
    'ssh',
    ...(spec.jumpPort !== 22 ? ['-p', String(spec.jumpPort)] : []),
    ...(spec.knownHostsFile !== undefined ? ['-o', `UserKnownHostsFile=${spec.knownHostsFile}`] : []),
    `${spec.jumpUser}@${spec.jumpHost}`,
    'true',
  ]);
}

/** The service runs with StrictHostKeyChecking yes, so the jump's key must already be known (not revoked). */
export async function checkJumpKnown(system: HostSystem, spec: TunnelSpec, runAs: string, home: string): Promise<void> {
  const name = knownHostsName(spec).toLowerCase();
  const files = knownHostsFiles(spec, home);
  for (const file of files) {
    const text = await system.readText(file).catch((error: NodeJS.ErrnoException) => {
      throw new TunnelError('usage', `cannot read ${file} (${error.code ?? error.message}): run host-setup as ${runAs} or as root`);
    });
    if (text === undefined) continue;
    const entries = parseKnownHosts(text, file);
    if (entries.some((entry) => entry.marker !== 'revoked' && matchesHost(entry, name))) return;
  }
  throw new TunnelError(
    'hostKey',
    `the jump's host key is not known as ${name} (looked in ${files.join(', ')}) and the service checks it strictly (StrictHostKeyChecking yes): connect once as ${runAs} to record it, comparing the fingerprint with the jump's: ${firstConnectCommand(spec, runAs, system.userName)} (the key is recorded even if the login is refused), then run host-setup again`,
  );
}
