import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { readTunnelBlock } from '../../src/sshconfig/parse.js';
import { renderTunnelSet } from '../../src/sshconfig/render.js';
import { continuesSection, offsetBefore } from '../../src/sshconfig/sections.js';
import { insertTunnelSet, moveTunnelSet, removeTunnelSet, upsertTunnelSet } from '../../src/sshconfig/splice.js';
import { sets } from './fixtures.js';
import { hasSsh, sshG } from './openssh.js';

const other = renderTunnelSet({ ...sets.edit, name: 'work' });
const text = ['ProxyJump corp', 'Include x.conf', '', '# about a', 'Host a', '  User x', '', other.trimEnd(), 'Match host b', '  User y', ''].join('\n');
const at = (line: number): string => text.slice(offsetBefore(text, line)).split('\n')[0] ?? '';

describe('offsetBefore: where a block goes to be read before a line', () => {
  const cases: Array<[number, string]> = [
    [1, 'ProxyJump corp'],
    [2, 'Include x.conf'],
    [6, '# about a'],
    [5, '# about a'],
    [11, '# >>> tunnel-config work >>>'],
    [16, 'Match host b'],
  ];
  for (const [line, first] of cases) test(`line ${line}: before \`${first}\``, () => assert.equal(at(line), first));
});

describe('a block placed where the lines after it belonged to every host ends with Host *', () => {
  test('continuesSection', () => {
    assert.equal(continuesSection(text, offsetBefore(text, 1)), true);
    assert.equal(continuesSection(text, offsetBefore(text, 5)), false);
    assert.equal(continuesSection(text, text.length), false);
    assert.equal(continuesSection('\n# c\n\nHost a\n', 0), false);
  });
  const placed = insertTunnelSet(text, sets.add, 0);
  test('written with Host *, read back, kept by edit, taken out by remove', () => {
    const block = findManagedBlocks(placed).find((found) => found.name === 'home');
    assert.ok(block);
    assert.match(block.text, /\n# The lines after this block apply to every host, as they did before it was placed here:\nHost \*\n# <<< tunnel-config home <<<\n$/);
    assert.deepEqual(readTunnelBlock(block), { set: sets.add, reopen: true });
    const edited = upsertTunnelSet(placed, sets.edit);
    assert.match(edited, /\nHost \*\n# <<< tunnel-config home <<<\nProxyJump corp\n/);
    assert.equal(removeTunnelSet(edited, 'home'), text);
  });
  test('ssh -G: the lines after it still apply to every other host', { skip: !hasSsh && 'no ssh client' }, () => {
    const config = placed.replace('Include x.conf\n', '');
    const stranger = sshG(config, 'stranger');
    assert.ok('options' in stranger);
    assert.equal(stranger.options.get('proxyjump'), 'corp');
    const pi = sshG(config, 'pi');
    assert.ok('options' in pi);
    assert.match(pi.options.get('proxycommand') ?? '', /^\/usr\/local\/bin\/tunnel-config proxy /);
  });
  test('moveTunnelSet: out of its place and before another line, the rest of the file as it was', () => {
    const added = upsertTunnelSet(text, sets.add);
    const moved = moveTunnelSet(added, sets.add, offsetBefore(added, 5));
    assert.match(moved, /^ProxyJump corp\nInclude x.conf\n\n# >>> tunnel-config home >>>\n/);
    assert.equal(removeTunnelSet(moved, 'home'), text);
  });
});
