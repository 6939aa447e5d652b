import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { parseTunnelSet } from '../../src/sshconfig/parse.js';
import { renderProxyCommand, renderTunnelSet } from '../../src/sshconfig/render.js';
import type { TunnelSet } from '../../src/sshconfig/types.js';
import { sets } from './fixtures.js';

const base = { socketDir: '/home/host', hosts: ['host-*'], proxyPath: '/usr/local/bin/tunnel-config' };
const roundTrips: TunnelSet[] = [
  sets.add,
  sets.edit,
  { ...base, name: 'a', jump: { host: 'jump' } },
  { ...base, name: 'port-only', jump: { host: '192.0.2.10', port: 22 } },
  { ...base, name: 'user_only', jump: { host: 'jump.example.com', user: 'tunnel' } },
  { ...base, name: 'key', jump: { host: 'jump.example.com', identityFile: '/etc/tunnel/key' } },
  { ...base, name: 'v6', jump: { host: '2001:db8::7', port: 65535 }, user: 'root' },
  { ...base, name: 'alias', jump: { alias: 'corp-gw' }, hosts: ['pi', 'nas', 'lab-??', '*.home.arpa'], configFile: '/home/me/.ssh/config' },
  { ...base, name: '0', jump: { alias: 'tunnel-config-other-jump' }, socketDir: '/' },
  { ...base, name: 'x'.repeat(32), jump: { host: 'j' }, hosts: ['H1', 'h2'], user: '_svc' },
  // --persist, with and without -F and a jump block of our own, in every form the proxy reads.
  ...['0', '90', '90s', '10m', '2h', '9999999h'].map((persist): TunnelSet => ({ ...base, name: `p-${persist}`, jump: { host: 'jump' }, persist })),
  { ...base, name: 'persist-f', jump: { alias: 'corp-gw' }, configFile: '/home/me/.ssh/config', persist: '30m' },
  { ...sets.add, persist: '0' },
  // --ssh-option lines, and the lines of an adopted seed-recipe section.
  { ...base, name: 'opts', jump: { host: 'jump' }, sshOptions: ['ForwardAgent yes', 'IdentityFile ~/.ssh/a', 'IdentityFile ~/.ssh/b', 'ServerAliveInterval 30'] },
  // Lines of the user's own in a jump section (ConnectTimeout for a faster failover, say).
  { ...base, name: 'jump-opts', jump: { host: 'a.example.com', identityFile: '~/.ssh/k', options: ['ConnectTimeout 5', 'ServerAliveInterval 10'] }, moreJumps: [{ jump: { host: 'b.example.com', options: ['ConnectTimeout 5'] }, socketDir: '/srv' }] },
  // Several jumps, tried in order: aliases, described ones (each its own section), mixed, per-jump socket directories.
  { ...base, name: 'two', jump: { alias: 'gw-a' }, moreJumps: [{ jump: { alias: 'gw-b' }, socketDir: '/srv/tunnels' }] },
  { ...base, name: 'described', jump: { host: 'a.example.com', port: 2222 }, moreJumps: [{ jump: { host: 'b.example.com', user: 'me', identityFile: '~/.ssh/k' }, socketDir: '/home/host' }] },
  {
    ...base,
    name: 'mixed',
    jump: { alias: 'gw' },
    moreJumps: [
      { jump: { host: '192.0.2.1' }, socketDir: '/s2' },
      { jump: { alias: 'gw' }, socketDir: '/s3' },
    ],
    persist: '0',
  },
  { ...base, name: 'adopted', jump: { alias: 'gw' }, adopted: ['Host host-*', '    ProxyCommand ssh gw nc -U /home/host/%h.sock', '', '\tUser me  # mine'], user: 'me' },
];

const blockOf = (text: string) => {
  const [block] = findManagedBlocks(text);
  assert.ok(block);
  return block;
};

describe('parseTunnelSet(renderTunnelSet(set)) deep-equals set', () => {
  for (const set of roundTrips) {
    for (const eol of ['\n', '\r\n'] as const) {
      test(`${set.name} ${JSON.stringify(eol)}`, () => assert.deepEqual(parseTunnelSet(blockOf(renderTunnelSet(set, eol))), set));
    }
  }
});

