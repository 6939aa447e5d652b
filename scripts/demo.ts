/**
 * A whole tunnel-config setup on this machine, on loopback: a jumphost sshd, a hidden host's sshd,
 * the hidden host's reverse tunnel (ssh -N -R SOCKDIR/host-1.sock:...), then `tunnel-config add` on an
 * ssh_config as a user has it, plain `ssh host-1` through the block it wrote, then `hosts --probe` and
 * `doctor` on a second host whose sshd is down. Ends with what to type next. Needs OpenSSH's sshd (apt-get install openssh-server).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../test/support/quote.js';
import { userConfigFor } from '../test/support/user-config.js';
import { freePort } from '../test/support/net.js';
import { createWorld, tunnelConfigBin } from '../test/world.js';

const say = (text: string): boolean => process.stdout.write(`${text}\n`);
const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ');

// SFTP on the jump lets `hosts` list the socket directory.
const world = await createWorld({ jumpConfig: 'Subsystem sftp internal-sftp' });
let status = 0;
try {
  say(`jumphost sshd   127.0.0.1:${world.jumpPort}  (StreamLocalBindUnlink yes, sockets in ${world.sockDir})`);
  say(`hidden host     127.0.0.1:${world.hiddenPort}`);
  await world.connectHost('host-1');
  say(`reverse tunnel  ssh -N -R ${world.socketPath('host-1')}:localhost:${world.hiddenPort} ... (up)`);

  const config = join(world.dir, 'ssh_config.user');
  writeFileSync(config, userConfigFor(world), { mode: 0o600 });
  say(`\nYour ssh_config (${config}), before tunnel-config:\n${indent(userConfigFor(world))}`);

  const flags = ['--name', 'demo', '--jump-alias', 'jump', '--socket-dir', world.sockDir, '--hosts', 'host-*', '--config', config];
  say(`What tunnel-config add writes for this world:\n$ tunnel-config add ${flags.map(shellQuote).join(' ')} --yes`);
  // The real binary on the demo's own stdout and stderr: its lines in their order, coloured where a terminal is.
  const add = spawnSync(process.execPath, [tunnelConfigBin, 'add', ...flags, '--yes'], { env: world.env(), stdio: ['ignore', 'inherit', 'inherit'], timeout: 30_000 });
  if (add.status !== 0) {
    status = add.status ?? 1;
  } else {
    say('\n$ ssh host-1 \'echo "hello from $(hostname), reached through tunnel-config"; uname -sr\'');
    const result = await world.ssh(['host-1', 'echo "hello from $(hostname), reached through tunnel-config"; uname -sr'], { configPath: config });
    process.stdout.write(result.stdout);
    if (result.stderr.trim()) process.stderr.write(result.stderr);
    say(`(exit ${result.code}, ${Math.round(result.ms)} ms)`);
    status = result.code ?? 1;

    // A second host whose tunnel is up but whose sshd is not: what the fleet tools say about it.
    await world.connectHost('host-2', { targetPort: await freePort() });
    const show = (args: string[]): void => {
      say(`\n$ tunnel-config ${args.map(shellQuote).join(' ')}`);
      spawnSync(process.execPath, [tunnelConfigBin, ...args], { env: world.env(), stdio: ['ignore', 'inherit', 'inherit'], timeout: 60_000 });
    };
    say('\nhost-2 keeps a tunnel too, but its sshd is down:');
    show(['hosts', '--probe', '--config', config]);
    show(['doctor', 'host-2', '-F', config]);
  }
} finally {
  await world.close();
}
if (status === 0) {
  say('\nNext, on the machine you ssh from: install tunnel-config, then answer its questions about your jumphost and hosts:');
  say('  npm ci && npm pack && npm install -g ./tunnel-config-*.tgz');
  say('  tunnel-config add');
}
process.exitCode = status;
