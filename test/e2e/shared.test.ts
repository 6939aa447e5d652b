import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import { describeRun, processesMentioning, stopAllProxies, writeProxyConfig } from './harness.js';

let world: World;
let config: string;

/** TCP connections the jump's sshd accepted so far (its DEBUG1 log). */
const jumpConnections = (): number => (world.jump.currentLog().match(/^Connection from 127\.0\.0\.1 port \d+/gm) ?? []).length;
const sharedDirOf = (w: World): string => join(w.home, '.cache', 'tunnel-config', 'shared');
const tunnelConfig = (args: string[], env: NodeJS.ProcessEnv = {}) => world.run(process.execPath, [tunnelConfigBin, ...args], { env, timeoutMs: 15_000 });

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
  config = writeProxyConfig(world, 'ssh_config_shared', { persist: '10m' });
});

after(async () => {
  await stopAllProxies();
  await tunnelConfig(['shared', 'stop']).catch(() => undefined);
  await world?.close();
});

describe('the shared jump connection', () => {
  test('two consecutive ssh host-1 true use one jump TCP connection', async () => {
    const before = jumpConnections();
    for (let i = 0; i < 2; i++) {
      const result = await world.ssh(['host-1', 'true'], { configPath: config, timeoutMs: 20_000 });
      assert.equal(result.code, 0, describeRun(result));
    }
    assert.equal(jumpConnections() - before, 1, world.jump.currentLog().slice(-2000));
    assert.equal(readdirSync(sharedDirOf(world)).filter((name) => name.endsWith('.sock')).length, 1);
  });

  test('shared status --json names the jump, its pid and the channels it carried', async () => {
    const result = await tunnelConfig(['shared', 'status', '--json']);
    assert.equal(result.code, 0, describeRun(result));
    const list = JSON.parse(result.stdout.toString()) as Array<{ jump: string; pid: number; channelsTotal: number; channelsOpen: number }>;
    assert.equal(list.length, 1);
    assert.equal(list[0]?.jump, 'jump');
    assert.ok((list[0]?.channelsTotal ?? 0) >= 2);
    assert.equal(list[0]?.channelsOpen, 0);
  });

  test('shared stop ends it, and no process is left', async () => {
    const pids = processesMentioning('shared', 'serve', sharedDirOf(world).slice(0, 0) || 'serve');
    const result = await tunnelConfig(['shared', 'stop']);
    assert.equal(result.code, 0, describeRun(result));
    assert.match(result.stderr, /^stopped 1 shared connection\n$/);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0));
  });
});
