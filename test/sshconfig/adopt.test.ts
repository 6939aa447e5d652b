import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adoptSection, replaceWithBlock } from '../../src/sshconfig/adopt.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { parseTunnelSet } from '../../src/sshconfig/parse.js';
import { renderTunnelSet } from '../../src/sshconfig/render.js';
import { removeTunnelSet, upsertTunnelSet } from '../../src/sshconfig/splice.js';
import type { TunnelSet } from '../../src/sshconfig/types.js';

const set: TunnelSet = { name: 'home', jump: { alias: 'jump' }, socketDir: '/home/host', hosts: ['host-*'], proxyPath: '/usr/local/bin/tunnel-config' };
const seed = ['Host host-* pi', '  ProxyCommand ssh jump nc -U /home/host/%h.sock', '  HostName %h', '  User me', '  # mine', '  ForwardAgent no', '  ServerAliveInterval 10'];

describe('adoptSection', () => {
  test('the seed recipe: its hosts, User and options join the set; its lines are kept as they were', () => {
    const text = ['Host jump', '  HostName j', '', ...seed, '', 'Host *', '  User x', ''].join('\n');
    const adoption = adoptSection(text, 5, set);
    assert.ok('set' in adoption, 'problem' in adoption ? adoption.problem : '');
    assert.deepEqual(adoption.set, { ...set, hosts: ['host-*', 'pi'], user: 'me', sshOptions: ['ForwardAgent no'], adopted: seed });
    assert.deepEqual([adoption.firstLine, adoption.lastLine], [4, 10]);
    assert.deepEqual(adoption.recipe, { jump: 'jump', socketDir: '/home/host', via: 'nc -U' });
  });

  test("the set's own answers come first: its User, and its option of the same keyword", () => {
    const text = [...seed, ''].join('\n');
    const adoption = adoptSection(text, 2, { ...set, user: 'bob', sshOptions: ['ForwardAgent yes'] });
    assert.ok('set' in adoption);
    assert.equal(adoption.set.user, 'bob');
    assert.deepEqual(adoption.set.sshOptions, ['ForwardAgent yes']);
  });

  const refused: Array<[string, string[], number, RegExp]> = [
    ['a Match section', ['Match host host-*', '  ProxyCommand ssh jump nc -U /home/host/%h.sock'], 2, /under a Match line/],
    ['a line before any Host', ['ProxyCommand ssh jump nc -U /home/host/%h.sock', 'Host a'], 1, /applies to every host/],
    ['another set', ['# >>> tunnel-config work >>>', 'Host host-1', '  ProxyCommand /x proxy --jump j --socket-dir /d -- %h', '# <<< tunnel-config work <<<'], 3, /in tunnel set "work"/],
    ['a negated pattern', ['Host host-* !host-9', '  ProxyCommand ssh jump nc -U /home/host/%h.sock'], 2, /"!host-9" may not be negated/],
    ['another socket directory', ['Host host-*', '  ProxyCommand ssh jump nc -U /srv/s/%h.sock'], 2, /its sockets are in \/srv\/s, the set's in \/home\/host \(give --socket-dir \/srv\/s\)/],
    ['not the recipe', ['Host host-*', '  ProxyCommand ssh -W %h:%p jump'], 2, /is not the seed recipe/],
    ['a HostName of its own', ['Host host-*', '  ProxyCommand ssh jump nc -U /home/host/%h.sock', '  HostName 10.0.0.1'], 3, /line 3 \(`HostName 10\.0\.0\.1`\) cannot be kept: HostName would change/],
    ['a ProxyJump too', ['Host host-*', '  ProxyJump gw', '  ProxyCommand ssh jump nc -U /home/host/%h.sock'], 3, /ProxyJump is what tunnel-config sets/],
    ['a pattern that matches the jump', ['Host j*', '  ProxyCommand ssh jump nc -U /home/host/%h.sock'], 2, /--hosts "j\*": also matches the jumphost jump/],
  ];
  for (const [name, lines, line, why] of refused) {
    test(`refused: ${name}`, () => {
      const adoption = adoptSection([...lines, ''].join('\n'), line, set);
      assert.ok('problem' in adoption, 'refused');
      assert.match(adoption.problem, why);
    });
  }
});

describe('an adopted section: replaced by the block, given back by remove byte for byte', () => {
  const files: Array<[string, string]> = [
    ['LF, between sections', ['# top', 'Host a', '  User x', '', ...seed, '', 'Host *', '  User y', ''].join('\n')],
    ['CRLF', ['Host a', '  User x', ...seed, 'Host *', ''].join('\r\n')],
    ['the last section, without a final newline', ['Host a', '  User x', ...seed].join('\n')],
    ['a BOM, the first section', `\uFEFF${[...seed, 'Host *', '  User y', ''].join('\n')}`],
    ['a section followed by comments about the next one', [...seed, '', '# the catch-all', 'Host *', ''].join('\n')],
  ];
  for (const [name, text] of files) {
    test(name, () => {
      const line = text.split('\n').findIndex((l) => l.replace('\uFEFF', '').startsWith('Host host-*')) + 1;
      const adoption = adoptSection(text, line, set);
      assert.ok('set' in adoption, 'problem' in adoption ? adoption.problem : '');
      const adopted = replaceWithBlock(text, adoption);
      const [block] = findManagedBlocks(adopted);
      assert.ok(block);
      assert.deepEqual(parseTunnelSet(block), adoption.set);
      assert.equal(adopted.slice(0, adoption.start), text.slice(0, adoption.start), 'before it, unchanged');
      assert.equal(adopted.slice(block.end), text.slice(adoption.end), 'after it, unchanged');
      assert.equal(upsertTunnelSet(adopted, adoption.set), adopted, 'edit with the same answers changes nothing');
      assert.equal(removeTunnelSet(adopted, 'home'), text);
      if (text.includes('\r\n')) assert.doesNotMatch(renderTunnelSet(adoption.set, '\r\n'), /[^\r]\n/);
    });
  }
});
