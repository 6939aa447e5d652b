import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commonName, probeNames } from '../../src/sshconfig/claims.js';
import { patternMatches } from '../../src/sshconfig/pattern.js';

describe('commonName: a name two glob patterns both match', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['host-*', 'host-*', 'host-'],
    ['host-*', 'host-1', 'host-1'],
    ['host-*', '*-1', 'host-1'],
    ['lab-*', 'lab-??', 'lab-xx'],
    ['*.home.arpa', 'nas*', 'nas.home.arpa'],
    ['a*b*c', '*bc', 'abc'],
    ['pi', 'pi', 'pi'],
    ['pi', 'nas', undefined],
    ['host-*', 'lab-*', undefined],
    ['host-?', 'host-??', undefined],
    ['H*', 'h*', undefined],
  ];
  for (const [a, b, name] of cases) {
    test(`${a} and ${b}: ${name ?? 'none'}`, () => {
      assert.equal(commonName(a, b), name);
      assert.equal(commonName(b, a) === undefined, name === undefined, 'symmetric');
      if (name !== undefined) assert.ok(patternMatches(a, name) && patternMatches(b, name), 'both match it');
    });
  }
});

describe('probeNames: every name the set claims that another section may claim, not one sample', () => {
  const cases: Array<[string, string[], string, Array<[string, string]>]> = [
    ['literal names as they are', ['pi', 'nas'], '', [['pi', 'pi'], ['nas', 'nas']]],
    ['a pattern made literal', ['host-*'], '', [['host-x', 'host-*']]],
    ['names another Host line lists that the pattern matches', ['host-*'], 'Host host-1 nas\n  User a\n', [['host-x', 'host-*'], ['host-1', 'host-1']]],
    ['another set claiming host-1 and nas (the issue)', ['host-*'], '# >>> tunnel-config work >>>\nHost host-1 nas\n  ProxyCommand x\n# <<< tunnel-config work <<<\n', [['host-x', 'host-*'], ['host-1', 'host-1']]],
    ['an overlapping pattern: a name both match, labelled by the narrower', ['lab-*'], 'Host lab-??\n', [['lab-x', 'lab-*'], ['lab-xx', 'lab-??']]],
    ['patterns that cannot overlap', ['host-*'], 'Host lab-*\n', [['host-x', 'host-*']]],
    ['a negated name of the other line is no claim', ['host-*'], 'Host host-* !host-9\nHost !host-3 other\n', [['host-x', 'host-*'], ['host-', 'host-*']]],
    ['an empty star the other line refuses: one with a letter', ['host-*'], 'Host host-* !host-\n', [['host-x', 'host-*']]],
    ['Match host and originalhost lists', ['host-*'], 'Match originalhost host-2,!host-3 user bob\nMatch host host-4\n', [['host-x', 'host-*'], ['host-2', 'host-2'], ['host-4', 'host-4']]],
    ['included files are read too', ['pi', 'lab-*'], 'Host lab-07\n', [['pi', 'pi'], ['lab-x', 'lab-*'], ['lab-07', 'lab-07']]],
  ];
  for (const [name, hosts, other, probes] of cases) {
    test(name, () => assert.deepEqual(probeNames(hosts, [other]).map((probe) => [probe.name, probe.label]), probes));
  }
});
