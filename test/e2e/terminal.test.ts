import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { shellQuote } from '../support/quote.js';
import { createWorld, tunnelConfigBin, type World } from '../world.js';
import { proxyArgs, writeProxyConfig } from './harness.js';

let world: World;

before(async () => {
  world = await createWorld();
  await world.connectHost('host-1');
});
after(() => world?.close());

interface TerminalRun {
  code: number | null;
  /** What the proxy showed on its terminal (/dev/tty). */
  screen: string;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the proxy under a real pseudo-terminal (util-linux `script`), with stdin from /dev/null and
 * stdout/stderr to files, so the only way it can talk to the user is /dev/tty. `answers` are typed
 * when their prompt appears on the screen.
 */
function runOnTerminal(args: string[], answers: Array<[RegExp, string]>): Promise<TerminalRun> {
  const out = join(world.dir, 'tty-stdout');
  const err = join(world.dir, 'tty-stderr');
  writeFileSync(out, '');
  writeFileSync(err, '');
  const command = [process.execPath, tunnelConfigBin, 'proxy', ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', `${command} </dev/null >${shellQuote(out)} 2>${shellQuote(err)}`, '/dev/null'], {
    env: world.env(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  const pending = [...answers];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    screen += chunk;
    const next = pending[0];
    if (next && next[0].test(screen)) {
      pending.shift();
      child.stdin.write(next[1]);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen, stdout: readFileSync(out), stderr: readFileSync(err, 'utf8') });
    });
  });
}

test('a passphrase-protected key is unlocked with a passphrase typed on the terminal, never on stdin/stdout', async () => {
  const config = writeProxyConfig(world, 'ssh_config_tty_key', { identityFile: world.keys.passphrase.path, jump: ['BatchMode no'] });
  const run = await runOnTerminal(proxyArgs(world, config, 'host-1'), [[/Enter passphrase for key '[^']+': $/, `${world.keys.passphrase.passphrase}\r`]]);
  assert.equal(run.code, 0, `${run.stderr}\n${run.screen}`);
  assert.match(run.stdout.toString('latin1'), /^SSH-2\.0-OpenSSH/);
  assert.match(run.screen, new RegExp(`Enter passphrase for key '${world.keys.passphrase.path}'`));
  assert.ok(!run.screen.includes(world.keys.passphrase.passphrase), 'the passphrase was echoed');
});

test('three wrong passphrases: exit 5 saying the passphrase was wrong', async () => {
  const config = writeProxyConfig(world, 'ssh_config_tty_wrong', { identityFile: world.keys.passphrase.path, jump: ['BatchMode no'] });
  const wrong: [RegExp, string] = [/Enter passphrase for key '[^']+': $/, 'not-it\r'];
  const run = await runOnTerminal(proxyArgs(world, config, 'host-1'), [wrong, wrong, wrong]);
  assert.equal(run.code, 5, run.stderr);
  assert.equal(run.stdout.length, 0);
  assert.match(run.stderr, /^tunnel-config: authentication to jump as \S+ failed: \S+ is passphrase-protected and the passphrase given was wrong: add it to your agent with `ssh-add \S+`\n$/);
  assert.equal(run.screen.match(/Enter passphrase/g)?.length, 3);
});

test('an unknown jump key under StrictHostKeyChecking ask: "yes" on the terminal records it, "no" refuses', async () => {
  const knownHosts = join(world.dir, 'known_hosts_ask');
  writeFileSync(knownHosts, '');
  const config = writeProxyConfig(world, 'ssh_config_tty_ask', {
    jump: ['StrictHostKeyChecking ask', 'BatchMode no', `UserKnownHostsFile ${knownHosts}`],
  });
  const refused = await runOnTerminal(proxyArgs(world, config, 'host-1'), [[/\(yes\/no\/\[fingerprint\]\)\? $/, 'no\r']]);
  assert.equal(refused.code, 4, refused.stderr);
  assert.equal(refused.stdout.length, 0);
  assert.match(refused.screen, /The authenticity of host '\[127\.0\.0\.1\]:\d+' can't be established\./);
  assert.equal(readFileSync(knownHosts, 'utf8'), '');

  const accepted = await runOnTerminal(proxyArgs(world, config, 'host-1'), [[/\(yes\/no\/\[fingerprint\]\)\? $/, 'yes\r']]);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout.toString('latin1'), /^SSH-2\.0-OpenSSH/);
  assert.match(accepted.stderr, /^Warning: Permanently added '\[127\.0\.0\.1\]:\d+' \(ED25519\) to the list of known hosts/m);
  assert.match(readFileSync(knownHosts, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${world.jumpPort} ssh-ed25519 `));

  // now known: no question asked
  const again = await runOnTerminal(proxyArgs(world, config, 'host-1'), []);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.screen, /authenticity/);
});
