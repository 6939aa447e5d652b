import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { parseTunnelSet } from '../../src/sshconfig/parse.js';
import { renderTunnelSet } from '../../src/sshconfig/render.js';
import { normaliseSshOption, splitSshOptions, sshOptionListProblem, sshOptionProblem, writtenSshOptions } from '../../src/sshconfig/ssh-options.js';
import { sets } from './fixtures.js';
import { hasSsh, sshG } from './openssh.js';

describe('sshOptionProblem: what may go into the hosts\' section', () => {
  const accepted: Array<[string, string]> = [
    ['ForwardAgent yes', 'ForwardAgent yes'],
    ['forwardagent yes', 'ForwardAgent yes'],
    ['ForwardAgent=yes', 'ForwardAgent yes'],
    ['  IdentityFile   ~/.ssh/id_pi  ', 'IdentityFile ~/.ssh/id_pi'],
    ['LocalForward 8080 localhost:80', 'LocalForward 8080 localhost:80'],
    ['SetEnv LANG=C', 'SetEnv LANG=C'],
    ['ControlPath ~/.ssh/cm-%r@%h:%p', 'ControlPath ~/.ssh/cm-%r@%h:%p'],
    ['Ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com', 'Ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com'],
    ['StrictHostKeyChecking accept-new', 'StrictHostKeyChecking accept-new'],
    ['ServerAliveInterval\t30', 'ServerAliveInterval 30'],
  ];
  for (const [option, written] of accepted) {
    test(`${JSON.stringify(option)} is written as ${JSON.stringify(written)}`, () => {
      assert.equal(sshOptionProblem(option), undefined);
      assert.equal(normaliseSshOption(option), written);
    });
  }
  const refused: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['ForwardAgent', /must be a keyword and its value/],
    ['ForwardAgnet yes', /"ForwardAgnet", which is not an ssh_config keyword/],
    ['ProxyCommand nc %h 22', /ProxyCommand is what tunnel-config sets/],
    ['ProxyJump gw', /ProxyJump is what tunnel-config sets/],
    ['HostName 192.0.2.1', /HostName would change the name the proxy looks up/],
    ['CanonicalizeHostname yes', /would change the name the proxy looks up/],
    ['User pi', /User is set with --user/],
    ['Host other', /would start a Host section/],
    ['Match all', /would start a Match section/],
    ['Include other.conf', /would read another file/],
    ['IgnoreUnknown *', /would hide a mistyped option/],
    ['StrictHostKeyChecking off', /would stop ssh from checking host keys/],
    ['UserKnownHostsFile /dev/null', /would stop ssh from checking host keys/],
    ['ForwardAgent yes\n  ProxyCommand sh -c evil', /line break/],
    ['ForwardAgent yes # mine', /may not contain "#"/],
    ['LocalCommand "x"', /may not contain '"'/],
    ["LocalCommand 'x'", /may not contain "'"/],
    ['IdentityFile C:\\key', /may not contain "\\"/],
    ['ForwardAgent yes; ProxyJump gw', /may not contain ";"/],
    ['ForwardAgent y\u00e9s', /only ASCII/],
    ['ForwardAgent \x1b[31myes', /control characters/],
  ];
  for (const [option, why] of refused) test(`${JSON.stringify(option)}: ${why.source}`, () => assert.match(sshOptionProblem(option) ?? '', why));
});

describe('a list of options', () => {
  test('split on ";", blanks trimmed, empties dropped', () => assert.deepEqual(splitSshOptions(' ForwardAgent yes ;; IdentityFile ~/a;'), ['ForwardAgent yes', 'IdentityFile ~/a']));
  test('a keyword ssh reads once, given twice, is refused naming the first', () => {
    assert.match(sshOptionListProblem(['ForwardAgent yes', 'forwardagent no']) ?? '', /ForwardAgent is given twice, and ssh uses only the first \("ForwardAgent yes"\)/);
  });
  test('a keyword ssh reads every time may repeat, but not the same line', () => {
    assert.equal(sshOptionListProblem(['IdentityFile ~/a', 'IdentityFile ~/b', 'LocalForward 1 h:1', 'LocalForward 2 h:2']), undefined);
    assert.match(sshOptionListProblem(['IdentityFile ~/a', 'IdentityFile ~/b', 'identityfile ~/a']) ?? '', /is given twice/);
  });
  test('a keep-alive line every set gets is not written twice', () => {
    assert.deepEqual(writtenSshOptions(['serveraliveinterval 10', 'ServerAliveCountMax 5']), ['ServerAliveCountMax 5']);
    assert.match(sshOptionListProblem(['ServerAliveCountMax 3']) ?? '', /is written anyway/);
  });
});

describe('options in the block', () => {
  const set = { ...sets.add, sshOptions: ['ForwardAgent yes', 'IdentityFile ~/.ssh/id_pi', 'IdentityFile ~/.ssh/id_old', 'ServerAliveInterval 30'] };
  const text = renderTunnelSet(set);
  test('written after User, before the keep-alive lines, which give way to an option of their own keyword', () => {
    assert.match(text, /^ {2}User pi\n {2}ForwardAgent yes\n {2}IdentityFile ~\/\.ssh\/id_pi\n {2}IdentityFile ~\/\.ssh\/id_old\n {2}ServerAliveInterval 30\n {2}ServerAliveCountMax 3\n# <<< /m);
    assert.doesNotMatch(text, /ServerAliveInterval 10/);
  });
  test('read back as they were', () => {
    const [block] = findManagedBlocks(text);
    assert.ok(block);
    assert.deepEqual(parseTunnelSet(block), set);
  });
  test('ssh -G applies them to the hosts and not to the jumphost', { skip: !hasSsh && 'no ssh client' }, () => {
    const config = `${text}Host *\n  ForwardAgent no\n`;
    const host = sshG(config, 'pi');
    assert.ok('options' in host);
    assert.equal(host.options.get('forwardagent'), 'yes');
    assert.equal(host.options.get('serveraliveinterval'), '30');
    assert.match(host.output, /^identityfile ~\/\.ssh\/id_pi\nidentityfile ~\/\.ssh\/id_old$/m);
    const jump = sshG(config, 'tunnel-config-home-jump');
    assert.ok('options' in jump);
    assert.equal(jump.options.get('forwardagent'), 'no');
  });
  test('validateTunnelSet refuses a bad one, naming --ssh-option', () => {
    for (const bad of [['ProxyJump gw'], ['forwardagent yes'], ['ForwardAgent yes\nHost *'], ['ForwardAgent yes', 'ForwardAgent no']]) {
      assert.throws(() => renderTunnelSet({ ...sets.add, sshOptions: bad }), (error: unknown) => error instanceof TunnelError && /^--ssh-option "/.test(error.message) && !/\n/.test(error.message));
    }
  });
});
