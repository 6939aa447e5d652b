import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderProxyCommand, renderTunnelSet } from '../../src/sshconfig/render.js';
import { findShadowingLine, sampleHostFor } from '../../src/sshconfig/shadow.js';
import { upsertTunnelSet } from '../../src/sshconfig/splice.js';
import type { TunnelSet } from '../../src/sshconfig/types.js';
import { hasSsh, sshG } from './openssh.js';

const set: TunnelSet = { name: 'home', jump: { alias: 'gw' }, socketDir: '/h', hosts: ['host-*', 'pi'], proxyPath: '/usr/bin/tc' };
const ours = renderProxyCommand(set);
const other: TunnelSet = { ...set, name: 'work', hosts: ['pi'], proxyPath: '/opt/tc' };

type Expected = { line: number; text: string; certain?: false } | undefined;
/** [what, config text, host, expected]; `add:` texts get our block through upsertTunnelSet, the others have it at the end. */
const cases: Array<[string, string, string, Expected]> = [
  ['a Host section with ProxyJump', 'add:Host host-1\n  ProxyJump bastion\n', 'host-1', { line: 2, text: 'ProxyJump bastion' }],
  ['… not for another host', 'add:Host host-1\n  ProxyJump bastion\n', 'host-2', undefined],
  ['Host patterns are case-sensitive', 'add:Host HOST-1\n  ProxyJump b\n', 'host-1', undefined],
  ['? is exactly one character', 'add:Host pi?\n  ProxyJump b\n', 'pi', undefined],
  ['a comma is not a list in Host', 'add:Host a,pi\n  ProxyJump b\n', 'pi', undefined],
  ['a negated pattern', 'add:Host host-* !host-9\n  ProxyJump b\n', 'host-9', undefined],
  ['… and the others', 'add:Host host-* !host-9\n  ProxyJump b\n', 'host-1', { line: 2, text: 'ProxyJump b' }],
  ['a global ProxyJump', 'add:ProxyJump corp\n\nHost x\n  User y\n', 'pi', { line: 1, text: 'ProxyJump corp' }],
  ['ProxyCommand none', 'add:Host pi\n  ProxyCommand none\n', 'pi', { line: 2, text: 'ProxyCommand none' }],
  ['ProxyJump none gives way', 'add:Host pi\n  ProxyJump none\n', 'pi', undefined],
  ['ProxyCommand= with tokens', 'add:Host pi\n\tProxyCommand=ssh -W %h:%p b\n', 'pi', { line: 2, text: 'ProxyCommand=ssh -W %h:%p b' }],
  ['Host * comes after ours', 'add:Host *\n  ProxyJump everywhere\n', 'pi', undefined],
  ['another set claiming the host first', `add:${renderTunnelSet(other)}`, 'pi', { line: 4, text: `ProxyCommand ${renderProxyCommand(other)}` }],
  ['nothing but ours', 'add:Host x\n  User y\n', 'pi', undefined],
  ['Match originalhost', 'Match originalhost pi\n  ProxyJump m\n', 'pi', { line: 2, text: 'ProxyJump m' }],
  ['Match host is case-insensitive', 'Match host PI\n  ProxyJump m\n', 'pi', { line: 2, text: 'ProxyJump m' }],
  ['Match host sees an earlier HostName', 'Host pi\n  HostName real\nMatch host real\n  ProxyJump m\n', 'pi', { line: 4, text: 'ProxyJump m' }],
  ['ssh keeps the first HostName', 'Host pi\n  HostName real\nHost pi\n  HostName other\nMatch host other\n  ProxyJump m\n', 'pi', undefined],
  ['… but not a later one', 'Match host real\n  ProxyJump m\nHost pi\n  HostName real\n', 'pi', undefined],
  ['Match final never wins over the first pass', 'Match final\n  ProxyJump m\n', 'pi', undefined],
  ['Match canonical never wins over the first pass', 'Match canonical all\n  ProxyJump m\n', 'pi', undefined],
  ['Match !originalhost', 'Match !originalhost pi\n  ProxyJump m\n', 'pi', undefined],
  ['… for another host', 'Match !originalhost pi\n  ProxyJump m\n', 'host-1', { line: 2, text: 'ProxyJump m' }],
  ['Match all', 'Match all\n  ProxyJump m\n', 'pi', { line: 2, text: 'ProxyJump m' }],
  ['a pattern list with a negation', 'Match originalhost pi,!nas\n  ProxyJump m\n', 'pi', { line: 2, text: 'ProxyJump m' }],
  ['Match user after a User', 'Host pi\n  User root\nMatch user root\n  ProxyJump m\n', 'pi', { line: 4, text: 'ProxyJump m' }],
  ['Match exec cannot be told from the text', 'Match exec "test -e /x"\n  ProxyJump m\n', 'pi', { line: 2, text: 'ProxyJump m', certain: false }],
  ['Match localuser cannot be told from the text', 'Match localuser nobody\n  ProxyJump m\n', 'pi', { line: 2, text: 'ProxyJump m', certain: false }],
];

