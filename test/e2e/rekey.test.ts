import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createWorld, type World } from '../world.js';

let world: World;

before(async () => {
  // The jump rekeys after every MiB, so a transfer goes through many key exchanges.
  world = await createWorld({ jumpConfig: 'RekeyLimit 1M' });
  await world.connectHost('host-1');
});
after(() => world?.close());

test('the jump host key is verified again on every rekey, and the bytes stay exact', async () => {
  world.writeClientConfig(world.tunnelConfigProxyCommand({ args: ['-v', '--persist', '0'] }));
  const data = randomBytes(8 * 1024 * 1024);
  const result = await world.ssh(['host-1', 'sha256sum'], { input: data, timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  assert.equal(result.stdout.toString().split(' ')[0], createHash('sha256').update(data).digest('hex'));
  const verifications = result.stderr.match(/^debug: \[\d+ ms\] Host accepted \(verified\)$/gm) ?? [];
  assert.ok(verifications.length >= 5, `expected a verification per rekey, saw ${verifications.length}`);
  assert.doesNotMatch(result.stderr, /Host accepted by default/);
});
