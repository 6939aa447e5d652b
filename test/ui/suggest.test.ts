import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editDistance, nearestCommand } from '../../src/ui/suggest.js';

const COMMANDS = ['proxy', 'add', 'list', 'edit', 'remove', 'host-setup', 'server-setup', 'shared', 'help'];

const nearest: Array<[string, string | undefined]> = [
  ['ad', 'add'],
  ['ADD', 'add'],
  ['rm', 'remove'],
  ['del', 'remove'],
  ['delete', 'remove'],
  ['ls', 'list'],
  ['new', 'add'],
  ['update', 'edit'],
  ['lsit', 'list'],
  ['remvoe', 'remove'],
  ['proxi', 'proxy'],
  ['sh', 'shared'],
  ['host', 'host-setup'],
  ['hlep', 'help'],
  ['bogus', undefined],
  ['x', undefined],
  ['s', undefined],
  ['setup', undefined],
];
for (const [typed, expected] of nearest) {
  test(`nearestCommand(${JSON.stringify(typed)}) is ${expected ?? 'none'}`, () => assert.equal(nearestCommand(typed, COMMANDS), expected));
}

const distances: Array<[string, string, number]> = [
  ['', '', 0],
  ['add', '', 3],
  ['lsit', 'list', 1],
  ['ad', 'add', 1],
  ['kitten', 'sitting', 3],
];
for (const [a, b, d] of distances) test(`editDistance(${a}, ${b}) = ${d}`, () => assert.equal(editDistance(a, b), d));
