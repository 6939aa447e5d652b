import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from '../../support/keys.js';
import { fileIdentity } from '../../support/tunnel.js';
import { describe as describeRun, ssh, type Jump } from './jump.js';
import type { Machine } from './machine.js';

/** Owners, modes, link targets and contents of everything under `dir` (no inodes or times): equal means same state. */
export function stateOf(dir: string, skip: readonly string[] = []): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (path: string): void => {
    if (skip.includes(path)) return;
    const stats = lstatSync(path);
    const common = `${stats.uid}:${stats.gid} ${(stats.mode & 0o7777).toString(8)}`;
    if (stats.isSymbolicLink()) found[path] = `link ${readlinkSync(path)} ${common}`;
    else if (stats.isDirectory()) {
      found[path] = `dir ${common}`;
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else if (stats.isFile()) found[path] = `file ${common} ${readFileSync(path, 'utf8')}`;
    else found[path] = `${stats.isSocket() ? 'socket' : 'other'} ${common}`;
  };
  walk(dir);
  return found;
}

/** uid:gid mode of `path` (not following a link). */
export function ownerMode(path: string): string {
  const stats = lstatSync(path);
  return `${stats.uid}:${stats.gid} ${(stats.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

/**
 * `ssh -N -R PATH:…` as `account` must fail the way sshd refuses a listener (ExitOnForwardFailure, exit 255),
 * and the socket at `guarded` must be the same file afterwards.
 */
export async function assertBindRefused(machine: Machine, jump: Jump, account: string, key: KeyPair, path: string, guarded: string): Promise<void> {
  const before = fileIdentity(guarded);
  const result = await ssh(machine, jump, account, key, ['-N', '-R', `${path}:127.0.0.1:9`, '-o', 'ExitOnForwardFailure=yes']);
  const context = `${account} -R ${path}\n${describeRun(result)}`;
  assert.equal(result.timedOut, false, context);
  assert.equal(result.code, 255, context);
  assert.match(result.stderr, new RegExp(`remote port forwarding failed for listen path ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), context);
  assert.equal(fileIdentity(guarded), before, `${guarded} was replaced\n${context}`);
}
