import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { proxyProgram } from '../../src/commands/proxy-program.js';
import { TunnelError } from '../../src/errors.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { parseTunnelSet } from '../../src/sshconfig/parse.js';
import { renderProxyCommand, renderTunnelSet } from '../../src/sshconfig/render.js';
import type { TunnelSet } from '../../src/sshconfig/types.js';
import { linkOrCopy } from '../support/install.js';
import { addFlags, runCli, snapshotTree, tempDir, tunnelConfigBin, USER_CONFIG } from './harness.js';

const temp = tempDir('tc-program-');
after(temp.remove);
let count = 0;
const fresh = (name: string): string => {
  const dir = join(temp.dir, `${name}-${++count}`);
  mkdirSync(dir);
  return dir;
};

describe('proxyProgram: the node ProxyCommand runs tunnel-config with', () => {
  test('this node by its absolute path when there is no node beside the script', () => {
    const dir = fresh('plain');
    assert.deepEqual(proxyProgram(join(dir, 'tunnel-config'), process.execPath), { nodePath: process.execPath, proxyPath: join(dir, 'tunnel-config') });
  });

  test('the node beside the script when it is this very node (a link that survives an upgrade)', () => {
    const dir = fresh('beside');
    symlinkSync(process.execPath, join(dir, 'node'));
    assert.deepEqual(proxyProgram(join(dir, 'tunnel-config'), process.execPath), { nodePath: join(dir, 'node'), proxyPath: join(dir, 'tunnel-config') });
  });

  test('not a different node beside the script', () => {
    const dir = fresh('other');
    writeFileSync(join(dir, 'node'), '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(proxyProgram(join(dir, 'tunnel-config'), process.execPath).nodePath, process.execPath);
  });

  const refused: Array<[string, string, string, RegExp]> = [
    ['a node path with a space', '/opt/my node/bin/node', '/usr/local/bin/tunnel-config', /^node is at "\/opt\/my node\/bin\/node", which ProxyCommand cannot run \(the path may not contain spaces\): install Node\.js where its path has only/],
    ['a node path with a quote', "/home/o'brien/node", '/usr/local/bin/tunnel-config', /^node is at .*\(the path may not contain "'"\): install Node\.js/],
    ['a script path with a space', '/usr/bin/node', '/Users/Jo Doe/bin/tunnel-config', /^tunnel-config is at "\/Users\/Jo Doe\/bin\/tunnel-config", which ProxyCommand cannot run \(the path may not contain spaces\): install tunnel-config where/],
  ];
  for (const [what, node, script, message] of refused) {
    test(`refused: ${what}`, () => {
      assert.throws(() => proxyProgram(script, node), (error: unknown) => error instanceof TunnelError && error.exitCode === 2 && message.test(error.message));
    });
  }
});

describe('the node path in the managed block', () => {
  const set: TunnelSet = { name: 'home', jump: { alias: 'gw' }, socketDir: '/home/host', hosts: ['host-*'], proxyPath: '/usr/local/bin/tunnel-config' };
  const withNode: TunnelSet = { ...set, nodePath: '/home/me/.nvm/versions/node/v20.19.0/bin/node', persist: '5m', configFile: '/home/me/cfg' };
  const parsed = (text: string): TunnelSet => {
    const [block] = findManagedBlocks(text);
    assert.ok(block);
    return parseTunnelSet(block);
  };

  test('written before the script, and read back', () => {
    assert.equal(renderProxyCommand(withNode), '/home/me/.nvm/versions/node/v20.19.0/bin/node /usr/local/bin/tunnel-config proxy --jump gw --socket-dir /home/host -F /home/me/cfg --persist 5m -- %h');
    assert.deepEqual(parsed(renderTunnelSet(withNode)), withNode);
  });

  test('a block written before (no node path) reads as it is and renders byte for byte as before', () => {
    assert.equal(renderProxyCommand(set), '/usr/local/bin/tunnel-config proxy --jump gw --socket-dir /home/host -- %h');
    assert.deepEqual(parsed(renderTunnelSet(set)), set);
  });

  test('ssh -G gives the ProxyCommand back unchanged', () => {
    const dir = fresh('ssh-g');
    const file = join(dir, 'config');
    writeFileSync(file, renderTunnelSet(withNode), { mode: 0o600 });
    const line = execFileSync('ssh', ['-G', '-F', file, 'host-1'], { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('proxycommand '));
    assert.equal(line, `proxycommand ${renderProxyCommand(withNode)}`);
  });
});

describe('through the real binary', () => {
  const setup = (): { home: string; file: string } => {
    const home = fresh('home');
    const file = join(home, 'config');
    writeFileSync(file, USER_CONFIG, { mode: 0o600 });
    return { home, file };
  };
  const proxyCommandOf = (file: string): string | undefined =>
    readFileSync(file, 'utf8').split('\n').find((line) => line.startsWith('  ProxyCommand '))?.slice('  ProxyCommand '.length);

  test('a block written before the node path: list shows it, edit writes it with the node path', async () => {
    const { home, file } = setup();
    assert.equal((await runCli([...addFlags('home', file), '--yes'], { home })).code, 0);
    // As tunnel-config wrote it before: the script alone.
    const old = readFileSync(file, 'utf8').replace(`ProxyCommand ${process.execPath} ${tunnelConfigBin} proxy`, `ProxyCommand ${tunnelConfigBin} proxy`);
    assert.notEqual(old, readFileSync(file, 'utf8'));
    writeFileSync(file, old);
    const list = await runCli(['list', '--json', '--config', file], { home });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).map((s: TunnelSet) => [s.name, s.proxyPath, s.nodePath]), [['home', tunnelConfigBin, undefined]]);
    const edit = await runCli(['edit', 'home', '--user', 'bob', '--config', file, '--yes'], { home });
    assert.equal(edit.code, 0, edit.stderr);
    assert.equal(proxyCommandOf(file), `${process.execPath} ${tunnelConfigBin} proxy --jump tunnel-config-home-jump --socket-dir /home/host -F ${file} -- %h`);
  });

  test('run by a node whose path has a space: exit 2, one line naming it, nothing written', async () => {
    const { home, file } = setup();
    const dir = join(fresh('node'), 'my node');
    mkdirSync(dir);
    const node = join(dir, 'node');
    linkOrCopy(process.execPath, node);
    const before = snapshotTree(home);
    const result = spawnSync(node, [tunnelConfigBin, ...addFlags('home', file), '--yes'], { env: { ...process.env, HOME: home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `tunnel-config: node is at "${node}", which ProxyCommand cannot run (the path may not contain spaces): install Node.js where its path has only letters, digits, ".", "_", "+", "@", "-" and "/"\n`);
    assert.deepEqual(snapshotTree(home), before);
  });
});
