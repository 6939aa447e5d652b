import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostsCachePath, parseHostsCache, renderHostsCache } from '../../src/completion/cache.js';
import { managedNames } from '../../src/completion/names.js';

describe('the hosts cache: one path, one name a line', () => {
  for (const [env, path] of [
    [{}, '/home/me/.cache/tunnel-config/hosts.txt'],
    [{ XDG_CACHE_HOME: '/var/cache/me' }, '/var/cache/me/tunnel-config/hosts.txt'],
    [{ XDG_CACHE_HOME: 'relative' }, '/home/me/.cache/tunnel-config/hosts.txt'],
  ] as const) {
    test(`XDG_CACHE_HOME=${'XDG_CACHE_HOME' in env ? env.XDG_CACHE_HOME : '(unset)'}`, () => {
      assert.equal(hostsCachePath(env, '/home/me'), path);
    });
  }

  test('what is written reads back; what a shell should not see is skipped', () => {
    assert.deepEqual(parseHostsCache(renderHostsCache(['pi', 'nas'])), ['pi', 'nas']);
    assert.deepEqual(parseHostsCache('pi\r\n\n  nas  \n$(rm -rf ~)\n-oProxyCommand=x\nhost-*\n'), ['pi', 'nas']);
  });
});

describe('managedNames: set names and the explicit host names of the managed blocks', () => {
  const block = (name: string, hosts: string): string =>
    [
      `# >>> tunnel-config ${name} >>>`,
      `# Written by tunnel-config: change it with \`tunnel-config edit ${name}\` or \`tunnel-config remove ${name}\`.`,
      `Host tunnel-config-${name}-jump`,
      '  HostName j.example.com',
      `Host ${hosts}`,
      `  ProxyCommand /usr/bin/node /usr/local/bin/tunnel-config proxy --jump tunnel-config-${name}-jump --socket-dir /home/host -- %h`,
      '  ServerAliveInterval 10',
      '  ServerAliveCountMax 3',
      `# <<< tunnel-config ${name} <<<`,
      '',
    ].join('\n');

  for (const [what, text, expected] of [
    ['no blocks', 'Host other\n  User me\n', { sets: [], hosts: [] }],
    ['names', block('home', 'pi nas'), { sets: ['home'], hosts: ['pi', 'nas'] }],
    ['patterns left out', block('home', 'pi host-* lab-??') + block('lab', 'lab-1'), { sets: ['home', 'lab'], hosts: ['pi', 'lab-1'] }],
  ] as const) {
    test(what, () => assert.deepEqual(managedNames(text), expected));
  }
});
