import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration, sharedDir, sharedKey, sharedPaths } from '../../src/shared/paths.js';
import { renderStatusTable } from '../../src/shared/render.js';

describe('sharedDir', () => {
  test('XDG_RUNTIME_DIR when set', () => assert.equal(sharedDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/me'), '/run/user/1000/tunnel-config'));
  test('~/.cache otherwise, or when it is not absolute', () => {
    assert.equal(sharedDir({}, '/home/me'), '/home/me/.cache/tunnel-config/shared');
    assert.equal(sharedDir({ XDG_RUNTIME_DIR: 'relative' }, '/home/me'), '/home/me/.cache/tunnel-config/shared');
  });
});

describe('sharedKey', () => {
  const sshG = 'hostname jump\nport 22\nuser host\n';
  test('the same resolution, version and uid give the same key', () => assert.equal(sharedKey(sshG, '1.0.0', 1000), sharedKey(sshG, '1.0.0', 1000)));
  test('any change of ssh -G output, version or uid gives another', () => {
    const key = sharedKey(sshG, '1.0.0', 1000);
    assert.notEqual(sharedKey(`${sshG}stricthostkeychecking yes\n`, '1.0.0', 1000), key);
    assert.notEqual(sharedKey(sshG, '1.0.1', 1000), key);
    assert.notEqual(sharedKey(sshG, '1.0.0', 1001), key);
  });
  test('short enough for a UNIX socket path', () => {
    const paths = sharedPaths('/home/someone/.cache/tunnel-config/shared', sharedKey(sshG, '1', 0));
    assert.ok(Buffer.byteLength(`${paths.socket}.4194304`) < 104);
  });
});

describe('parseDuration', () => {
  const cases: Array<[string, number | undefined]> = [
    ['0', 0],
    ['90', 90],
    ['90s', 90],
    ['10m', 600],
    ['2h', 7200],
    ['', undefined],
    ['-1', undefined],
    ['1d', undefined],
    ['1.5m', undefined],
    ['m', undefined],
  ];
  for (const [text, seconds] of cases) test(`${JSON.stringify(text)} → ${String(seconds)}`, () => assert.equal(parseDuration(text), seconds));
});

describe('renderStatusTable', () => {
  test('one row per connection, aligned', () => {
    const text = renderStatusTable(
      [
        { jump: 'jump', target: 'host@127.0.0.1:2222', pid: 42, version: '0.1.0', startedAt: 0, channelsOpen: 2, channelsTotal: 7, bytesIn: 1536, bytesOut: 10, idleTimeoutSeconds: 600 },
      ],
      125_000,
    );
    assert.equal(
      text,
      [
        'JUMP  TARGET               PID  AGE    CHANNELS         IN       OUT   IDLE TIMEOUT',
        'jump  host@127.0.0.1:2222  42   2m05s  2 open, 7 total  1.5 KiB  10 B  10m00s',
        '',
      ].join('\n'),
    );
  });
});
