import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { renderTunnelSet } from '../../src/sshconfig/render.js';
import type { TunnelSet } from '../../src/sshconfig/types.js';
import {
  aliasProblem,
  hostListProblem,
  hostPatternProblem,
  identityFileProblem,
  jumpHostProblem,
  normalisePersist,
  optional,
  persistProblem,
  portProblem,
  proxyPathProblem,
  setNameProblem,
  socketDirValueProblem,
  splitHostPatterns,
  unsafeCharProblem,
  userProblem,
  validateTunnelSet,
  type Validator,
} from '../../src/sshconfig/validate.js';
import { sets } from './fixtures.js';

const hostJump = sets.add;
const aliasJump = sets.edit;
const withJump = (set: TunnelSet, change: object): TunnelSet => ({ ...set, jump: { ...set.jump, ...change } as TunnelSet['jump'] });

/** Every field we write, as [label in the error, how to put a value there around the injected text]. */
const fields: Array<[string, (bad: string) => TunnelSet]> = [
  ['--name', (bad) => ({ ...hostJump, name: `a${bad}b` })],
  ['--jump-host', (bad) => withJump(hostJump, { host: `jump${bad}.example.com` })],
  ['--jump-alias', (bad) => ({ ...aliasJump, jump: { alias: `gw${bad}x` } })],
  ['--jump-user', (bad) => withJump(hostJump, { user: `tu${bad}nnel` })],
  ['--identity', (bad) => withJump(hostJump, { identityFile: `~/.ssh/id${bad}x` })],
  ['--socket-dir', (bad) => ({ ...hostJump, socketDir: `/home/ho${bad}st` })],
  ['--hosts', (bad) => ({ ...hostJump, hosts: ['pi', `host${bad}1`] })],
  ['--user', (bad) => ({ ...hostJump, user: `p${bad}i` })],
  ['tunnel-config path', (bad) => ({ ...hostJump, proxyPath: `/usr/bin/tunnel${bad}config` })],
  ['--config', (bad) => ({ ...aliasJump, configFile: `/etc/ssh/con${bad}fig` })],
  ['--persist', (bad) => ({ ...hostJump, persist: `1${bad}0m` })],
];

const injections = ['\n', '\r', '\n  ProxyCommand sh -c evil\n', '#', "'", '"', '%', '%h', ' ', '=', '\t', '\0', '\x1b', '\x7f', 'é', '\u202e', '\u00a0', '\\', '`', '$', '$(id)', ';'];

describe('validateTunnelSet refuses injected text in every field, naming the field', () => {
  test('the fixture sets are valid', () => {
    validateTunnelSet(sets.add);
    validateTunnelSet(sets.edit);
  });
  for (const [label, make] of fields) {
    for (const bad of injections) {
      test(`${label} with ${JSON.stringify(bad)}`, () => {
        const set = make(bad);
        const named = (error: unknown) => error instanceof TunnelError && error.code === 'usage' && error.message.startsWith(`${label} "`) && !/[\n\r]/.test(error.message);
        assert.throws(() => validateTunnelSet(set), named);
        assert.throws(() => renderTunnelSet(set), named);
      });
    }
  }
});

describe('validateTunnelSet, whole-set rules', () => {
  const bad: Array<[string, TunnelSet, RegExp]> = [
    ['no hosts', { ...hostJump, hosts: [] }, /^--hosts "": name at least one host/],
    ['a host listed twice', { ...hostJump, hosts: ['pi', 'nas', 'pi'] }, /^--hosts "pi": is listed twice/],
    ['* alone', { ...hostJump, hosts: ['pi', '*'] }, /^--hosts "\*": has no literal character, so it would claim any host/],
    ['a pattern matching our jump alias', { ...hostJump, hosts: ['tunnel-config-*'] }, /also matches the jumphost tunnel-config-home-jump/],
    ['a pattern matching the jump alias given', { ...aliasJump, hosts: ['bast*'] }, /^--hosts "bast\*": also matches the jumphost bastion/],
    ['port 0', withJump(hostJump, { port: 0 }), /^--jump-port "0": must be a number from 1 to 65535/],
    ['port 65536', withJump(hostJump, { port: 65536 }), /^--jump-port "65536"/],
    ['port 2.5', withJump(hostJump, { port: 2.5 }), /^--jump-port "2.5"/],
    ['a relative proxy path', { ...hostJump, proxyPath: 'tunnel-config' }, /^tunnel-config path "tunnel-config": must be an absolute path/],
    ['a relative -F', { ...aliasJump, configFile: 'ssh_config' }, /^--config "ssh_config": must be an absolute path/],
    ['a --persist the proxy would refuse', { ...hostJump, persist: '1d' }, /^--persist "1d": must be seconds, or a number with s, m or h \(90s, 10m, 2h\); 0 turns sharing off$/],
    ['an empty --persist', { ...aliasJump, persist: '' }, /^--persist "": is empty$/],
    ['a --persist with blanks around it', { ...hostJump, persist: ' 10m' }, /^--persist " 10m": may not contain spaces$/],
    ['a jump host starting with -', withJump(hostJump, { host: '-oProxyCommand' }), /^--jump-host "-oProxyCommand"/],
  ];
  for (const [name, set, message] of bad) test(`refuses ${name}`, () => assert.throws(() => validateTunnelSet(set), (e: unknown) => e instanceof TunnelError && message.test(e.message)));
});