describe('renderTunnelSet', () => {
  test('writes the proxy command with -F and --persist only when given', () => {
    assert.equal(renderProxyCommand(sets.add), '/usr/local/bin/tunnel-config proxy --jump tunnel-config-home-jump --socket-dir /home/host -- %h');
    assert.equal(renderProxyCommand(sets.edit), '/opt/tunnel-config/bin/tunnel-config proxy --jump bastion --socket-dir /srv/tunnels -F /etc/tunnel-config/ssh_config --persist 30m -- %h');
  });
  test('several jumps: one --jump and --socket-dir pair per jump, a section for each described jump', () => {
    const set: TunnelSet = { ...sets.add, moreJumps: [{ jump: { alias: 'gw' }, socketDir: '/srv' }, { jump: { host: 'b.example.com' }, socketDir: '/home/host' }] };
    assert.equal(
      renderProxyCommand(set),
      '/usr/local/bin/tunnel-config proxy --jump tunnel-config-home-jump --socket-dir /home/host --jump gw --socket-dir /srv --jump tunnel-config-home-jump3 --socket-dir /home/host -- %h',
    );
    assert.match(renderTunnelSet(set), /\nHost tunnel-config-home-jump\n  HostName [^\n]+\n(  [^\n]+\n)*Host tunnel-config-home-jump3\n  HostName b\.example\.com\nHost [^\n]+\n/);
  });
  test('several jumps: the same jump twice with the same socket directory is refused', () => {
    assert.throws(() => renderTunnelSet({ ...sets.edit, moreJumps: [{ jump: { alias: 'bastion' }, socketDir: '/srv/tunnels' }] }), /--jump-alias "?bastion"?: is given twice with the same socket directory/);
  });
  test('a jump option that would weaken its host key check, or repeat what the set writes, is refused', () => {
    assert.throws(() => renderTunnelSet({ ...sets.add, jump: { host: 'j', options: ['StrictHostKeyChecking no'] } }), /StrictHostKeyChecking no would stop ssh from checking/);
    assert.throws(() => renderTunnelSet({ ...sets.add, jump: { host: 'j', options: ['Port 2222'] } }), /is written from the set's own answers/);
    assert.throws(() => renderTunnelSet({ ...sets.add, jump: { host: 'j', options: ['ConnectTimeout 5', 'ConnectTimeout 9'] } }), /is given twice/);
  });
  test('several jumps: a host pattern may match none of them', () => {
    assert.throws(() => renderTunnelSet({ ...sets.edit, hosts: ['gw*'], moreJumps: [{ jump: { alias: 'gw-b' }, socketDir: '/srv' }] }), /--hosts "?gw\*"?: also matches the jumphost gw-b/);
  });
  const commands: Array<[string, Partial<TunnelSet>, string]> = [
    ['no --persist when unset: blocks written before it existed stay byte-identical', {}, '--socket-dir /home/host -- %h'],
    ['--persist 0', { persist: '0' }, '--socket-dir /home/host --persist 0 -- %h'],
    ['--persist 10m', { persist: '10m' }, '--socket-dir /home/host --persist 10m -- %h'],
    ['--persist after -F', { persist: '90', configFile: '/etc/ssh/tc_config' }, '--socket-dir /home/host -F /etc/ssh/tc_config --persist 90 -- %h'],
  ];
  for (const [name, change, tail] of commands) {
    test(`renderProxyCommand: ${name}`, () => {
      assert.equal(renderProxyCommand({ ...sets.add, ...change }), `/usr/local/bin/tunnel-config proxy --jump tunnel-config-home-jump ${tail}`);
    });
  }
  test('never weakens host key checking', () => {
    for (const set of roundTrips) assert.doesNotMatch(renderTunnelSet(set), /StrictHostKeyChecking|UserKnownHostsFile|\/dev\/null|"/i);
  });
  test('writes Port, User and IdentityFile of the jump only when given', () => {
    const text = renderTunnelSet({ ...base, name: 'a', jump: { host: 'jump' } });
    assert.match(text, /^Host tunnel-config-a-jump\n  HostName jump\nHost host-\*\n/m);
  });
});

const block = (lines: string[]) => ['# >>> tunnel-config home >>>', ...lines, '# <<< tunnel-config home <<<', ''].join('\n');
const command = '/usr/bin/tc proxy --jump tunnel-config-home-jump --socket-dir /h -- %h';
const jumpLines = ['Host tunnel-config-home-jump', '  HostName jump'];
const expected: TunnelSet = { name: 'home', jump: { host: 'jump' }, socketDir: '/h', hosts: ['pi'], proxyPath: '/usr/bin/tc' };

describe('parseTunnelSet reads hand-formatted blocks', () => {
  const readable: Array<[string, string[]]> = [
    ['lowercase keywords and = separators', ['host tunnel-config-home-jump', '\thostname=jump', 'HOST pi', `proxycommand ${command}`, 'serveraliveinterval = 10', 'ServerAliveCountMax 3']],
    ['blank lines, comments and trailing blanks', ['# mine', ...jumpLines, '', 'Host pi  ', `  ProxyCommand ${command}   `, '  # later']],
    ['IdentitiesOnly without IdentityFile', [...jumpLines, '  IdentitiesOnly yes', 'Host pi', `  ProxyCommand ${command}`]],
  ];
  for (const [name, lines] of readable) test(name, () => assert.deepEqual(parseTunnelSet(blockOf(block(lines))), expected));
  test('--persist before -F (a hand edit) reads as after it', () => {
    const edited = command.replace('-- %h', '--persist 2h -F /etc/ssh/tc_config -- %h');
    assert.deepEqual(parseTunnelSet(blockOf(block([...jumpLines, 'Host pi', `  ProxyCommand ${edited}`]))), { ...expected, persist: '2h', configFile: '/etc/ssh/tc_config' });
  });
  test('CRLF', () => assert.deepEqual(parseTunnelSet(blockOf(block([...jumpLines, 'Host pi', `  ProxyCommand ${command}`]).replace(/\n/g, '\r\n'))), expected));
});

describe('parseTunnelSet reads lines added by hand to the hosts\' section as --ssh-option lines', () => {
  const hosts = ['Host pi', `  ProxyCommand ${command}`];
  const readable: Array<[string, string[], string[]]> = [
    ['ForwardAgent yes after the keepalive', [...hosts, '  ServerAliveInterval 10', '  ServerAliveCountMax 3', '  ForwardAgent yes'], ['ForwardAgent yes']],
    ['lowercase, with =', [...hosts, '  forwardagent=yes'], ['ForwardAgent yes']],
    ['a changed keepalive', [...hosts, '  ServerAliveInterval 30'], ['ServerAliveInterval 30']],
    ['two IdentityFile lines and a LocalForward', [...hosts, '  IdentityFile ~/.ssh/a', '  IdentityFile ~/.ssh/b', '  LocalForward 8080 localhost:80'], ['IdentityFile ~/.ssh/a', 'IdentityFile ~/.ssh/b', 'LocalForward 8080 localhost:80']],
  ];
  for (const [name, lines, sshOptions] of readable) {
    test(name, () => assert.deepEqual(parseTunnelSet(blockOf(block([...jumpLines, ...lines]))), { ...expected, sshOptions }));
  }
});

describe('parseTunnelSet refuses what it cannot read, naming the block and the line', () => {
  const hosts = ['Host pi', `  ProxyCommand ${command}`];
  const unreadable: Array<[string, string[], RegExp]> = [
    ['a keyword ssh_config does not have', [...jumpLines, ...hosts, '  ForwardAgnet yes'], /line 7 \(`ForwardAgnet yes`\): has "forwardagnet", which is not an ssh_config keyword/],
    ['a HostName for the hosts', [...jumpLines, ...hosts, '  HostName 192.0.2.1'], /line 7 \(`HostName 192\.0\.2\.1`\): HostName would change the name the proxy looks up/],
    ['a second ProxyJump for the hosts', [...jumpLines, ...hosts, '  ProxyJump gw'], /line 7 .*ProxyJump is what tunnel-config sets/],
    ['a single-valued option twice', [...jumpLines, ...hosts, '  ForwardAgent yes', '  ForwardAgent no'], /--ssh-option "ForwardAgent no": ForwardAgent is given twice, and ssh uses only the first/],
    ['a changed ProxyCommand', [...jumpLines, 'Host pi', '  ProxyCommand nc %h %p'], /line 6 \(`ProxyCommand nc %h %p`\): is not the ProxyCommand tunnel-config writes/],
    ['a ProxyCommand with an extra flag', [...jumpLines, 'Host pi', `  ProxyCommand ${command.replace(' --', ' -v --')}`], /line 6 .*is not the ProxyCommand/],
    ['--persist twice', [...jumpLines, 'Host pi', `  ProxyCommand ${command.replace('-- %h', '--persist 0 --persist 1m -- %h')}`], /line 6 .*is not the ProxyCommand/],
    ['--persist without a time', [...jumpLines, 'Host pi', `  ProxyCommand ${command.replace('-- %h', '--persist -- %h')}`], /line 6 .*is not the ProxyCommand/],
    ['--persist after --', [...jumpLines, 'Host pi', `  ProxyCommand ${command.replace('-- %h', '-- %h --persist 0')}`], /line 6 .*is not the ProxyCommand/],
    ['a --persist time the proxy refuses', [...jumpLines, 'Host pi', `  ProxyCommand ${command.replace('-- %h', '--persist 10min -- %h')}`], /: --persist "10min": must be seconds, or a number with s, m or h/],
    ['a directive twice', [...jumpLines, ...hosts, '  User a', '  User b'], /line 8 \(`User b`\): user is given twice/],
    ['a directive before any Host', ['User a', ...jumpLines, ...hosts], /line 3 \(`User a`\): comes before any Host line/],
    ['a jump directive that could not be an option of its own', [...jumpLines, '  ProxyJump x', ...hosts], /line 5 \(`ProxyJump x`\): ProxyJump is what tunnel-config sets/],
    ['a jump line that would weaken its host key check', [...jumpLines, '  StrictHostKeyChecking no', ...hosts], /line 5 .*StrictHostKeyChecking no would stop ssh from checking/],
    ['a bad port', [...jumpLines, '  Port ssh', ...hosts], /line 5 \(`Port ssh`\): is not a port number/],
    ['two host sections', [...jumpLines, ...hosts, 'Host nas'], /line 7 .*one Host section for the hosts/],
    ['no ProxyCommand', [...jumpLines, 'Host pi'], /has no Host section with a ProxyCommand/],
    ['a jump section without HostName', ['Host tunnel-config-home-jump', '  Port 22', ...hosts], /has no Host tunnel-config-home-jump section with a HostName/],
    ['a jump section its ProxyCommand does not use', [...jumpLines, 'Host pi', `  ProxyCommand ${command.replace('tunnel-config-home-jump', 'gw')}`], /has a Host tunnel-config-home-jump section that its ProxyCommand does not use/],
    ['a second jump section the ProxyCommand does not name', [...jumpLines, 'Host tunnel-config-home-jump2', '  HostName b', 'Host pi', `  ProxyCommand ${command}`], /has a Host tunnel-config-home-jump2 section that its ProxyCommand does not use/],
    ['a written jump alias out of its place', [...jumpLines, 'Host pi', `  ProxyCommand ${command.replace('--jump tunnel-config-home-jump ', '--jump tunnel-config-home-jump2 ')}`], /names tunnel-config-home-jump2 as jump 1; tunnel-config writes tunnel-config-home-jump there/],
    ['a value we would refuse', [...jumpLines, 'Host *', `  ProxyCommand ${command}`], /--hosts "\*": has no literal character/],
  ];
  for (const [name, lines, message] of unreadable) {
    test(name, () => {
      const text = `Host before\n${block(lines)}`;
      assert.throws(
        () => parseTunnelSet(blockOf(text), '/home/me/.ssh/config'),
        (error: unknown) => error instanceof TunnelError && error.code === 'usage' && error.message.startsWith(`/home/me/.ssh/config: tunnel-config block "home" (lines 2-${lines.length + 3})`) && message.test(error.message),
      );
    });
  }
});
