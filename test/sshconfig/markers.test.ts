import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { removeTunnelSet, upsertTunnelSet } from '../../src/sshconfig/splice.js';
import { sets } from './fixtures.js';

const begin = (name: string) => `# >>> tunnel-config ${name} >>>\n`;
const end = (name: string) => `# <<< tunnel-config ${name} <<<\n`;

describe('findManagedBlocks', () => {
  test('finds blocks with their lines and offsets', () => {
    const text = `Host a\n${begin('one')}Host x\n${end('one')}\n${begin('two')}${end('two')}`;
    const blocks = findManagedBlocks(text);
    assert.deepEqual(
      blocks.map(({ name, beginLine, endLine, start, end: stop }) => ({ name, beginLine, endLine, start, end: stop })),
      [
        { name: 'one', beginLine: 2, endLine: 4, start: 7, end: 70 },
        { name: 'two', beginLine: 6, endLine: 7, start: 71, end: 127 },
      ],
    );
    assert.equal(blocks[0]?.text, `${begin('one')}Host x\n${end('one')}`);
  });

  test('tolerates trailing blanks and CRLF on markers', () => {
    const text = `# >>> tunnel-config a >>> \t\r\nHost x\r\n# <<< tunnel-config a <<<  \r\n`;
    assert.deepEqual(findManagedBlocks(text).map((block) => [block.name, block.start, block.end]), [['a', 0, text.length]]);
  });

  test('a block may end the file without a line ending', () => {
    const text = `Host a\n${begin('a')}# <<< tunnel-config a <<<`;
    assert.equal(findManagedBlocks(text)[0]?.end, text.length);
  });

  test('a BOM before the first marker is not part of the block', () => {
    assert.equal(findManagedBlocks(`\uFEFF${begin('a')}${end('a')}`)[0]?.start, 1);
  });

  test('no markers, no blocks', () => assert.deepEqual(findManagedBlocks('# tunnel-config is great\nHost a\n'), []));

  const malformed: Array<[string, string, RegExp]> = [
    ['a duplicate', `${begin('a')}${end('a')}Host z\n${begin('a')}${end('a')}`, /two tunnel-config blocks for "a", at lines 1-2 and 4-5/],
    ['a begin without end', `Host z\n${begin('home')}Host x\n`, /marker for "home" at line 2 has no end marker/],
    ['an end without begin', `Host z\n${end('home')}`, /end marker for "home" at line 2 has no begin marker/],
    ['an end before its begin', `${end('a')}${begin('a')}`, /end marker for "a" at line 1 has no begin marker/],
    ['nested blocks', `${begin('a')}${begin('b')}${end('b')}${end('a')}`, /marker for "b" at line 2 is inside the block "a" begun at line 1/],
    ['mismatched names', `${begin('a')}Host x\n${end('b')}`, /block "a" begun at line 1 is ended by the marker for "b" at line 3/],
    ['an indented marker', `  ${begin('a')}${end('a')}`, /line 1 looks like a tunnel-config marker but is not one exactly/],
    ['a marker without its arrows', `${begin('a')}# <<< tunnel-config a\n`, /line 2 looks like a tunnel-config marker/],
    ['a marker with a bad name', `# >>> tunnel-config Home >>>\n`, /line 1 looks like a tunnel-config marker/],
    ['a marker with text after it', `# >>> tunnel-config a >>> x\n${end('a')}`, /line 1 looks like a tunnel-config marker/],
    ['a marker without its space', `#>>> tunnel-config a >>>\n${end('a')}`, /line 1 looks like a tunnel-config marker/],
  ];
  for (const [name, text, message] of malformed) {
    test(`refuses ${name}, naming the lines`, () => {
      assert.throws(
        () => findManagedBlocks(text, '/home/me/.ssh/config'),
        (error: unknown) => error instanceof TunnelError && error.code === 'usage' && message.test(error.message) && error.message.startsWith('/home/me/.ssh/config: ') && /by hand$/.test(error.message),
      );
      assert.throws(() => upsertTunnelSet(text, sets.add), TunnelError);
      assert.throws(() => removeTunnelSet(text, 'a'), TunnelError);
    });
  }

  test('names ~/.ssh/config by default', () => assert.throws(() => findManagedBlocks(begin('a')), /^TunnelError: ~\/\.ssh\/config: /));
});