const configOf = (text: string): string => (text.startsWith('add:') ? upsertTunnelSet(text.slice(4), set) : text + renderTunnelSet(set));

describe('findShadowingLine', () => {
  for (const [name, text, host, expected] of cases) {
    const config = configOf(text);
    test(name, () => {
      const want = expected === undefined ? undefined : { certain: true, ...expected };
      assert.deepEqual(findShadowingLine(config, host, ours), want);
    });
    // OpenSSH is the reference: what it resolves must agree with what we predicted.
    if (expected?.certain !== false) {
      test(`${name}: ssh -G agrees`, { skip: !hasSsh && 'no ssh client' }, () => {
        const result = sshG(config, host);
        assert.ok('options' in result, 'error' in result ? result.error : '');
        const proxyCommand = result.options.get('proxycommand');
        if (expected === undefined) assert.equal(proxyCommand, ours);
        else {
          assert.notEqual(proxyCommand, ours);
          const [, keyword = '', value = ''] = /^(\w+)[ \t=]+(.*)$/.exec(expected.text) ?? [];
          if (value !== 'none') assert.equal(result.options.get(keyword.toLowerCase()), value);
        }
      });
    }
  }
});

describe('sampleHostFor', () => {
  const samples: Array<[string[], string]> = [
    [['host-*', 'pi'], 'pi'],
    [['host-*'], 'host-x'],
    [['lab-??', 'x*y'], 'lab-xx'],
  ];
  for (const [hosts, sample] of samples) test(hosts.join(' '), () => assert.equal(sampleHostFor({ ...set, hosts }), sample));
});

describe('findShadowingLine follows Include as ssh reads it', () => {
  const seeds = { path: '/etc/ssh/seeds.conf', text: 'Host host-*\n  ProxyCommand ssh jump nc -U /home/host/%h.sock\n' };
  const includes = (file: string | undefined, line: number) => (file === undefined && line === 1 ? [seeds] : []);
  test('a section in an included file wins, named with its file and the Include that read it', () => {
    const config = upsertTunnelSet('Include seeds.conf\n\nHost *\n  User x\n', set);
    assert.deepEqual(findShadowingLine(config, 'host-1', ours, { includes }), { line: 2, text: 'ProxyCommand ssh jump nc -U /home/host/%h.sock', certain: true, file: seeds.path, via: 1 });
    assert.equal(findShadowingLine(config, 'pi', ours, { includes }), undefined);
  });
  test('an Include under a section that does not apply reads nothing that applies', () => {
    const config = upsertTunnelSet('Host other\n  Include seeds.conf\n\nHost *\n  User x\n', set);
    const nested = (file: string | undefined, line: number) => (file === undefined && line === 2 ? [seeds] : []);
    assert.equal(findShadowingLine(config, 'host-1', ours, { includes: nested }), undefined);
  });
  test('the section around an Include goes on after it, whatever Host lines the file had', () => {
    const config = `Host pi\n  Include other.conf\n  ProxyJump x\n${renderTunnelSet(set)}`;
    const nested = (file: string | undefined, line: number) => (file === undefined && line === 2 ? [{ path: '/i', text: 'Host nothing-here\n  User z\n' }] : []);
    assert.deepEqual(findShadowingLine(config, 'pi', ours, { includes: nested }), { line: 3, text: 'ProxyJump x', certain: true });
  });
});

test('findShadowingLine with ourLines: another set with the very same ProxyCommand still comes first', () => {
  const twin = renderTunnelSet({ ...set, name: 'work', hosts: ['host-1'] });
  const config = `${twin}${renderTunnelSet(set)}`;
  const ourBlockStart = twin.split('\n').length;
  assert.equal(findShadowingLine(config, 'host-1', ours), undefined, 'by its text alone, it looks like ours');
  assert.deepEqual(findShadowingLine(config, 'host-1', ours, { ourLines: { begin: ourBlockStart, end: ourBlockStart + 6 } }), { line: 4, text: `ProxyCommand ${ours}`, certain: true });
});
