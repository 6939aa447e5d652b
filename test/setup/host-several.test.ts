import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderLaunchdPlist } from '../../src/setup/host/render-launchd.js';
import { renderSystemdUnit } from '../../src/setup/host/render-systemd.js';
import type { TunnelSpec } from '../../src/setup/host/spec.js';
import { FakeSystem, type FakeOptions } from './host-fake.js';
import { hostSetup, knownLine } from './host-run.js';

const KEY = '/home/pi/.ssh/tunnel';
const UNIT1 = '/etc/systemd/system/tunnel-config-host-1.service';
const UNIT2 = '/etc/systemd/system/tunnel-config-host-1-jump2.service';
const ONE_JUMP = ['--jump-host', 'jump1.example.com', '--identity', KEY, '--run-as', 'pi'];
const TWO_JUMPS = ['--jump-host', 'jump1.example.com', '--jump-host', 'jump2.example.com', '--identity', KEY, '--run-as', 'pi'];

/** Linux as root with systemd running, pi's key, and both jumps' host keys in pi's known_hosts. */
function linux(options: FakeOptions = {}): FakeSystem {
  return new FakeSystem({
    usableKeys: [KEY],
    ...options,
    files: {
      '/run/systemd/system': '',
      [KEY]: 'key',
      '/home/pi/.ssh/known_hosts': knownLine('jump1.example.com') + knownLine('jump2.example.com'),
      ...options.files,
    },
  });
}

const spec1: TunnelSpec = { name: 'host-1', jumpHost: 'jump1.example.com', jumpPort: 22, jumpUser: 'host', socketPath: '/home/host/host-1.sock', localPort: 22, identityFile: KEY, sshPath: '/usr/bin/ssh' };
const spec2: TunnelSpec = { ...spec1, jumpHost: 'jump2.example.com', jumpNumber: 2 };
const unit = (spec: TunnelSpec, scope: 'system' | 'user' = 'system'): string => renderSystemdUnit(spec, { scope, user: 'pi' });