function table(name: string, check: Validator, good: string[], bad: string[]): void {
  describe(name, () => {
    for (const value of good) test(`accepts ${JSON.stringify(value)}`, () => assert.equal(check(value), undefined));
    for (const value of bad) test(`refuses ${JSON.stringify(value)}`, () => assert.equal(typeof check(value), 'string'));
  });
}

table('setNameProblem', setNameProblem, ['home', 'a', '0', 'lab_2-b', 'x'.repeat(32)], ['', 'Home', '-a', '_a', 'a.b', 'a b', 'x'.repeat(33), 'é']);
table('hostPatternProblem', hostPatternProblem, ['pi', 'host-*', '*.lan', 'lab-??', 'h_1', 'HOST-1', '10.0.0.*'], [
  '', '*', '**', '?', '*?', '!pi', 'a,b', '-x', '.x', 'x.', 'a..b', 'a/b', 'a@b', 'a:b', '[a]',
]);
table('hostListProblem', hostListProblem, ['pi', 'pi nas', 'pi, nas', ' host-* ,lab-?? '], ['', ' , ', 'pi *', 'pi !nas', 'pi "nas"']);
table('jumpHostProblem', jumpHostProblem, ['jump.example.com', 'jump', '192.0.2.1', '2001:db8::1', '::1'], [
  '', 'fe80::1%eth0', '[::1]', 'user@jump', 'jump:22', '-oProxyCommand=x', 'a b', 'jump..x', '.jump', 'ju*mp',
]);
table('aliasProblem', aliasProblem, ['bastion', 'corp-gw.example', 'gw_1'], ['', 'bast*', 'gw?', 'user@gw', '-F', 'a b']);
table('portProblem', (value) => portProblem(value), ['1', '22', '2222', '65535'], ['', '0', '65536', '-1', '22 ', '0x16', '022', '1e3', 'ssh']);
table('userProblem', userProblem, ['pi', '_svc', 'John.Doe', 'a-b', 'x'.repeat(32)], ['', '1pi', '-pi', '.pi', 'a@b', 'x'.repeat(33), 'ü']);
table('identityFileProblem', identityFileProblem, ['~/.ssh/id_ed25519', '/etc/keys/k', '/home/me/.ssh/id+1@x'], [
  '', 'id_rsa', '~user/.ssh/k', '~', '/a/../b', '/a/./b', '/a b', '/a;b', '/a|b', '/a&b', '/a*b',
]);
table('socketDirValueProblem', socketDirValueProblem, ['/home/host', '/', '/run/tunnel-config/sockets'], ['', 'home', '/a b', '/a;b', '/a$(x)', '/a/../b', '/a#b', '/a%h']);
table('proxyPathProblem', proxyPathProblem, ['/usr/local/bin/tunnel-config', '/home/me/.nvm/versions/node/v20.1.0/bin/tunnel-config'], ['', 'tunnel-config', '~/bin/tunnel-config', '/a;b', '/a>b']);
table('persistProblem', persistProblem, ['0', '00', '90', '90s', '10m', '2h', '010m', '9999999h'], [
  '', '-1', '+5m', '10min', '1d', '10M', '1.5h', '1e3', '0x10', ' 10m', '10m ', '10 m', '10m\n', 'default', 'off', '12345678', '10m;id',
]);
describe('normalisePersist', () => {
  const cases: Array<[string, string]> = [['0', '0'], ['00', '0'], ['0s', '0'], ['0m', '0'], ['0h', '0'], ['90', '90'], ['090s', '90s'], ['10m', '10m'], ['0002h', '2h']];
  for (const [given, written] of cases) test(`${given} → ${written}`, () => assert.equal(normalisePersist(given), written));
});
table('optional(userProblem)', optional(userProblem), ['', 'pi'], ['1pi']);

describe('unsafeCharProblem says which character', () => {
  const reasons: Array<[string, string]> = [
    ['a\nb', 'may not contain a line break'],
    ['a\rb', 'may not contain a line break'],
    ['a\x1bb', 'may not contain control characters'],
    ['aéb', 'may contain only ASCII characters'],
    ['a b', 'may not contain spaces'],
    ['a#b', 'may not contain "#"'],
    ['a"b', `may not contain '"'`],
    ["a'b", 'may not contain "\'"'],
    ['a%b', 'may not contain "%"'],
    ['a=b', 'may not contain "="'],
    ['a\\b', 'may not contain "\\"'],
    ['a`b', 'may not contain "`"'],
    ['a$b', 'may not contain "$"'],
  ];
  for (const [value, reason] of reasons) test(JSON.stringify(value), () => assert.equal(unsafeCharProblem(value), reason));
  test('plain text passes', () => assert.equal(unsafeCharProblem('host-1.example_2/x'), undefined));
});

test('splitHostPatterns splits on blanks and commas', () => assert.deepEqual(splitHostPatterns(' host-*, pi\tnas ,'), ['host-*', 'pi', 'nas']));
