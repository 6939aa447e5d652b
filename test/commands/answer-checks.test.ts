import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { closestAliases, configNames, hostAliases, identityProblem } from '../../src/commands/answer-checks.js';
import { assertOneErrorLine, runCli, snapshotTree, tempDir, USER_CONFIG } from './harness.js';

const temp = tempDir();
after(temp.remove);
const home = join(temp.dir, 'home');
const config = join(home, 'config');
mkdirSync(join(home, '.ssh'), { recursive: true });
writeFileSync(config, USER_CONFIG, { mode: 0o600 });
const privateKey = join(home, '.ssh', 'id_ed25519');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', privateKey]);
const base = ['add', '--yes', '--config', config, '--name', 'home', '--hosts', 'pi'];

describe('identityProblem', () => {
  test('a private key is fine', async () => assert.equal(await identityProblem(privateKey, { HOME: home }), undefined));
  test('~ is the HOME', async () => assert.equal(await identityProblem('~/.ssh/id_ed25519', { HOME: home }), undefined));
  test('a missing file', async () => assert.match((await identityProblem(join(home, 'nope'), { HOME: home })) ?? '', /does not exist: give the private key/));
  test('the .pub half', async () => assert.match((await identityProblem(`${privateKey}.pub`, { HOME: home })) ?? '', /is a public key: give its private half \(.*id_ed25519\)/));
  test('a public key under another name', async () => {
    const copy = join(home, 'mykey');
    writeFileSync(copy, execFileSync('cat', [`${privateKey}.pub`]));
    assert.match((await identityProblem(copy, { HOME: home })) ?? '', /is a public key/);
  });
});

describe('aliases', () => {
  const text = 'Host myjump other\n  HostName x\nHost *.lan !bad.lan\nHost *\n';
  test('names, not patterns', () => assert.deepEqual(hostAliases(text), ['myjump', 'other']));
  test('a pattern that matches names the alias; Host * alone does not', () => {
    assert.equal(configNames(text, 'box.lan'), true);
    assert.equal(configNames(text, 'bad.lan'), false);
    assert.equal(configNames(text, 'myjmup'), false);
  });
  test('close names for a typo', () => assert.deepEqual(closestAliases('myjmup', ['myjump', 'other', 'myserver']), ['myjump']));
});

describe('answers checked before anything is written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an IdentityFile that does not exist', ['--jump-host', 'j.example.com', '--identity', join(home, 'missing')], /^tunnel-config: --identity \S+missing does not exist: give the private key/],
    ['the public key given for the private one', ['--jump-host', 'j.example.com', '--identity', `${privateKey}.pub`], /^tunnel-config: --identity \S+\.pub is a public key: give its private half/],
    ['a jump alias the config does not have, with the close one named', ['--jump-alias', 'myjmup'], /^tunnel-config: --jump-alias myjmup: \S+ has no Host myjmup, so ssh would look it up in DNS; did you mean myjump\?\n$/],
    ['a socket directory too long for any host name', ['--jump-host', 'j.example.com', '--socket-dir', `/${'d'.repeat(100)}`], /^tunnel-config: --socket-dir \/d+ leaves room for host names of at most \d characters/],
  ];
  for (const [name, flags, message] of cases) {
    test(`${name}: exit 2, one line, nothing touched`, async () => {
      const before = snapshotTree(home);
      const run = await runCli([...base, ...flags], { home });
      assert.equal(run.code, 2, run.stderr);
      assertOneErrorLine(run, message);
      assert.deepEqual(snapshotTree(home), before);
    });
  }

  test('a trailing / on the socket directory is dropped', async () => {
    const run = await runCli([...base, '--jump-alias', 'myjump', '--socket-dir', '/home/host/', '--dry-run'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /--socket-dir \/home\/host /);
  });
});
