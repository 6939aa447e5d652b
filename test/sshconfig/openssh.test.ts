import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitDirective, splitLines } from '../../src/sshconfig/lines.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { parseTunnelSet } from '../../src/sshconfig/parse.js';
import { hostLineMatches } from '../../src/sshconfig/pattern.js';
import { renderProxyCommand } from '../../src/sshconfig/render.js';
import { findShadowingLine } from '../../src/sshconfig/shadow.js';
import { upsertTunnelSet } from '../../src/sshconfig/splice.js';
import type { TunnelSet } from '../../src/sshconfig/types.js';
import { caseNames, readFixture, sets } from './fixtures.js';
import { hasSsh, sshG } from './openssh.js';

/** Names to ask ssh about: every Host alias of the input (patterns made literal), our hosts, and a stranger. */
function probeHosts(input: string): string[] {
  const home = findManagedBlocks(input).find((block) => block.name === 'home');
  const names = new Set(['unrelated.example.org', 'pi', 'nas', 'host-1', 'lab-01', 'oldbox', 'legacy-1']);
  for (const line of splitLines(input)) {
    if (home && line.start >= home.start && line.start < home.end) continue;
    const directive = splitDirective(line.content);
    if (directive?.keyword !== 'host') continue;
    for (const pattern of directive.args) if (!pattern.startsWith('!')) names.add(pattern.replace(/[*?]/g, 'x'));
  }
  return [...names];
}

const skip = !hasSsh && 'no ssh client';

describe('ssh -G resolves every host as before, except the ones the set claims', { skip }, () => {
  for (const name of caseNames) {
    const input = readFixture(`${name}.input`);
    const oldHome = findManagedBlocks(input).find((block) => block.name === 'home');
    const oldHosts = oldHome ? parseTunnelSet(oldHome).hosts : [];
    const hosts = probeHosts(input);
    for (const [step, set] of [['add', sets.add], ['edit', sets.edit]] as Array<[string, TunnelSet]>) {
      test(`${name} ${step}`, () => {
        const config = readFixture(`${name}.${step}.expected`);
        const ours = renderProxyCommand(set);
        for (const host of hosts) {
          const before = sshG(input, host);
          const after = sshG(config, host);
          if ('error' in before) {
            // OpenSSH already refuses this file (a BOM): we neither fix nor worsen it.
            assert.ok('error' in after, `${host}: ssh accepts the output but not the input`);
            continue;
          }
          assert.ok('options' in after, `${host}: ${'error' in after ? after.error : ''}`);
          if (hostLineMatches(set.hosts, host)) {
            const shadow = findShadowingLine(config, host, ours);
            if (shadow) assert.notEqual(after.options.get('proxycommand'), ours, `${host}: ${JSON.stringify(shadow)}`);
            else assert.equal(after.options.get('proxycommand'), ours, host);
          } else if (!hostLineMatches(oldHosts, host)) {
            assert.equal(after.output, before.output, host);
          }
        }
      });
    }
  }
});

describe('ssh -G sees the jumphost block', { skip }, () => {
  for (const name of caseNames) {
    test(name, () => {
      const result = sshG(readFixture(`${name}.add.expected`), 'tunnel-config-home-jump');
      if ('error' in result) {
        assert.ok(readFixture(`${name}.input`).startsWith('\uFEFF'), result.error);
        return;
      }
      for (const [keyword, value] of [['hostname', 'jump.example.com'], ['port', '2222'], ['user', 'tunnel'], ['identitiesonly', 'yes']]) {
        assert.equal(result.options.get(keyword ?? ''), value, keyword);
      }
      assert.equal(result.options.get('proxycommand'), undefined);
    });
  }
});

test('the shadow fixture: the earlier Host host-1 section wins for host-1, and we can say which line', { skip }, () => {
  const config = readFixture('shadow.add.expected');
  assert.deepEqual(findShadowingLine(config, 'host-1', renderProxyCommand(sets.add)), { line: 2, text: 'ProxyJump bastion', certain: true });
  const result = sshG(config, 'host-1');
  assert.ok('options' in result);
  assert.equal(result.options.get('proxyjump'), 'bastion');
  assert.equal(findShadowingLine(config, 'host-2', renderProxyCommand(sets.add)), undefined);
});

describe('ssh -G shows the ProxyCommand with --persist exactly as written, and without it when unset', { skip }, () => {
  for (const persist of [undefined, '0', '90', '90s', '10m', '2h']) {
    test(persist ?? 'unset', () => {
      const set: TunnelSet = { ...sets.add, ...(persist === undefined ? {} : { persist }) };
      const result = sshG(upsertTunnelSet('Host *\n  ForwardAgent no\n', set), 'pi');
      assert.ok('options' in result, 'error' in result ? result.error : '');
      const flag = persist === undefined ? '' : ` --persist ${persist}`;
      assert.equal(result.options.get('proxycommand'), `/usr/local/bin/tunnel-config proxy --jump tunnel-config-home-jump --socket-dir /home/host${flag} -- %h`);
    });
  }
});
