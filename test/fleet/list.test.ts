import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileEntry } from 'ssh2';
import { socketEntries } from '../../src/fleet/list.js';

const SOCKET = 0o140777;
const LINK = 0o120777;
const FILE = 0o100644;
const DIR = 0o040755;

const entry = (filename: string, mode: number): Pick<FileEntry, 'filename' | 'attrs'> => ({ filename, attrs: { mode } as FileEntry['attrs'] });

const cases: Array<{ name: string; entries: Array<[string, number]>; targets?: Array<[string, number | undefined]>; expected: Array<[string, boolean]> }> = [
  { name: 'sockets named NAME.sock, sorted', entries: [['b.sock', SOCKET], ['a.sock', SOCKET]], expected: [['a', false], ['b', false]] },
  { name: 'not hosts: other names, a bare .sock, a regular file or directory named like a socket', entries: [['notes.txt', FILE], ['.sock', SOCKET], ['x.sock', FILE], ['d.sock', DIR], ['s', SOCKET]], expected: [] },
  { name: 'a link to a socket is a host (per-host mode)', entries: [['host-a.sock', LINK]], targets: [['host-a.sock', SOCKET]], expected: [['host-a', true]] },
  {
    name: 'a link to nothing (its host never connected), to a regular file, or not followed: no host',
    entries: [['never.sock', LINK], ['file.sock', LINK], ['unknown.sock', LINK]],
    targets: [['never.sock', undefined], ['file.sock', FILE]],
    expected: [],
  },
];

for (const { name, entries, targets, expected } of cases) {
  test(`socketEntries: ${name}`, () => {
    const listed = socketEntries(entries.map(([filename, mode]) => entry(filename, mode)), new Map(targets ?? []));
    assert.deepEqual(listed.map((e) => [e.host, e.link]), expected);
  });
}
