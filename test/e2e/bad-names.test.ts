import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BAD_HOST_NAMES } from '../ssh/bad-host-names.js';
import { waitFor } from '../support/wait.js';
import { createWorld, type World } from '../world.js';
import { assertFailure, assertSshSurfaces, describeRun, escapeRegExp, proxyArgs, runProxy, stopAllProxies, writeProxyConfig } from './harness.js';

let world: World;
let counter: Server;
let counted = 0;
let counterConfig: string;

before(async () => {
  world = await createWorld();
  // a plain TCP listener standing in for a jump: any connection at all is a failure
  counter = createServer((socket) => {
    counted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
  const address = counter.address();
  if (!address || typeof address === 'string') throw new Error('counter has no port');
  counterConfig = writeProxyConfig(world, 'ssh_config_counter', {
    top: [
      'Host counter',
      '  HostName 127.0.0.1',
      `  Port ${address.port}`,
      `  User ${world.user}`,
      `  UserKnownHostsFile ${world.knownHostsJump}`,
      `  GlobalKnownHostsFile ${world.nonexistent}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  ConnectTimeout 2',
    ],
  });
});

after(async () => {
  await stopAllProxies();
  await new Promise<void>((resolve) => (counter ? counter.close(() => resolve()) : resolve()));
  await world?.close();
});

/** How the message must show a name: JSON-quoted, anything outside printable ASCII as \uXXXX. */
function shownAs(name: string): string {
  return JSON.stringify(name).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The refusal: exit 2, one printable line that names the name, at once. */
function assertRefusesName(result: Awaited<ReturnType<typeof runProxy>>, name: string): void {
  assertFailure(result, {
    code: 2,
    stderr: new RegExp(`^tunnel-config: invalid host name ${escapeRegExp(shownAs(name))}: a host name [\\x20-\\x7e]+\\n$`),
    withinMs: 3000,
  });
}

// NUL cannot be passed in argv; the unit tests cover those names.
const argvNames = BAD_HOST_NAMES.filter((name) => !name.includes('\u0000'));

describe('bad host names never reach the jump: exit 2', { concurrency: 8 }, () => {
  test('the list is long enough to mean something', () => assert.ok(argvNames.length >= 40, `${argvNames.length} names`));

  for (const name of argvNames) {
    test(`refuses ${JSON.stringify(name).slice(0, 40)}`, async () => {
      // a leading "-" name is still a positional after "--"
      assertRefusesName(await runProxy(world, proxyArgs(world, counterConfig, name, { jump: 'counter' })), name);
    });
  }
});

describe('after the bad names', () => {
  test('the counter saw no connection at all', () => assert.equal(counted, 0));

  test('a good name does reach the counter (the check can fail)', async () => {
    // the exit status is not checked here: see "a jump that accepts and closes at once" in failures.test.ts
    const result = await runProxy(world, proxyArgs(world, counterConfig, 'host-1', { jump: 'counter' }));
    assert.equal(result.stdout.length, 0, describeRun(result));
    assert.equal(counted, 1, describeRun(result));
  });
});

describe('against the real jump', () => {
  const connections = (): number => (world.jump.log().match(/Connection from 127\.0\.0\.1 port/g) ?? []).length;
  const config = (): string => writeProxyConfig(world, 'ssh_config_real_jump');
  const marker = (): string => join(world.dir, 'pwned');
  const names = (): string[] => [
    `-oProxyCommand=touch ${marker()}`,
    `host;touch ${marker()}`,
    `$(touch ${marker()})`,
    '../etc/passwd',
    'a/b',
    'host\n1',
    'h\u043est',
  ];

  test('its sshd logs no new connection for any of them', async () => {
    const seen = connections();
    for (const name of names()) assertRefusesName(await runProxy(world, proxyArgs(world, config(), name)), name);
    assert.equal(connections(), seen, world.jump.currentLog());
    assert.equal(existsSync(marker()), false, 'a name was run by a shell');
  });

  test('while a good name does show up in its log (the check can fail)', async () => {
    const seen = connections();
    const result = await runProxy(world, proxyArgs(world, config(), 'host-9'));
    assert.equal(result.code, 6, describeRun(result));
    await waitFor(() => (connections() === seen + 1 ? true : undefined), { timeoutMs: 5000, what: () => world.jump.currentLog() });
  });

  test('ssh surfaces the refusal for names its own checks let through', async () => {
    for (const name of ['host-..x', 'host-\u00e9']) {
      const result = await world.ssh([name, 'true'], { configPath: config(), timeoutMs: 15_000 });
      assertSshSurfaces(result, new RegExp(`^tunnel-config: invalid host name ${escapeRegExp(shownAs(name))}: `, 'm'));
    }
  });
});
