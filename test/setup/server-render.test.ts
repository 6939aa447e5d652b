import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseServerSetupArgs, runServerSetup, serverSetupCommand, setupFailedExit } from '../../src/commands/server-setup.js';
import { TunnelError } from '../../src/errors.js';
import { clientShortfalls, missingSettings } from '../../src/setup/server/check-sshd.js';
import { parsePublicKey } from '../../src/setup/server/keys.js';
import { defaultLayout } from '../../src/setup/server/layout.js';
import { buildServerPlan } from '../../src/setup/server/plan.js';
import { renderSetupScript, shellWord } from '../../src/setup/server/render-script.js';
import { expectedSettings, renderSshdDropIn } from '../../src/setup/server/render-sshd.js';
import { systemRunner, type CommandResult, type SetupRunner } from '../../src/setup/server/runner.js';
import { makeKey } from '../support/keys.js';
import { renderSshdConfig, sshdPath } from '../support/sshd.js';
import { tunnelConfigBin } from '../world.js';
import { captureIo, fixtureDir, golden, goldenCases, printed, withFixturePaths } from './server/golden.js';

const scratch = mkdtempSync(join(tmpdir(), 'tc-server-render-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const planFor = (mode: 'per-host' | 'shared', hosts = ['host-1', 'host-2']) =>
  buildServerPlan({ mode, socketDir: '/home/host', hosts, clientUsers: ['alice'], keys: {}, layout: defaultLayout });

describe('golden files: the printed script and its drop-in', () => {
  for (const { name, argv } of goldenCases) {
    test(`${name}: server-setup ${argv.join(' ')}`, async () => {
      const script = await printed(argv);
      assert.equal(script, golden(`${name}.sh`, script));
      const start = `cat > "$new_drop_in" <<'EOF'\n`;
      const dropIn = script.slice(script.indexOf(start) + start.length, script.indexOf('\nEOF\nchmod 0644 -- "$new_drop_in"') + 1);
      assert.match(dropIn, /^# \/etc\/ssh\/sshd_config\.d\/tunnel-config\.conf\n/);
      assert.equal(dropIn, golden(`${name}.conf`, dropIn));
    });
  }

  test('each script is valid bash (bash -n) and runs as root only', () => {
    for (const { name } of goldenCases) {
      const file = join(fixtureDir, `${name}.sh`);
      const check = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      assert.equal(check.status, 0, `${name}.sh: ${check.stderr}`);
    }
  });

  test('the binary prints the same script (once src/cli.ts registers server-setup)', async (t) => {
    const result = spawnSync(process.execPath, [tunnelConfigBin, 'server-setup', '--mode', 'shared'], { encoding: 'utf8', timeout: 20_000 });
    if (/unknown command "server-setup"/.test(result.stderr)) {
      t.todo('src/cli.ts does not register server-setup yet');
      return;
    }
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0);
    assert.equal(result.stdout, golden('shared-bare.sh', result.stdout));
  });

  test('--print is the default, and the same text as --print', async () => {
    const argv = goldenCases[0]?.argv ?? [];
    assert.equal(await printed(argv), await printed([...argv, '--print']));
  });
});

describe('the drop-in passes sshd -t in a full configuration, and changes nothing for other accounts', () => {
  for (const mode of ['per-host', 'shared'] as const) {
    test(mode, async () => {
      const dir = mkdtempSync(join(scratch, `${mode}-`));
      const hostKey = await makeKey(dir, 'host_key', 'ed25519');
      const dropIn = join(dir, 'tunnel-config.conf');
      writeFileSync(dropIn, renderSshdDropIn(planFor(mode)));
      const base = { port: 22, hostKeys: [hostKey.path], authorizedKeysFile: '.ssh/authorized_keys' };
      const withDropIn = join(dir, 'sshd_config');
      const without = join(dir, 'sshd_config_without');
      // Debian's layout: the drop-ins are included on the first line
      writeFileSync(withDropIn, renderSshdConfig({ ...base, extraConfig: `Include ${dropIn}` }));
      writeFileSync(without, renderSshdConfig(base));
      const checked = spawnSync(sshdPath, ['-t', '-f', withDropIn], { encoding: 'utf8' });
      assert.equal(checked.status, 0, checked.stderr);
      const settingsOf = (config: string): string => {
        const result = spawnSync(sshdPath, ['-T', '-f', config, '-C', 'user=nobody,host=localhost,addr=127.0.0.1'], { encoding: 'utf8' });
        assert.equal(result.status, 0, result.stderr);
        return result.stdout;
      };
      assert.equal(settingsOf(withDropIn), settingsOf(without));
    });
  }
});

describe('bad options: one line naming the flag, exit 2', () => {
  const keyFile = join(fixtureDir, 'host-1.pub');
  const privateKey = join(scratch, 'private');
  writeFileSync(privateKey, '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
  const cases: Array<[argv: string[], message: RegExp]> = [
    [['--mode', 'x', '--hosts', 'a'], /^--mode "x": use per-host or shared/],
    [[], /^per-host mode needs the hidden hosts: --hosts NAME/],
    [['--hosts', 'Host_1'], /^--hosts "Host_1": per-host mode names an account tunnel-NAME after each host, so NAME must be 1 to 25 lowercase/],
    [['--hosts', 'a'.repeat(26)], /1 to 25 lowercase letters/],
    [['--mode', 'shared', '--hosts', 'a..b'], /^--hosts "a\.\.b": a host name may not contain "\.\."/],
    [['--hosts', 'a,a'], /^--hosts "a" is listed twice/],
    [['--hosts', 'a', '--socket-dir', 'rel'], /^--socket-dir "rel": it .*absolute/],
    [['--hosts', 'a', '--socket-dir', '/'], /^--socket-dir "\/": it may not be \//],
    [['--hosts', 'a', '--socket-dir', '/srv/tunnel-config/hosts/x'], /overlaps \/srv\/tunnel-config\/hosts/],
    [['--hosts', 'a', '--socket-dir', '/etc'], /^--socket-dir \/etc overlaps \/etc\/ssh\//],
    [['--mode', 'shared', '--hosts', 'a', '--socket-dir', `/${'d'.repeat(100)}`], /over the 107-byte UNIX socket limit/],
    [['--hosts', 'a', '--client-user=-x'], /^--client-user "-x": a user name must be/],
    [['--hosts', 'a', '--client-user', 'root'], /root reaches every socket already/],
    [['--hosts', 'a', '--client-user', 'tunnel-a'], /tunnel-a is a tunnel account/],
    [['--mode', 'shared', '--client-user', 'host'], /host is a tunnel account/],
    [['--hosts', 'a', '--key', `b=${keyFile}`], /^--key "b"=\.\.\.: "b" is not one of --hosts/],
    [['--hosts', 'a', '--key', 'a'], /^--key "a": give NAME=PUBKEYFILE/],
    [['--hosts', 'a', '--key', `a=${keyFile}`, '--key', `a=${keyFile}`], /^--key "a" is given twice/],
    [['--hosts', 'a', '--key', 'a=/nonexistent/key.pub'], /^--key a=\/nonexistent\/key\.pub: cannot read it \(ENOENT\)/],
    [['--hosts', 'a', '--key', `a=${privateKey}`], /line 1 starts with "-----BEGIN", not a key type/],
    [['--hosts', 'a', '--print', '--apply'], /--print and --apply exclude each other/],
    [['--hosts', 'a', 'extra'], /Unexpected argument 'extra'/],
    [['--hosts', 'a', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [argv, message] of cases) {
    test(argv.join(' ') || '(no options)', async () => {
      const { io, out } = captureIo();
      await assert.rejects(serverSetupCommand(argv, io), (error: unknown) => {
        assert.ok(error instanceof TunnelError, String(error));
        assert.equal(error.exitCode, 2);
        assert.match(error.message, message);
        assert.match(error.message, /^[^\n]*$/, 'one line');
        return true;
      });
      assert.equal(out.stdout, '');
    });
  }

  test('--help prints the usage on stdout', async () => {
    const { io, out } = captureIo();
    assert.equal(await serverSetupCommand(['--help'], io), 0);
    assert.match(out.stdout, /^Usage: tunnel-config server-setup /);
  });
});

describe('public keys from --key files', () => {
  const ed25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIRYI8M0x+botbZL4cu8aVrN+VaLEv//VV1FoLY6i7mx';
  const cases: Array<[text: string, expected: string | RegExp]> = [
    [`${ed25519} root@host-1\n`, ed25519],
    [`${ed25519}\r\n`, ed25519],
    [`${ed25519}`, ed25519],
    [`restrict ${ed25519}\n`, /line 1 has options before the key type: give the plain \.pub line/],
    [`no-pty,command="x" ${ed25519}`, /has options before the key type/],
    ['ssh-dss AAAAB3NzaC1kc3MAAACBAP\n', /line 1 starts with "ssh-dss", not a key type such as ssh-ed25519/],
    ['ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIIRYI8M0x+botbZL4cu8aVrN+VaLEv//VV1FoLY6i7mx\n', /line 1 holds a key that is not ssh-rsa/],
    ['ssh-ed25519 not-base64!\n', /line 1 has no base64 key after the key type/],
    ['\n# only a comment\n', /no public key on its first line/],
    ['', /no public key on its first line/],
    [`# a comment\n${ed25519}\n`, /line 1 starts with "#", not a key type/],
    [`${ed25519}\n${ed25519} again\n`, /has 2 lines; a \.pub file is one key line/],
    [`${ed25519}\n\nrestrict,command="sh" ${ed25519}\n`, /has 3 lines/],
  ];
  for (const [text, expected] of cases) {
    test(JSON.stringify(text.slice(0, 40)), () => {
      if (typeof expected === 'string') assert.equal(parsePublicKey(text, 'host-1', 'k.pub'), expected);
      else assert.throws(() => parsePublicKey(text, 'host-1', 'k.pub'), (error: unknown) => error instanceof TunnelError && expected.test(error.message) && error.message.startsWith('--key host-1=k.pub: '));
    });
  }

  test('the fixture keys parse', () => {
    for (const host of ['host-1', 'host-2']) assert.match(parsePublicKey(readFileSync(join(fixtureDir, `${host}.pub`), 'utf8'), host, 'f'), /^ssh-ed25519 AAAA\S+$/);
  });
});

describe('pure pieces', () => {
  test('shellWord quotes what bash would split or expand', () => {
    assert.equal(shellWord('/srv/tunnel-config/hosts'), '/srv/tunnel-config/hosts');
    assert.equal(shellWord('chrootdirectory /srv/x/%u'), "'chrootdirectory /srv/x/%u'");
    assert.equal(shellWord("it's"), "'it'\\''s'");
    assert.equal(shellWord('$HOME'), "'$HOME'");
  });

  test('expectedSettings are the Match block, as sshd -T prints it, plus disableforwarding no', () => {
    const plan = planFor('per-host');
    const dropIn = renderSshdDropIn(plan);
    const lines = expectedSettings(plan);
    assert.equal(lines.at(-1), 'disableforwarding no');
    for (const line of lines.slice(0, -1)) {
      const [keyword = '', value = ''] = line.split(' ');
      assert.match(dropIn, new RegExp(`^  ${keyword} ${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'im'));
    }
    assert.ok(lines.includes('chrootdirectory /srv/tunnel-config/hosts/%u'));
    assert.ok(!expectedSettings(planFor('shared', [])).some((line) => line.startsWith('chrootdirectory')));
  });

  test('missingSettings and clientShortfalls read sshd -T output', () => {
    assert.deepEqual(missingSettings(['a 1', 'b 2', 'c 3'], 'a 1\nb 3\nc 3\n'), ['b 2']);
    const fine = 'allowstreamlocalforwarding yes\nallowtcpforwarding yes\npermitopen any\ndisableforwarding no\n';
    assert.deepEqual(clientShortfalls(fine), []);
    assert.deepEqual(clientShortfalls(fine.replace('permitopen any', 'permitopen 127.0.0.1:22 *:*')), []);
    assert.deepEqual(clientShortfalls(fine.replace('allowtcpforwarding yes', 'allowtcpforwarding remote').replace('permitopen any', 'permitopen none')), [
      'AllowTcpForwarding yes or local (no or remote also refuse stream-local channels)',
      'PermitOpen any (any other PermitOpen list but one with *:* refuses stream-local channels)',
    ]);
  });

  test('plan: per-host parents come before the directories they hold', () => {
    const plan = planFor('per-host');
    assert.deepEqual(plan.parents, ['/etc', '/home', '/srv', '/etc/ssh', '/srv/tunnel-config', '/etc/ssh/sshd_config.d', '/etc/ssh/tunnel-config']);
    assert.deepEqual(
      plan.dirs.map((dir) => `${dir.path} ${dir.owner}:${dir.group} ${dir.mode.toString(8)}`),
      [
        '/srv/tunnel-config/hosts root:root 755',
        '/srv/tunnel-config/hosts/tunnel-host-1 root:root 755',
        '/srv/tunnel-config/hosts/tunnel-host-1/sock tunnel-host-1:tunnel-clients 2710',
        '/srv/tunnel-config/hosts/tunnel-host-2 root:root 755',
        '/srv/tunnel-config/hosts/tunnel-host-2/sock tunnel-host-2:tunnel-clients 2710',
        '/etc/ssh/tunnel-config/authorized_keys root:root 755',
        '/home/host root:tunnel-clients 750',
      ],
    );
    assert.deepEqual(plan.links, [
      { path: '/home/host/host-1.sock', target: '/srv/tunnel-config/hosts/tunnel-host-1/sock/host-1.sock' },
      { path: '/home/host/host-2.sock', target: '/srv/tunnel-config/hosts/tunnel-host-2/sock/host-2.sock' },
    ]);
  });
});

/** A runner that records what it is asked and answers as told; for what a real run cannot show safely. */
function fakeRunner(options: { root: boolean; exit?: number; output?: string }): SetupRunner & { scripts: string[] } {
  const scripts: string[] = [];
  return {
    scripts,
    isRoot: () => options.root,
    async run(command, args, runOptions): Promise<CommandResult> {
      // the checks before the script (ssh-keygen, getent) are real; only the script is recorded
      if (command !== 'bash') return systemRunner.run(command, args, runOptions);
      scripts.push(readFileSync(args[0] ?? '', 'utf8'));
      runOptions?.onOutput?.(options.output ?? '');
      return { code: options.exit ?? 0, signal: null, stdout: options.output ?? '', stderr: '', timedOut: false };
    },
    stat: async () => undefined,
    readFile: async () => undefined,
    readLink: async () => undefined,
    readDir: async () => undefined,
    realPath: async (path) => path,
    async withTempDir(body) {
      const dir = mkdtempSync(join(scratch, 'run-'));
      return body(dir, async (name, text) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      });
    },
  };
}

describe('--apply (with a recording runner)', () => {
  const argv = withFixturePaths(goldenCases[0]?.argv ?? []);
  const deps = (runner: SetupRunner) => ({ runner, layout: defaultLayout, readKeyFile: async (path: string) => readFileSync(path, 'utf8') });

  test('refuses without root, before running anything', async () => {
    const runner = fakeRunner({ root: false });
    const { io } = captureIo();
    await assert.rejects(runServerSetup(parseServerSetupArgs([...argv, '--apply']), io, deps(runner)), /^TunnelError: server-setup --apply must run as root/);
    assert.deepEqual(runner.scripts, []);
  });

  test('runs exactly the printed script, passes its output on as lines, then prints the next steps', async () => {
    const runner = fakeRunner({ root: true, output: 'one\ntwo\nserver-setup: done (per-host mode)\n' });
    const { io, out } = captureIo();
    assert.equal(await runServerSetup(parseServerSetupArgs([...argv, '--apply']), io, deps(runner)), 0);
    assert.deepEqual(runner.scripts, [await printed(goldenCases[0]?.argv ?? [])]);
    assert.equal(out.stdout, '', 'nothing on stdout: --apply prints no script');
    assert.deepEqual(out.stderr.slice(0, 3), ['one', 'two', 'server-setup: done (per-host mode)']);
    assert.match(out.stderr[3] ?? '', /^Next steps\n/);
  });

  test('a failing script is exit 9 with one line saying what to do', async () => {
    const runner = fakeRunner({ root: true, exit: 1, output: 'server-setup: run this as root\n' });
    const { io, out } = captureIo();
    await assert.rejects(runServerSetup(parseServerSetupArgs([...argv, '--apply']), io, deps(runner)), (error: unknown) => {
      assert.ok(error instanceof TunnelError);
      assert.equal(error.exitCode, setupFailedExit);
      assert.match(error.message, /^the setup script failed \(exit 1\); the steps before the failing one are done/);
      return true;
    });
    assert.deepEqual(out.stderr, ['server-setup: run this as root']);
  });

  test('the default layout never reaches into the test: the drop-in lives in /etc/ssh/sshd_config.d', () => {
    const script = renderSetupScript(planFor('per-host'), renderSshdDropIn(planFor('per-host')));
    assert.match(script, /^drop_in=\/etc\/ssh\/sshd_config\.d\/tunnel-config\.conf$/m);
    assert.match(script, /^reload_sshd$/m);
  });
});
