import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeConfig } from '../../src/doctor/config-step.js';
import { renderProxyCommand, renderTunnelSet } from '../../src/sshconfig/render.js';
import type { TunnelSet } from '../../src/sshconfig/types.js';

const set: TunnelSet = { name: 'home', jump: { alias: 'gw' }, socketDir: '/h', hosts: ['host-*'], proxyPath: '/usr/bin/tunnel-config', configFile: '/c/config' };
const ours = renderProxyCommand(set);
const block = renderTunnelSet(set);
const path = '/c/config';
const judge = (sshG: string, text: string, host = 'host-1') => judgeConfig({ host, sshG: `hostname ${host}\nport 22\n${sshG}`, path, text, named: true });

test('our ProxyCommand in effect: the jumps it walks and the config it resolves them from', () => {
  const verdict = judge(`proxycommand ${ours}\n`, block);
  assert.deepEqual(verdict, {
    step: { step: 'config', ok: true, detail: `ssh -G -F ${path} host-1: ProxyCommand is tunnel-config proxy through gw (/h)` },
    routes: [{ jump: 'gw', socketDir: '/h' }],
    configFile: '/c/config',
  });
});

test('a seed recipe above the block wins: its line, and edit --place-before or --adopt', () => {
  const recipe = 'ProxyCommand ssh gw nc -U /h/%h.sock';
  const verdict = judge(`proxycommand ${recipe.slice(13)}\n`, `Host host-1\n  ${recipe}\n${block}`);
  assert.equal(verdict.routes, undefined);
  assert.deepEqual(verdict.step, {
    step: 'config',
    ok: false,
    detail: `ssh -G -F ${path} host-1: ProxyCommand is \`ssh gw nc -U /h/%h.sock\`, set by line 2 of ${path} (\`${recipe}\`), not tunnel-config's`,
    fix: `\`tunnel-config edit home --place-before --config ${path}\` moves the block of "home" above line 2, or \`tunnel-config edit home --adopt --config ${path}\` turns that seed-recipe section into the set`,
    exitCode: 2,
  });
});

test('a ProxyJump first: named, and only --place-before offered', () => {
  const verdict = judge('proxyjump bastion\n', `Host host-*\n  ProxyJump bastion\n${block}`);
  assert.equal(verdict.step.detail, `ssh -G -F ${path} host-1: ProxyJump is bastion, set by line 2 of ${path} (\`ProxyJump bastion\`), not tunnel-config's`);
  assert.equal(verdict.step.fix, `\`tunnel-config edit home --place-before --config ${path}\` moves the block of "home" above line 2`);
});

test('a host no set claims: no ProxyCommand, add it to a set', () => {
  const verdict = judge('', block, 'pi');
  assert.deepEqual([verdict.step.ok, verdict.step.exitCode], [false, 2]);
  assert.equal(verdict.step.detail, `ssh -G -F ${path} pi: no ProxyCommand, so ssh would connect to pi directly; no tunnel set in ${path} claims pi`);
  assert.match(verdict.step.fix ?? '', /^add it to a set: `tunnel-config edit SET --hosts … --config \/c\/config` or `tunnel-config add --hosts pi --config \/c\/config`$/);
});

test('a ProxyCommand from outside the file (Include, system config): said so', () => {
  const verdict = judge('proxycommand nc %h %p\n', block);
  assert.equal(verdict.step.detail, `ssh -G -F ${path} host-1: ProxyCommand is \`nc %h %p\`, set outside the file (an Include, or the system ssh_config), not tunnel-config's`);
  assert.match(verdict.step.fix ?? '', /^move the block of "home" \(lines 1-\d+\) before the setting that wins/);
});

test('without -F: the commands shown are ssh\'s own', () => {
  const verdict = judgeConfig({ host: 'pi', sshG: 'hostname pi\n', path: '/home/me/.ssh/config', text: '', named: false });
  assert.equal(verdict.step.detail, 'ssh -G pi: no ProxyCommand, so ssh would connect to pi directly; no tunnel set in /home/me/.ssh/config claims pi');
  assert.equal(verdict.step.fix, 'add it to a set: `tunnel-config edit SET --hosts …` or `tunnel-config add --hosts pi`');
});
