import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { readmeInstallCommand } from '../support/install.js';
import { repoRoot, tunnelConfigBin } from '../world.js';

/** `npm run demo` without the build: the compiled script, stdout and stderr as a person sees them, interleaved. */
function runDemo(): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR']) delete env[name];
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'scripts', 'demo.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, output }))));
}

test('npm run demo: runs tunnel-config add on an ssh_config for its world, ssh host-1 through what it wrote, hosts --probe and doctor, and ends with what to type next', { timeout: 120_000 }, async () => {
  const { code, output } = await runDemo();
  assert.equal(code, 0, output);
  const add = output.indexOf('$ tunnel-config add --name demo --jump-alias jump --socket-dir ');
  assert.ok(add > 0, output);
  const written = output.slice(add);
  assert.match(written, /^\+# >>> tunnel-config demo >>>$/m);
  assert.match(written, /^\+Host host-\*$/m);
  assert.ok(written.includes(`\n+  ProxyCommand ${process.execPath} ${tunnelConfigBin} proxy --jump jump --socket-dir `), written);
  assert.match(written, /^wrote \S+ssh_config\.user /m);
  assert.match(written, /^hello from .*, reached through tunnel-config$/m);
  // The fleet tools on a second host whose sshd is down: hosts --probe shows it silent, doctor says why.
  assert.match(written, /^host-1 +demo +live +SSH-2\.0-OpenSSH\S* .*\d+ ms$/m);
  assert.match(written, /^host-2 +demo +silent +\d+ ms$/m);
  assert.match(written, /^✖ socket: host-2's tunnel is up on jump, but nothing answered behind it/m);
  assert.match(written, /^host-2 cannot be reached this way \(status 10\)$/m);
  const next = ['', 'Next, on the machine you ssh from: install tunnel-config, then answer its questions about your jumphost and hosts:', `  ${readmeInstallCommand(repoRoot)}`, '  tunnel-config add', ''].join('\n');
  assert.ok(output.endsWith(next), `the demo ends with:\n${next}\ngot:\n${output.slice(-400)}`);
});
