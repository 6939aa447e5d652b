import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetNs } from '../../support/netns.js';
import { isAlive, type ProcessTracker } from '../../support/process.js';
import { renderSshdConfig, Sshd, sshdPath } from '../../support/sshd.js';
import { waitFor } from '../../support/wait.js';
import type { World } from '../../world.js';

/** A second jump on loopback with only the RSA host key, offered only as SHA-1 `ssh-rsa`. */
export function startSha1Jump(world: World, tracker: ProcessTracker): Promise<Sshd> {
  return Sshd.start(
    {
      name: 'sha1-jump',
      dir: join(world.dir, 'sha1-jump'),
      hostKeys: [world.keys.jumpHost.rsa.path],
      authorizedKeysFile: world.jumpAuthorizedKeys,
      extraConfig: 'HostKeyAlgorithms ssh-rsa',
    },
    tracker,
  );
}

function checkConfig(configPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(sshdPath, ['-t', '-f', configPath], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`sshd -t -f ${configPath} failed:\n${stderr || error.message}`));
      else resolve();
    });
  });
}

export interface NetNsJump {
  address: string;
  port: number;
  log: () => string;
}

/** The world's jump (same host keys, same authorized_keys) again, listening on `address:22` inside `netns`. */
export async function startNetNsJump(world: World, tracker: ProcessTracker, netns: NetNs, address: string): Promise<NetNsJump> {
  const dir = join(world.dir, 'netns-jump');
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'sshd_config');
  const logPath = join(dir, 'sshd.log');
  const port = 22;
  const config = renderSshdConfig({
    port,
    hostKeys: Object.values(world.keys.jumpHost).map((key) => key.path),
    authorizedKeysFile: world.jumpAuthorizedKeys,
  }).replace(/^ListenAddress 127\.0\.0\.1$/m, `ListenAddress ${address}`);
  await writeFile(configPath, config);
  await checkConfig(configPath);
  const [command, args] = netns.wrap(sshdPath, ['-D', '-E', logPath, '-f', configPath]);
  const started = tracker.spawn(command, args, { background: true });
  const log = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  await waitFor(
    () => {
      if (log().includes(`Server listening on ${address} port ${port}.`)) return true;
      if (!isAlive(started.pid)) throw new Error(`sshd in ${netns.name} exited:\n${started.stderr()}${log()}`);
      return undefined;
    },
    { timeoutMs: 10_000, what: () => `sshd in ${netns.name} never listened on ${address}:${port}:\n${started.stderr()}${log()}` },
  );
  return { address, port, log };
}
