import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectEol } from '../../src/sshconfig/lines.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { parseTunnelSet } from '../../src/sshconfig/parse.js';
import { renderTunnelSet } from '../../src/sshconfig/render.js';
import { insertionOffset, removeTunnelSet, upsertTunnelSet } from '../../src/sshconfig/splice.js';
import { caseNames, readFixture, removals, sets } from './fixtures.js';

const blockOf = (text: string, name: string) => {
  const block = findManagedBlocks(text).find((found) => found.name === name);
  assert.ok(block, `no block "${name}"`);
  return block;
};

describe('fixtures', () => {
  test('there are fixtures', () => assert.ok(caseNames.length >= 15, caseNames.join(' ')));

  for (const name of caseNames) {
    describe(name, () => {
      const input = readFixture(`${name}.input`);
      const added = readFixture(`${name}.add.expected`);
      const edited = readFixture(`${name}.edit.expected`);
      const hadHome = findManagedBlocks(input).some((block) => block.name === 'home');
      const withoutHome = removeTunnelSet(input, 'home');

      test('add matches the golden file', () => assert.equal(upsertTunnelSet(input, sets.add), added));
      test('edit matches the golden file', () => assert.equal(upsertTunnelSet(added, sets.edit), edited));
      if (removals[name] !== undefined) {
        test(`remove ${removals[name]} matches the golden file`, () => assert.equal(removeTunnelSet(input, removals[name] ?? ''), readFixture(`${name}.remove.expected`)));
      }

      test('every byte outside the block is the input', () => {
        const block = blockOf(added, 'home');
        const outside = added.slice(0, block.start) + added.slice(block.end);
        if (hadHome) {
          const old = blockOf(input, 'home');
          assert.equal(outside, input.slice(0, old.start) + input.slice(old.end));
        } else if (block.text.endsWith('\n')) {
          assert.equal(outside, input);
        } else {
          // A file without a final newline: the block went at the end, after one line ending.
          assert.ok(!input.endsWith('\n') && outside.startsWith(input) && ['\n', '\r\n'].includes(outside.slice(input.length)), JSON.stringify(outside.slice(-20)));
        }
      });

      test('remove after add gives back the input (without any old block of the set)', () => {
        assert.equal(removeTunnelSet(added, 'home'), withoutHome);
        assert.equal(removeTunnelSet(edited, 'home'), withoutHome);
        if (!hadHome) assert.equal(withoutHome, input);
      });

      test('add and edit are idempotent', () => {
        assert.equal(upsertTunnelSet(added, sets.add), added);
        assert.equal(upsertTunnelSet(edited, sets.edit), edited);
        assert.equal(upsertTunnelSet(edited, sets.add), added);
      });

      test('edit keeps the position of the block', () => {
        assert.equal(blockOf(edited, 'home').start, blockOf(added, 'home').start);
        if (hadHome) assert.equal(blockOf(added, 'home').start, blockOf(input, 'home').start);
      });

      test('the blocks read back as the sets', () => {
        assert.deepEqual(parseTunnelSet(blockOf(added, 'home')), sets.add);
        assert.deepEqual(parseTunnelSet(blockOf(edited, 'home')), sets.edit);
      });

      test('other sets are untouched', () => {
        const others = findManagedBlocks(input).filter((block) => block.name !== 'home');
        for (const block of others) assert.equal(blockOf(added, block.name).text, block.text);
      });

      test('the block has the line endings of the file', () => {
        const block = blockOf(added, 'home').text;
        if (detectEol(input) === '\r\n') assert.equal(block.replace(/\r\n/g, '').includes('\n'), false);
        else assert.equal(block.includes('\r'), false);
      });
    });
  }
});

describe('insertionOffset', () => {
  const cases: Array<[string, string, number]> = [
    ['empty', '', 0],
    ['end of file', 'Host a\n  User b\n', 16],
    ['before Host *', 'Host a\n\nHost *\n  User c\n', 8],
    ['before Host * !x', 'Host a\nHost * !x\n', 7],
    ['before a quoted "*"', 'Host a\nHost "*"\n', 7],
    ['before Host = *', 'Host a\nHost = *\n', 7],
    ['before a host line listing * among others', 'Host a\nHOST b *\n', 7],
    ['not before Host *.example.com', 'Host *.example.com\n', 19],
    ['not before Host !*', 'Host !*\n', 8],
    ['before Match', 'Host a\nMatch host b\nHost *\n', 7],
    ['before the comments right above', 'Host a\n\n# all\n# hosts\nHost *\n', 8],
    ['not above an indented comment', 'Host a\n  # User x\nHost *\n', 18],
    ['after a BOM', '\uFEFFHost *\n', 1],
    ['after a BOM and above a comment', '\uFEFF# c\nHost *\n', 1],
    ['not inside a managed block', '# >>> tunnel-config w >>>\nHost x\n# <<< tunnel-config w <<<\nHost *\n', 59],
    ['never into a managed block above', 'Host a\n# >>> tunnel-config w >>>\nHost x\n# <<< tunnel-config w <<<\n# c\nHost *\n', 66],
    ['a commented-out Host * is a comment', '# Host *\nHost a\n', 16],
  ];
  for (const [name, text, offset] of cases) test(name, () => assert.equal(insertionOffset(text), offset));
});

describe('remove(upsert(text)) === text for every text', () => {
  const fragments = ['', '\n', '\r\n', 'a', 'a\r', '#c', 'Host *', 'Host x', 'Match all', '  User u', '\t', ' '];
  const endings = ['', '\n', '\r\n'];
  const texts = new Set<string>();
  for (const bom of ['', '\uFEFF'])
    for (const a of fragments)
      for (const e1 of endings)
        for (const b of fragments)
          for (const e2 of endings) texts.add(bom + a + e1 + b + e2);
  test(`${texts.size} texts`, () => {
    for (const text of texts) {
      const added = upsertTunnelSet(text, sets.add);
      assert.equal(removeTunnelSet(added, 'home'), text, JSON.stringify(text));
      assert.equal(upsertTunnelSet(added, sets.add), added, JSON.stringify(text));
      assert.equal(removeTunnelSet(upsertTunnelSet(added, sets.edit), 'home'), text, JSON.stringify(text));
      assert.deepEqual(parseTunnelSet(blockOf(added, 'home')), sets.add);
      if (text.startsWith('\uFEFF')) assert.ok(added.startsWith('\uFEFF'));
    }
  });

  test('a file of only a BOM gets the block right after it', () => {
    assert.equal(upsertTunnelSet('\uFEFF', sets.add), `\uFEFF${renderTunnelSet(sets.add)}`);
  });

  test('removing a set that is not there changes nothing', () => assert.equal(removeTunnelSet('Host a\n', 'home'), 'Host a\n'));
});