describe('two jumps, --install with systemd', () => {
  test('as root: one unit per jump, written, one daemon-reload, each enabled on its own', async () => {
    const system = linux();
    const result = await hostSetup(system, [...TWO_JUMPS, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    assert.deepEqual(system.changes, [
      `write ${UNIT1}`,
      `write ${UNIT2}`,
      'run systemctl daemon-reload',
      'run systemctl enable --now tunnel-config-host-1.service',
      'run systemctl enable --now tunnel-config-host-1-jump2.service',
    ]);
    assert.equal(system.files.get(UNIT1), unit(spec1));
    assert.equal(system.files.get(UNIT2), unit(spec2));
    assert.match(system.files.get(UNIT2) ?? '', /^ExecStart=.* host@jump2\.example\.com$/m);
    assert.match(system.files.get(UNIT2) ?? '', /^Description=tunnel-config reverse tunnel: host-1 on jump2\.example\.com$/m);
    assert.equal(result.stdout, '');
    for (const line of [
      'status: systemctl status tunnel-config-host-1.service tunnel-config-host-1-jump2.service',
      'logs: journalctl -u tunnel-config-host-1.service -u tunnel-config-host-1-jump2.service -f',
      'the sshd of jump1.example.com needs StreamLocalBindUnlink yes for host, or a restarted tunnel cannot replace its old /home/host/host-1.sock',
      'the sshd of jump2.example.com needs StreamLocalBindUnlink yes for host, or a restarted tunnel cannot replace its old /home/host/host-1.sock',
    ]) {
      assert.ok(result.stderr.includes(line), `${line} in\n${result.stderr.join('\n')}`);
    }
  });

  test('adding a second jump later: the first unit is up to date and its tunnel is not restarted', async () => {
    const system = linux();
    assert.equal((await hostSetup(system, [...ONE_JUMP, '--install'])).code, 0);
    const before = system.files.get(UNIT1);
    system.events.length = 0;
    const result = await hostSetup(system, [...TWO_JUMPS, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    assert.equal(system.files.get(UNIT1), before, 'the first unit is byte for byte what one jump wrote');
    assert.deepEqual(system.changes, [
      `write ${UNIT2}`,
      'run systemctl daemon-reload',
      'run systemctl enable --now tunnel-config-host-1.service',
      'run systemctl enable --now tunnel-config-host-1-jump2.service',
    ]);
    assert.ok(result.stderr.includes(`${UNIT1} is up to date`));
  });

  test('a changed second unit is rewritten and only its tunnel restarted', async () => {
    const system = linux({ files: { [UNIT1]: unit(spec1), [UNIT2]: 'old unit\n' } });
    const result = await hostSetup(system, [...TWO_JUMPS, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    assert.deepEqual(system.changes, [
      `write ${UNIT2}`,
      'run systemctl daemon-reload',
      'run systemctl enable --now tunnel-config-host-1.service',
      'run systemctl enable --now tunnel-config-host-1-jump2.service',
      'run systemctl restart tunnel-config-host-1-jump2.service',
    ]);
  });

  test('as a user: both user units through systemctl --user', async () => {
    const system = linux({ uid: 1000, userName: 'pi' });
    const result = await hostSetup(system, [...TWO_JUMPS, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    const dir = '/home/pi/.config/systemd/user';
    assert.deepEqual(system.changes, [
      `write ${dir}/tunnel-config-host-1.service`,
      `write ${dir}/tunnel-config-host-1-jump2.service`,
      'run systemctl --user daemon-reload',
      'run systemctl --user enable --now tunnel-config-host-1.service',
      'run systemctl --user enable --now tunnel-config-host-1-jump2.service',
    ]);
    assert.equal(system.files.get(`${dir}/tunnel-config-host-1-jump2.service`), unit(spec2, 'user'));
    assert.ok(result.stderr.includes('they run while pi is logged in; to run them from boot: loginctl enable-linger pi (or install as root)'), result.stderr.join('\n'));
  });

  test('--dry-run: both units on stdout under their paths, every command, nothing changed', async () => {
    const system = linux();
    const result = await hostSetup(system, [...TWO_JUMPS, '--dry-run']);
    assert.equal(result.code, 0, result.error?.message);
    assert.deepEqual(system.changes, []);
    assert.equal(result.stdout, `==> ${UNIT1} <==\n${unit(spec1)}\n==> ${UNIT2} <==\n${unit(spec2)}`);
    for (const line of [
      `would write ${UNIT1} (shown above)`,
      `would write ${UNIT2} (shown above)`,
      'would run: systemctl daemon-reload',
      'would run: systemctl enable --now tunnel-config-host-1.service',
      'would run: systemctl enable --now tunnel-config-host-1-jump2.service',
      'dry run: nothing was written or run',
    ]) {
      assert.ok(result.stderr.includes(line), `${line} in\n${result.stderr.join('\n')}`);
    }
  });

  test('a failing enable names both files as written', async () => {
    const system = linux({ failing: { 'systemctl enable --now tunnel-config-host-1-jump2.service': 'Failed to enable unit\n' } });
    const result = await hostSetup(system, [...TWO_JUMPS, '--install']);
    assert.equal(result.code, 2);
    assert.match(result.error?.message ?? '', new RegExp(`; ${UNIT1} and ${UNIT2} are written, fix the cause`));
  });
});

describe('two jumps, --install with launchd', () => {
  const macKey = '/Users/alice/.ssh/tunnel';
  const system = (): FakeSystem =>
    new FakeSystem({
      platform: 'darwin',
      uid: 501,
      userName: 'alice',
      usableKeys: [macKey],
      files: { [macKey]: 'key', '/Users/alice/.ssh/known_hosts': knownLine('jump1.example.com') + knownLine('[jump2.example.com]:2222') },
    });

  test('one LaunchAgent per jump, each booted out, enabled and bootstrapped', async () => {
    const mac = system();
    const result = await hostSetup(mac, ['--jump-host', 'jump1.example.com', '--jump-host', 'jump2.example.com', '--jump-port', '22', '--jump-port', '2222', '--identity', macKey, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    const dir = '/Users/alice/Library/LaunchAgents';
    assert.deepEqual(mac.changes, [
      `write ${dir}/tunnel-config.host-1.plist`,
      `write ${dir}/tunnel-config.host-1-jump2.plist`,
      'run launchctl bootout gui/501/tunnel-config.host-1',
      'run launchctl enable gui/501/tunnel-config.host-1',
      `run launchctl bootstrap gui/501 ${dir}/tunnel-config.host-1.plist`,
      'run launchctl bootout gui/501/tunnel-config.host-1-jump2',
      'run launchctl enable gui/501/tunnel-config.host-1-jump2',
      `run launchctl bootstrap gui/501 ${dir}/tunnel-config.host-1-jump2.plist`,
    ]);
    const logPath = '/Users/alice/Library/Logs/tunnel-config-host-1-jump2.log';
    assert.equal(mac.files.get(`${dir}/tunnel-config.host-1-jump2.plist`), renderLaunchdPlist({ ...spec2, jumpPort: 2222, identityFile: macKey }, { logPath }));
    assert.ok(result.stderr.includes('status: launchctl print gui/501/tunnel-config.host-1-jump2'));
    assert.ok(result.stderr.includes(`logs: tail -f /Users/alice/Library/Logs/tunnel-config-host-1.log ${logPath}`));
  });
});

describe('two jumps, printed', () => {
  test('per-jump flags paired in order reach each jump\'s command line; host flags reach both', async () => {
    const system = linux({ usableKeys: [KEY, '/home/pi/.ssh/other'], files: { '/home/pi/.ssh/other': 'k', '/etc/tc/kh2': knownLine('[jump2.example.com]:2222') } });
    const result = await hostSetup(system, [
      '--format', 'command', '--run-as', 'pi', '--name', 'box', '--local-port', '2022', '--alive-interval', '20',
      '--jump-host', 'jump1.example.com', '--jump-host', 'jump2.example.com',
      '--jump-port', '22', '--jump-port', '2222',
      '--jump-user', 'host', '--jump-user', 'tunnel-box',
      '--identity', KEY, '--identity', '~/.ssh/other',
      '--socket-dir', '/home/host', '--socket-dir', '/sock',
      '--known-hosts', '~/.ssh/known_hosts', '--known-hosts', '/etc/tc/kh2',
    ]);
    assert.equal(result.code, 0, result.error?.message);
    const [line1, line2, rest] = result.stdout.split('\n');
    assert.equal(rest, '');
    assert.match(line1 ?? '', /-o ServerAliveInterval=20 .*-o UserKnownHostsFile=\/home\/pi\/\.ssh\/known_hosts -o IdentitiesOnly=yes -i \/home\/pi\/\.ssh\/tunnel -R \/home\/host\/box\.sock:localhost:2022 host@jump1\.example\.com$/);
    assert.match(line2 ?? '', /-o ServerAliveInterval=20 .*-o UserKnownHostsFile=\/etc\/tc\/kh2 -o IdentitiesOnly=yes -i \/home\/pi\/\.ssh\/other -p 2222 -R \/sock\/box\.sock:localhost:2022 tunnel-box@jump2\.example\.com$/);
    assert.doesNotMatch(line1 ?? '', / -p /);
    assert.deepEqual(result.stderr.slice(0, 1), ['one line per jump: line 1 keeps the tunnel to jump1.example.com, line 2 keeps the tunnel to jump2.example.com']);
  });
});

describe('two jumps: refused before anything is printed or written', () => {
  for (const [label, argv, code, message] of [
    ['2 --jump-host and 3 --socket-dir', [...TWO_JUMPS, '--socket-dir', '/a', '--socket-dir', '/b', '--socket-dir', '/c'], 2, /^host-setup got 2 --jump-host and 3 --socket-dir: give one --socket-dir for every jump, or one per --jump-host in the same order$/],
    ['3 --jump-host and 2 --jump-port', [...TWO_JUMPS, '--jump-host', 'jump3.example.com', '--jump-port', '22', '--jump-port', '23'], 2, /^host-setup got 3 --jump-host and 2 --jump-port: /],
    ['the same jump twice', [...ONE_JUMP, '--jump-host', 'JUMP1.example.com'], 2, /^--jump-host JUMP1\.example\.com is given twice \(both on port 22\): name each jump once$/],
    ['the same jump twice, port given once for both', [...ONE_JUMP, '--jump-host', 'jump1.example.com', '--jump-port', '2222'], 2, /is given twice \(both on port 2222\)/],
    ['the second jump\'s host key unknown', [...TWO_JUMPS.slice(0, 2), '--jump-host', 'jump3.example.com', ...TWO_JUMPS.slice(4)], 4, /the jump's host key is not known as jump3\.example\.com /],
    ['the second jump\'s key has a passphrase', [...TWO_JUMPS.slice(0, 4), '--identity', KEY, '--identity', '/home/pi/.ssh/locked', '--run-as', 'pi'], 2, /the key \/home\/pi\/\.ssh\/locked is protected by a passphrase/],
    ['the second jump\'s socket path over the limit', [...TWO_JUMPS, '--socket-dir', '/home/host', '--socket-dir', `/${'d'.repeat(100)}`], 2, /over the 107-byte UNIX socket limit/],
    ['a bad second --jump-host', [...ONE_JUMP, '--jump-host', 'jump;rm'], 2, /^--jump-host "jump;rm"/],
    ['two jumps --install --format command', [...TWO_JUMPS, '--install', '--format', 'command'], 2, /--format command is only printed/],
  ] as const) {
    test(`${label}: exit ${code}`, async () => {
      const system = linux({ files: { '/home/pi/.ssh/locked': 'k' }, passphraseKeys: ['/home/pi/.ssh/locked'] });
      const result = await hostSetup(system, [...argv, '--install']);
      assert.equal(result.code, code, result.error?.message ?? result.stdout);
      assert.match(result.error?.message ?? '', message);
      assert.equal(result.stdout, '');
      assert.deepEqual(result.stderr, []);
      assert.deepEqual(system.changes, []);
    });
  }

  test('a unit that cannot be installed (another user, no root) refuses both', async () => {
    const system = linux({ uid: 1001, userName: 'bob' });
    system.homes.set('bob', '/home/bob');
    const result = await hostSetup(system, [...TWO_JUMPS, '--install']);
    assert.match(result.error?.message ?? '', /runs as pi needs root/);
    assert.deepEqual(system.changes, []);
  });
});
