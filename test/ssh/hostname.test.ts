import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { hostNameProblem, socketPathFor, socketPathLimit, validateSocketDir } from '../../src/ssh/hostname.js';
import { BAD_HOST_NAMES } from './bad-host-names.js';


const GOOD_HOST_NAMES = ['host-1', 'pi', 'nas.home', 'lab_box_02', 'A-Z.0-9_x', 'x'.repeat(60)];

describe('hostNameProblem', () => {
  test('has at least 40 bad names', () => assert.ok(BAD_HOST_NAMES.length >= 40));
  for (const name of BAD_HOST_NAMES) {
    test(`refuses ${JSON.stringify(name).slice(0, 40)}`, () => assert.notEqual(hostNameProblem(name), undefined));
  }
  for (const name of GOOD_HOST_NAMES) {
    test(`accepts ${name.slice(0, 40)}`, () => assert.equal(hostNameProblem(name), undefined));
  }
});

describe('socketPathFor', () => {
  test('joins dir and host with .sock', () => {
    assert.equal(socketPathFor('/home/host', 'host-1', 'linux'), '/home/host/host-1.sock');
    assert.equal(socketPathFor('/home/host/', 'host-1', 'linux'), '/home/host/host-1.sock');
    assert.equal(socketPathFor('/', 'h', 'linux'), '/h.sock');
  });

  test('limits are 108 on Linux and 104 on macOS, NUL included', () => {
    assert.equal(socketPathLimit('linux'), 108);
    assert.equal(socketPathLimit('darwin'), 104);
  });

  test('accepts a path of exactly the limit less the NUL and refuses one byte more', () => {
    const dir = '/home/host';
    const fits = 'h'.repeat(107 - dir.length - '/'.length - '.sock'.length);
    assert.equal(socketPathFor(dir, fits, 'linux').length, 107);
    assert.throws(() => socketPathFor(dir, `${fits}h`, 'linux'), (e: unknown) => e instanceof TunnelError && e.code === 'usage' && /108/.test(e.message));
    assert.throws(() => socketPathFor(dir, fits, 'darwin'), /103-byte UNIX socket limit/);
  });

  test('refuses bad host names with a usage error naming the name', () => {
    assert.throws(() => socketPathFor('/home/host', '../x', 'linux'), (e: unknown) => e instanceof TunnelError && e.code === 'usage' && e.message.includes('"../x"'));
  });
});

describe('validateSocketDir', () => {
  const bad = ['relative/dir', '', '/home/../etc', '/home/./host', '/home/host dir', '/home/\nhost', '/tmp/é'];
  for (const dir of bad) {
    test(`refuses ${JSON.stringify(dir)}`, () => assert.throws(() => validateSocketDir(dir), TunnelError));
  }
  test('strips trailing slashes', () => assert.equal(validateSocketDir('/home/host//'), '/home/host'));
});
