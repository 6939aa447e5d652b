/**
 * A whole tunnel-config setup on this machine, on loopback: a jumphost sshd, a hidden host's sshd,
 * the hidden host's reverse tunnel (ssh -N -R SOCKDIR/host-1.sock:...), and then plain `ssh host-1`
 * through `tunnel-config proxy`. Needs OpenSSH's sshd (apt-get install openssh-server).
 */
import { readFileSync } from 'node:fs';
import { createWorld } from '../test/world.js';

const say = (text: string): boolean => process.stdout.write(`${text}\n`);
const world = await createWorld();
let status = 0;
try {
  say(`jumphost sshd   127.0.0.1:${world.jumpPort}  (StreamLocalBindUnlink yes, sockets in ${world.sockDir})`);
  say(`hidden host     127.0.0.1:${world.hiddenPort}`);
  await world.connectHost('host-1');
  say(`reverse tunnel  ssh -N -R ${world.socketPath('host-1')}:localhost:${world.hiddenPort} ... (up)`);
  const config = world.writeClientConfig(world.tunnelConfigProxyCommand());
  say(`\nssh_config (${config}):\n${readFileSync(config, 'utf8').replace(/^/gm, '  ')}`);
  say('$ ssh host-1 \'echo "hello from $(hostname), reached through tunnel-config"; uname -sr\'');
  const result = await world.ssh(['host-1', 'echo "hello from $(hostname), reached through tunnel-config"; uname -sr']);
  process.stdout.write(result.stdout);
  if (result.stderr.trim()) process.stderr.write(result.stderr);
  say(`(exit ${result.code}, ${Math.round(result.ms)} ms)`);
  status = result.code ?? 1;
} finally {
  await world.close();
}
process.exitCode = status;
