import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readBlockState } from '../../src/sshconfig/hand-edits.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { renderTunnelSet } from '../../src/sshconfig/render.js';
import { sets } from './fixtures.js';

const written = `Host a\n  User x\n${renderTunnelSet(sets.add)}Host *\n  User y\n`;
const stateOf = (text: string) => {
  const [block] = findManagedBlocks(text, '/home/me/.ssh/config');
  assert.ok(block);
  return readBlockState(block, '/home/me/.ssh/config');
};

describe('readBlockState: what a block holds, hand edits included, without throwing', () => {
  test('a block as tunnel-config wrote it: its set, no hand lines', () => {
    assert.deepEqual(stateOf(written), { block: findManagedBlocks(written)[0], set: sets.add, handLines: [] });
    assert.deepEqual(stateOf(written.replaceAll('\n', '\r\n')).handLines, []);
  });
  test('ForwardAgent yes added by hand at the end: read as an option, and named with its line', () => {
    const state = stateOf(written.replace('  ServerAliveCountMax 3\n', '  ServerAliveCountMax 3\n  ForwardAgent yes\n'));
    assert.deepEqual(state.set, { ...sets.add, sshOptions: ['ForwardAgent yes'] });
    assert.deepEqual(state.handLines, [{ line: 16, text: '  ForwardAgent yes' }]);
  });
  test('a comment and a reformatted line are hand lines too', () => {
    const state = stateOf(written.replace('  User pi\n', '  # my login\n  user=pi\n'));
    assert.deepEqual(state.set, sets.add);
    assert.deepEqual(state.handLines, [{ line: 13, text: '  # my login' }, { line: 14, text: '  user=pi' }]);
  });
  test('a line tunnel-config cannot keep: no set, and why, naming the line', () => {
    const state = stateOf(written.replace('  User pi\n', '  User pi\n  HostName 10.0.0.1\n'));
    assert.equal(state.set, undefined);
    assert.match(state.problem ?? '', /^\/home\/me\/\.ssh\/config: tunnel-config block "home" \(lines 3-17\), line 14 \(`HostName 10\.0\.0\.1`\): HostName would change/);
  });
});
