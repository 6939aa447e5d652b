import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, tunnelConfigBin, type World } from '../world.js';

let world: World;

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
});
after(() => world?.close());

/** A user's config as people have them: global defaults first, comments, a CRLF-free mix of styles, a catch-all last. */
function userConfig(extra = ''): string {
  return [
    '# my ssh config',
    `IdentityFile ${world.keys.client.path}`,
    'IdentitiesOnly yes',
    'IdentityAgent none',
    `UserKnownHostsFile ${world.knownHostsJump} ${world.knownHostsHosts}`,
    `GlobalKnownHostsFile ${world.nonexistent}`,
    'StrictHostKeyChecking yes',
    'BatchMode yes',
    '',
    'Host myserver',
    '\tHostName 192.0.2.10',
    '\tServerAliveInterval 30 # keep alive',
    extra,
    'Host *',
    '  ForwardAgent no',
    '',
  ].join('\n');
}

const tc = (args: string[]) => world.run(process.execPath, [tunnelConfigBin, ...args], { timeoutMs: 30_000 });

describe('add, then plain ssh through the generated block, then remove', () => {
  test('with a jumphost described by flags', async () => {
    const config = join(world.dir, 'user_config_flags');
    const original = userConfig();
    writeFileSync(config, original, { mode: 0o600 });
    const added = await tc([
      'add', '--name', 'lab', '--jump-host', '127.0.0.1', '--jump-port', String(world.jumpPort), '--jump-user', world.user,
      '--identity', world.keys.client.path, '--socket-dir', world.sockDir, '--hosts', 'host-*', '--user', world.user,
      '--config', config, '--yes',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout.toString(), /^\+# >>> tunnel-config lab >>>$/m);
    assert.match(added.stdout.toString(), /Done\. Try it: ssh /);
    assert.match(added.stderr, /^wrote .*user_config_flags \(backup of the previous version: .*\)$/m);

    const ssh = await world.ssh(['host-1', 'echo through-the-generated-config; exit 3'], { configPath: config });
    assert.equal(ssh.code, 3, ssh.stderr);
    assert.equal(ssh.stdout.toString(), 'through-the-generated-config\n');

    const listed = await tc(['list', '--json', '--config', config]);
    assert.equal(listed.code, 0, listed.stderr);
    const sets = JSON.parse(listed.stdout.toString()) as Array<{ name: string; hosts: string[]; socketDir: string }>;
    assert.deepEqual(sets.map((s) => [s.name, s.hosts, s.socketDir]), [['lab', ['host-*'], world.sockDir]]);

    const again = await tc([
      'add', '--name', 'lab', '--jump-host', '127.0.0.1', '--jump-port', String(world.jumpPort), '--jump-user', world.user,
      '--identity', world.keys.client.path, '--socket-dir', world.sockDir, '--hosts', 'host-*', '--user', world.user,
      '--config', config, '--yes',
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already has this; nothing to change/);

    const removed = await tc(['remove', 'lab', '--config', config, '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(readFileSync(config, 'utf8'), original);
    const gone = await world.ssh(['host-1', 'true'], { configPath: config, timeoutMs: 15_000 });
    assert.notEqual(gone.code, 0);
  });

  test('reusing an existing Host alias for the jumphost', async () => {
    const config = join(world.dir, 'user_config_alias');
    const original = userConfig(['Host myjump', '  HostName 127.0.0.1', `  Port ${world.jumpPort}`, `  User ${world.user}`, ''].join('\n'));
    writeFileSync(config, original, { mode: 0o644 });
    const added = await tc(['add', '--name', 'home', '--jump-alias', 'myjump', '--socket-dir', world.sockDir, '--hosts', 'host-1,host-2', '--config', config, '--yes']);
    assert.equal(added.code, 0, added.stderr);
    const text = readFileSync(config, 'utf8');
    assert.doesNotMatch(text, /^Host tunnel-config-home-jump/m, 'no jump block when reusing an alias');
    assert.match(text, /--jump myjump /);

    const ssh = await world.ssh(['host-1', 'hostname >/dev/null && echo alias-ok'], { configPath: config });
    assert.equal(ssh.code, 0, ssh.stderr);
    assert.equal(ssh.stdout.toString(), 'alias-ok\n');

    const edited = await tc(['edit', 'home', '--hosts', 'host-*', '--config', config, '--yes']);
    assert.equal(edited.code, 0, edited.stderr);
    assert.match(readFileSync(config, 'utf8'), /^Host host-\*$/m);

    assert.equal((await tc(['remove', 'home', '--config', config, '--yes'])).code, 0);
    assert.equal(readFileSync(config, 'utf8'), original);
  });

  test('moving over from the seed recipe: refused as it stands, --adopt takes its place, ssh works before, during and after remove', async () => {
    const config = join(world.dir, 'user_config_seed');
    const jump = ['Host jump', '  HostName 127.0.0.1', `  Port ${world.jumpPort}`, `  User ${world.user}`, ''].join('\n');
    const seed = ['Host host-*', `  ProxyCommand ${world.seedProxyCommand(config)}`, `  User ${world.user}`, ''].join('\n');
    const original = userConfig(`${jump}\n${seed}`);
    writeFileSync(config, original, { mode: 0o600 });
    const throughSeed = await world.ssh(['host-1', 'echo through-the-seed'], { configPath: config });
    assert.equal(throughSeed.stdout.toString(), 'through-the-seed\n', throughSeed.stderr);

    const flags = ['add', '--name', 'home', '--jump-alias', 'jump', '--socket-dir', world.sockDir, '--hosts', 'host-*', '--config', config, '--yes'];
    const refused = await tc(flags);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /^tunnel-config: line \d+ of .*user_config_seed \(`ProxyCommand ssh -F .* jump nc -U .*\/%h\.sock`\) comes first for host-\*, .*pass --adopt to turn the seed-recipe section at lines \d+-\d+ \(through -F \S+ jump\) into set "home"/);
    assert.equal(readFileSync(config, 'utf8'), original);

    const adopted = await tc([...flags, '--adopt']);
    assert.equal(adopted.code, 0, adopted.stderr);
    const resolved = await world.run('ssh', ['-G', '-F', config, 'host-1']);
    assert.match(resolved.stdout.toString(), new RegExp(`^proxycommand \\S+ \\S+ proxy --jump jump --socket-dir ${world.sockDir} -F \\S+ -- %h$`, 'm'));
    const throughProxy = await world.ssh(['host-1', 'echo through-tunnel-config'], { configPath: config });
    assert.equal(throughProxy.stdout.toString(), 'through-tunnel-config\n', throughProxy.stderr);

    assert.equal((await tc(['remove', 'home', '--config', config, '--yes'])).code, 0);
    assert.equal(readFileSync(config, 'utf8'), original);
    const seedAgain = await world.ssh(['host-1', 'echo seed-again'], { configPath: config });
    assert.equal(seedAgain.stdout.toString(), 'seed-again\n', seedAgain.stderr);
  });

  test('an earlier section that sets ProxyJump for the hosts is named before writing, and nothing is written', async () => {
    const config = join(world.dir, 'user_config_shadow');
    const original = ['Host myjump', '  HostName 127.0.0.1', '', 'Host host-1', '  ProxyJump somewhere-else', '', 'Host *', '  ForwardAgent no', ''].join('\n');
    writeFileSync(config, original);
    const added = await tc(['add', '--name', 'shadowed', '--jump-alias', 'myjump', '--hosts', 'host-1', '--config', config, '--yes']);
    assert.equal(added.code, 2, added.stderr);
    assert.match(added.stderr, /^tunnel-config: line 5 of .*user_config_shadow \(`ProxyJump somewhere-else`\) comes first for host-1, so ssh would not use the block of "shadowed" for host-1; nothing was written; pass --place-before to put the block before `Host host-1` \(line 4\)\n$/);
    assert.equal(readFileSync(config, 'utf8'), original);
  });
});
