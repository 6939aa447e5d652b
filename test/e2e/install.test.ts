import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyAsClone, linkOrCopy, npmCache, readmeInstallCommand, toolsDir } from '../support/install.js';
import { userConfigFor } from '../support/user-config.js';
import { repoRoot, useWorld } from '../world.js';

const world = await useWorld();

test("README's install from a fresh clone stands alone: the clone deleted, ssh's PATH without node, ssh host-1 works", { timeout: 400_000 }, async () => {
  const root = join(world.dir, 'install');
  const clone = join(root, 'clone');
  const prefix = join(root, 'prefix');
  copyAsClone(repoRoot, clone);
  // Like nvm: the user's node in a directory of its own, on the shell's PATH but not on ssh's.
  const nodeBin = join(root, 'node-bin');
  mkdirSync(nodeBin);
  linkOrCopy(process.execPath, join(nodeBin, 'node'));
  const tools = toolsDir(join(root, 'tools'), ['ssh']);
  const sshPath = { PATH: tools };
  assert.notEqual((await world.run('/bin/sh', ['-c', 'command -v node'], { env: sshPath })).code, 0, "ssh's PATH has no node");

  // The README's command as written; npm reads its packages from its cache, never from the network.
  const npmEnv = {
    PATH: `${nodeBin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    npm_config_cache: npmCache(),
    npm_config_offline: 'true',
    npm_config_prefix: prefix,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const install = await world.run('/bin/sh', ['-c', readmeInstallCommand(repoRoot)], { cwd: clone, env: npmEnv, timeoutMs: 300_000 });
  assert.equal(install.code, 0, `${install.stdout.toString()}\n${install.stderr}`);

  const [tarball, ...more] = readdirSync(clone).filter((name) => name.endsWith('.tgz'));
  assert.ok(tarball !== undefined && more.length === 0, 'one tarball');
  const files = execFileSync('tar', ['tzf', join(clone, tarball)], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of ['package/bin/tunnel-config.js', 'package/dist/src/cli.js', 'package/dist/src/commands/proxy.js', 'package/node_modules/ssh2/package.json']) {
    assert.ok(files.includes(file), `${file} in the package`);
  }
  const stray = files.filter((f) => /^package\/(src|test|dist\/(test|bench|scripts))\//.test(f) || (f.startsWith('package/dist/') && !f.endsWith('.js')));
  assert.deepEqual(stray, [], 'no sources, tests or source maps in the package');

  rmSync(clone, { recursive: true, force: true });
  const bin = join(prefix, 'bin', 'tunnel-config');
  assert.ok(realpathSync(bin).startsWith(join(prefix, 'lib', 'node_modules', 'tunnel-config') + '/'), `${bin} is a copy in the prefix, not a link to the clone`);
  const version = await world.run(bin, ['--version'], { env: { PATH: `${nodeBin}:${tools}` } });
  assert.equal(version.stdout.toString(), `${JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version}\n`, version.stderr);

  const config = join(world.dir, 'user_config');
  writeFileSync(config, userConfigFor(world), { mode: 0o600 });
  await world.connectHost('host-1');
  const add = await world.run(bin, ['add', '--yes', '--config', config, '--name', 'home', '--jump-alias', 'jump', '--socket-dir', world.sockDir, '--hosts', 'host-1'], {
    env: { PATH: `${nodeBin}:${tools}` },
  });
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout.toString(), /Try it: ssh host-1/);
  const proxyCommand = readFileSync(config, 'utf8').split('\n').find((line) => line.startsWith('  ProxyCommand '));
  assert.equal(proxyCommand, `  ProxyCommand ${join(nodeBin, 'node')} ${bin} proxy --jump jump --socket-dir ${world.sockDir} -F ${config} -- %h`);

  assert.equal((await world.ssh(['host-1', 'true'], { configPath: config, env: sshPath })).code, 0);
  const echo = await world.ssh(['host-1', 'echo reached through the installed tunnel-config'], { configPath: config, env: sshPath });
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(echo.stdout.toString(), 'reached through the installed tunnel-config\n');
});
