import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessTracker, Tracked } from '../test/support/process.js';
import { waitFor } from '../test/support/wait.js';
import type { World } from '../test/world.js';

const SFTP_SERVER = '/usr/lib/openssh/sftp-server';

export interface SmallFiles {
  dir: string;
  names: string[];
  bytes: number;
}

/** `count` files of 1–4 KiB on the hidden host's side (this machine), for sshfs to read. */
export function makeSmallFiles(world: World, count: number): SmallFiles {
  const dir = join(world.dir, 'small-files');
  mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const name = `f${String(i).padStart(4, '0')}`;
    const size = 1024 + ((i * 769) % 3072);
    writeFileSync(join(dir, name), Buffer.alloc(size, i % 251));
    names.push(name);
    bytes += size;
  }
  return { dir, names, bytes };
}

const mounted = (path: string): boolean => readFileSync('/proc/self/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === path);

/**
 * Mounts host-1's files with sshfs over this config, times one `cat` of all of them (open, read, close each),
 * and unmounts. Throws with sshfs's own words when it cannot mount (no FUSE in a container, say).
 */
export async function catOverSshfs(world: World, tracker: ProcessTracker, config: string, files: SmallFiles, mountPoint: string): Promise<number> {
  mkdirSync(mountPoint, { recursive: true });
  const args = ['-f', '-F', config, '-o', `ro,sftp_server=${SFTP_SERVER}`, `host-1:${files.dir}`, mountPoint];
  const sshfs: Tracked = tracker.spawn('sshfs', args, { env: world.env(), cwd: world.dir });
  try {
    await waitFor(() => (mounted(mountPoint) ? true : sshfs.exitInfo() ? false : undefined), {
      timeoutMs: 30_000,
      what: () => `sshfs did not mount: ${sshfs.stderr()}`,
    }).then((ok) => {
      if (!ok) throw new Error(`sshfs exited ${JSON.stringify(sshfs.exitInfo())}: ${sshfs.stderr().trim()}`);
    });
    const result = await world.run('cat', files.names.map((name) => join(mountPoint, name)), { timeoutMs: 120_000 });
    if (result.code !== 0 || result.stdout.length !== files.bytes) {
      throw new Error(`cat over sshfs: ${result.stdout.length} of ${files.bytes} bytes, exit ${result.code}: ${result.stderr}`);
    }
    return result.ms;
  } finally {
    if (mounted(mountPoint)) await world.run('fusermount', ['-u', mountPoint], { timeoutMs: 15_000 });
    const timer = setTimeout(() => void tracker.kill(sshfs.pid), 10_000);
    await sshfs.exited;
    clearTimeout(timer);
    // a killed sshfs leaves its mount behind, answering ENOTCONN: detach it
    if (mounted(mountPoint)) await world.run('fusermount', ['-uz', mountPoint], { timeoutMs: 15_000 });
  }
}
