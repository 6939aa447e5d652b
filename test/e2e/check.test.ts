import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../support/net.js';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import { describeRun, escapeRegExp, writeProxyConfig } from './harness.js';

let world: World;
let config: string;
const tunnelConfig = (args: string[]) => world.run(process.execPath, [tunnelConfigBin, ...args], { timeoutMs: 30_000 });

before(async () => {
  // A stock sshd offers SFTP, which the check lists the socket directory with.
  world = await createWorld({ jumpConfig: 'Subsystem sftp internal-sftp' });
  await world.connectHost('host-1');
  await world.connectHost('host-2');
  const stale = await world.connectHost('host-3');
  await stale.kill();
  await world.connectHost('host-4', { targetPort: await freePort() });
  // The world's ssh_config (Host jump, strict host keys) as a user's own file; the set is added to it.
  config = jumpOnlyConfig('user_config');
  writeFileSync(join(world.sockDir, 'notes.txt'), 'not a socket\n');
  const added = await tunnelConfig(['add', '--yes', '--config', config, '--name', 'home', '--jump-alias', 'jump', '--socket-dir', world.sockDir, '--hosts', 'host-*', '--persist', '0']);
  assert.equal(added.code, 0, describeRun(added));
});

after(() => world?.close());

/** The world's `Host jump` (strict host keys, its client key) as a user's own ssh_config, with no hosts section yet. */
function jumpOnlyConfig(name: string, jump: string[] = []): string {
  const path = writeProxyConfig(world, name, { jump });
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.slice(0, text.indexOf('Host host-*')));
  return path;
}

test('add --check and list --check: the jump, its host key and login, the socket directory, who answers', async () => {
  const result = await tunnelConfig(['list', '--check', 'home', '--config', config]);
  assert.equal(result.code, 0, describeRun(result));
  const out = result.stdout.toString();
  const lines = [
    `✔ jump is ${world.user}@127.0.0.1 port ${world.jumpPort} (ssh -G)`,
    `✔ host key of jump verified, logged in as ${world.user}`,
    `✔ ${world.sockDir} holds 4 sockets of this set (4 in all)`,
    '✔ connected right now: host-1, host-2',
    '! host-3: stale (its socket is left over, nothing listens: the tunnel is down)',
    '! host-4: silent (the tunnel is up but nothing answered behind it: closed without a byte)',
    `Try it: ssh -F ${config} host-1`,
  ];
  assert.equal(out, `${lines.join('\n')}\n`);
  const again = await tunnelConfig(['add', '--yes', '--check', '--config', config, '--name', 'home', '--jump-alias', 'jump', '--socket-dir', world.sockDir, '--hosts', 'host-*', '--persist', '0']);
  assert.equal(again.code, 0, describeRun(again));
  assert.match(again.stdout.toString(), /✔ connected right now: host-1, host-2\n/);
});

test('a jump whose host key is not known: the check fails with the same line the proxy gives, status 4', async () => {
  const other = jumpOnlyConfig('user_config_unknown_key', [`UserKnownHostsFile ${world.nonexistent}`]);
  const added = await tunnelConfig(['add', '--yes', '--config', other, '--name', 'home', '--jump-alias', 'jump', '--socket-dir', world.sockDir, '--hosts', 'host-*']);
  assert.equal(added.code, 0, describeRun(added));
  const result = await tunnelConfig(['list', '--check', '--config', other]);
  assert.equal(result.code, 4, describeRun(result));
  assert.match(result.stdout.toString(), new RegExp(`^✔ jump is .*\\n✖ no ED25519 host key is known for ${escapeRegExp(`[127.0.0.1]:${world.jumpPort}`)} `));
});
