import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatKnownHostsLine } from '../../src/ssh/knownhosts.js';
import { renderLaunchdPlist } from '../../src/setup/host/render-launchd.js';
import { renderSystemdUnit } from '../../src/setup/host/render-systemd.js';
import type { TunnelSpec } from '../../src/setup/host/spec.js';
import { FakeSystem, type FakeOptions } from './host-fake.js';
import { hostSetup, JUMP_KEY as jumpKey, knownLine } from './host-run.js';

const KEY = '/home/pi/.ssh/tunnel';
const UNIT = '/etc/systemd/system/tunnel-config-host-1.service';
const BASE_ARGS = ['--jump-host', 'jump.example.com', '--identity', KEY, '--run-as', 'pi'];
/** BASE_ARGS with another --identity (given twice for one jump, it would be refused). */
const withIdentity = (key: string): string[] => ['--jump-host', 'jump.example.com', '--identity', key, '--run-as', 'pi'];

/** A Linux machine, as root, with systemd running, pi's tunnel key and the jump's host key in pi's known_hosts. */
function linux(options: FakeOptions = {}): FakeSystem {
  return new FakeSystem({
    usableKeys: [KEY],
    ...options,
    files: { '/run/systemd/system': '', [KEY]: 'key', '/home/pi/.ssh/known_hosts': knownLine('jump.example.com'), ...options.files },
  });
}

const spec: TunnelSpec = {
  name: 'host-1',
  jumpHost: 'jump.example.com',
  jumpPort: 22,
  jumpUser: 'host',
  socketPath: '/home/host/host-1.sock',
  localPort: 22,
  identityFile: KEY,
  sshPath: '/usr/bin/ssh',
};

describe('--install with systemd', () => {
  test('as root: writes the system unit, then daemon-reload, then enable --now', async () => {
    const system = linux();
    const result = await hostSetup(system, [...BASE_ARGS, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    assert.deepEqual(system.changes, [`write ${UNIT}`, 'run systemctl daemon-reload', 'run systemctl enable --now tunnel-config-host-1.service']);
    assert.equal(system.files.get(UNIT), renderSystemdUnit(spec, { scope: 'system', user: 'pi' }));
    assert.match(system.files.get(UNIT) ?? '', /^User=pi$/m);
    assert.equal(result.stdout, '');
    assert.ok(result.stderr.includes('status: systemctl status tunnel-config-host-1.service'), result.stderr.join('\n'));
    assert.ok(result.stderr.includes('logs: journalctl -u tunnel-config-host-1.service -f'), result.stderr.join('\n'));
  });

  test('without systemd running: says so and writes nothing', async () => {
    const system = linux();
    system.files.delete('/run/systemd/system');
    const result = await hostSetup(system, [...BASE_ARGS, '--install']);
    assert.equal(result.code, 2);
    assert.match(result.error?.message ?? '', /systemd is not running on this machine \(\/run\/systemd\/system does not exist\), so nothing was written/);
    assert.deepEqual(system.changes, []);
    assert.equal(system.files.has(UNIT), false);
  });

  test('as a user: a user unit in ~/.config/systemd/user, through systemctl --user', async () => {
    const system = linux({ uid: 1000, userName: 'pi' });
    const result = await hostSetup(system, ['--jump-host', 'jump.example.com', '--identity', KEY, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    const path = '/home/pi/.config/systemd/user/tunnel-config-host-1.service';
    assert.deepEqual(system.changes, [`write ${path}`, 'run systemctl --user daemon-reload', 'run systemctl --user enable --now tunnel-config-host-1.service']);
    assert.equal(system.files.get(path), renderSystemdUnit(spec, { scope: 'user', user: 'pi' }));
    assert.ok(result.stderr.some((line) => line.includes('loginctl enable-linger pi')), result.stderr.join('\n'));
    assert.ok(result.stderr.includes('logs: journalctl --user -u tunnel-config-host-1.service -f'));
  });

  test('as a user, for another user: refused, nothing written', async () => {
    const system = linux({ uid: 1001, userName: 'bob' });
    system.homes.set('bob', '/home/bob');
    const result = await hostSetup(system, [...BASE_ARGS, '--install']);
    assert.equal(result.code, 2);
    assert.match(result.error?.message ?? '', /runs as pi needs root/);
    assert.deepEqual(system.changes, []);
  });

  test('the same unit again: not rewritten, still enabled', async () => {
    const system = linux({ files: { [UNIT]: renderSystemdUnit(spec, { scope: 'system', user: 'pi' }) } });
    const result = await hostSetup(system, [...BASE_ARGS, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    assert.deepEqual(system.changes, ['run systemctl daemon-reload', 'run systemctl enable --now tunnel-config-host-1.service']);
    assert.ok(result.stderr.includes(`${UNIT} is up to date`));
  });

  test('a changed unit: rewritten and the running tunnel restarted with it', async () => {
    const system = linux({ files: { [UNIT]: 'old unit\n' } });
    const result = await hostSetup(system, [...BASE_ARGS, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    assert.deepEqual(system.changes, [
      `write ${UNIT}`,
      'run systemctl daemon-reload',
      'run systemctl enable --now tunnel-config-host-1.service',
      'run systemctl restart tunnel-config-host-1.service',
    ]);
  });

  test('a failing systemctl stops there, with its message', async () => {
    const system = linux({ failing: { 'systemctl daemon-reload': 'Failed to connect to bus: No such file or directory\n' } });
    const result = await hostSetup(system, [...BASE_ARGS, '--install']);
    assert.equal(result.code, 2);
    assert.match(result.error?.message ?? '', /^systemctl daemon-reload failed \(exit 1\): Failed to connect to bus: No such file or directory; \/etc\/systemd\/system\/tunnel-config-host-1.service is written/);
    assert.deepEqual(system.changes, [`write ${UNIT}`, 'run systemctl daemon-reload']);
  });

  test('--dry-run: shows the unit and the commands, changes nothing', async () => {
    const system = linux();
    const result = await hostSetup(system, [...BASE_ARGS, '--install', '--dry-run']);
    assert.equal(result.code, 0, result.error?.message);
    assert.deepEqual(system.changes, []);
    assert.equal(result.stdout, renderSystemdUnit(spec, { scope: 'system', user: 'pi' }));
    for (const line of [
      `would write ${UNIT} (shown above)`,
      'would run: systemctl daemon-reload',
      'would run: systemctl enable --now tunnel-config-host-1.service',
      'dry run: nothing was written or run',
    ]) {
      assert.ok(result.stderr.includes(line), `${line} in\n${result.stderr.join('\n')}`);
    }
  });

  test('--install of a systemd unit off Linux, or of a command: refused', async () => {
    const mac = linux({ platform: 'darwin' });
    assert.match((await hostSetup(mac, [...BASE_ARGS, '--install', '--format', 'systemd'])).error?.message ?? '', /Linux only/);
    const command = await hostSetup(linux(), [...BASE_ARGS, '--install', '--format', 'command']);
    assert.match(command.error?.message ?? '', /--format command is only printed/);
    assert.deepEqual(mac.changes, []);
  });
});

describe('--install with launchd', () => {
  const macKey = '/Users/alice/.ssh/tunnel';
  const mac = (options: FakeOptions = {}): FakeSystem =>
    new FakeSystem({
      platform: 'darwin',
      uid: 501,
      userName: 'alice',
      usableKeys: [macKey],
      files: { [macKey]: 'key', '/Users/alice/.ssh/known_hosts': knownLine('jump.example.com') },
      ...options,
    });
  const plist = '/Users/alice/Library/LaunchAgents/tunnel-config.host-1.plist';

  test('writes the LaunchAgent, then boots out an older copy, enables and bootstraps it', async () => {
    const system = mac({ failing: { 'launchctl bootout gui/501/tunnel-config.host-1': 'Boot-out failed: 3: No such process' } });
    const result = await hostSetup(system, ['--jump-host', 'jump.example.com', '--identity', macKey, '--install']);
    assert.equal(result.code, 0, result.error?.message);
    assert.deepEqual(system.changes, [
      `write ${plist}`,
      'run launchctl bootout gui/501/tunnel-config.host-1',
      'run launchctl enable gui/501/tunnel-config.host-1',
      `run launchctl bootstrap gui/501 ${plist}`,
    ]);
    const logPath = '/Users/alice/Library/Logs/tunnel-config-host-1.log';
    assert.equal(system.files.get(plist), renderLaunchdPlist({ ...spec, identityFile: macKey }, { logPath }));
    assert.ok(result.stderr.includes('status: launchctl print gui/501/tunnel-config.host-1'));
    assert.ok(result.stderr.includes(`logs: tail -f ${logPath}`));
  });

  test('a failing bootstrap is reported', async () => {
    const system = mac({ failing: { [`launchctl bootstrap gui/501 ${plist}`]: 'Bootstrap failed: 5: Input/output error' } });
    const result = await hostSetup(system, ['--jump-host', 'jump.example.com', '--identity', macKey, '--install']);
    assert.equal(result.code, 2);
    assert.match(result.error?.message ?? '', /launchctl bootstrap gui\/501 .* failed \(exit 1\): Bootstrap failed: 5/);
  });

  test('as root: refused (a LaunchAgent belongs to the logged-in user)', async () => {
    const system = mac({ uid: 0, userName: 'root' });
    const result = await hostSetup(system, ['--jump-host', 'jump.example.com', '--identity', macKey, '--run-as', 'alice', '--install']);
    assert.match(result.error?.message ?? '', /LaunchAgent runs as the logged-in user/);
    assert.deepEqual(system.changes, []);
  });

  test('launchd is the default format on macOS, systemd on Linux', async () => {
    const onMac = await hostSetup(mac(), ['--jump-host', 'jump.example.com', '--identity', macKey]);
    assert.match(onMac.stdout, /^<\?xml/);
    const onLinux = await hostSetup(linux(), BASE_ARGS);
    assert.match(onLinux.stdout, /^\[Service\]$/m);
  });
});

describe('checks before anything is printed or written', () => {
  const refused = async (system: FakeSystem, argv: string[], code: number, message: RegExp): Promise<void> => {
    const result = await hostSetup(system, argv);
    assert.equal(result.code, code, result.error?.message ?? result.stdout);
    assert.match(result.error?.message ?? '', message);
    assert.equal(result.stdout, '');
    assert.deepEqual(system.changes, []);
  };

  test('a passphrase-protected key', () =>
    refused(linux({ usableKeys: [], passphraseKeys: [KEY] }), [...BASE_ARGS, '--install'], 2, /the key \/home\/pi\/\.ssh\/tunnel is protected by a passphrase, and a service has nobody to type it/));

  test('a missing key', () => refused(linux(), withIdentity('/home/pi/.ssh/nope'), 2, /the key \/home\/pi\/\.ssh\/nope does not exist/));

  test('without --identity: one of ssh\'s default keys must load', async () => {
    const none = linux();
    await refused(none, ['--jump-host', 'jump.example.com', '--run-as', 'pi'], 2, /no key in \/home\/pi\/\.ssh for ssh to log in/);
    const locked = '/home/pi/.ssh/id_ed25519';
    await refused(linux({ files: { [locked]: 'k' }, passphraseKeys: [locked] }), ['--jump-host', 'jump.example.com', '--run-as', 'pi'], 2, /no usable key in \/home\/pi\/\.ssh: the key \/home\/pi\/\.ssh\/id_ed25519 is protected by a passphrase/);
    const ok = await hostSetup(linux({ files: { [locked]: 'k' }, usableKeys: [locked] }), ['--jump-host', 'jump.example.com', '--run-as', 'pi']);
    assert.equal(ok.code, 0, ok.error?.message);
    assert.doesNotMatch(ok.stdout, / -i /);
  });

  test('an unknown jump host key: says how to record it', async () => {
    const system = linux({ files: { '/home/pi/.ssh/known_hosts': knownLine('other.example.com') } });
    await refused(system, BASE_ARGS, 4, /the jump's host key is not known as jump\.example\.com .*connect once as pi .*: sudo -u pi ssh host@jump\.example\.com true/);
  });

  test('a key known only under another port does not count; [host]:port does', async () => {
    await refused(linux(), [...BASE_ARGS, '--jump-port', '2222'], 4, /not known as \[jump\.example\.com\]:2222 .*ssh -p 2222 host@jump\.example\.com true/);
    const ok = await hostSetup(linux({ files: { '/home/pi/.ssh/known_hosts': knownLine('[jump.example.com]:2222') } }), [...BASE_ARGS, '--jump-port', '2222']);
    assert.equal(ok.code, 0, ok.error?.message);
  });

  test('hashed entries, the global file and --known-hosts are read; @revoked lines are not trust', async () => {
    const hashed = `${formatKnownHostsLine('jump.example.com', Buffer.from(jumpKey, 'base64'), { hashed: true })}\n`;
    assert.equal((await hostSetup(linux({ files: { '/home/pi/.ssh/known_hosts': hashed } }), BASE_ARGS)).code, 0);
    assert.equal((await hostSetup(linux({ files: { '/home/pi/.ssh/known_hosts': '', '/etc/ssh/ssh_known_hosts': knownLine('jump.example.com') } }), BASE_ARGS)).code, 0);
    const own = await hostSetup(linux({ files: { '/etc/tc/known_hosts': knownLine('jump.example.com'), '/home/pi/.ssh/known_hosts': '' } }), [...BASE_ARGS, '--known-hosts', '/etc/tc/known_hosts']);
    assert.equal(own.code, 0, own.error?.message);
    assert.match(own.stdout, / -o UserKnownHostsFile=\/etc\/tc\/known_hosts /);
    await refused(linux({ files: { '/home/pi/.ssh/known_hosts': `@revoked ${knownLine('jump.example.com')}` } }), BASE_ARGS, 4, /not known/);
    await refused(linux(), [...BASE_ARGS, '--known-hosts', '/etc/tc/empty'], 4, /looked in \/etc\/tc\/empty, \/etc\/ssh\/ssh_known_hosts.*-o UserKnownHostsFile=\/etc\/tc\/empty/);
  });
});

describe('flags', () => {
  for (const [label, argv, message] of [
    ['no --jump-host', ['--identity', KEY], /needs --jump-host HOST/],
    ['a bad --name', [...BASE_ARGS, '--name', 'bad name'], /^--name "bad name": a host name may contain only/],
    ['a --name starting with "-"', [...BASE_ARGS, '--name=-oProxyCommand'], /^--name "-oProxyCommand": a host name may not start with "-"/],
    ['a socket path over the limit', [...BASE_ARGS, '--name', 'h'.repeat(100)], /over the 107-byte UNIX socket limit/],
    ['a relative --socket-dir', [...BASE_ARGS, '--socket-dir', 'host'], /^--socket-dir "host": must be an absolute path/],
    ['a bad --jump-port', [...BASE_ARGS, '--jump-port', '0'], /^--jump-port "0": must be a number from 1 to 65535/],
    ['a bad --local-port', [...BASE_ARGS, '--local-port', '70000'], /^--local-port "70000"/],
    ['an --alive-interval of 0, which would switch the checks off', [...BASE_ARGS, '--alive-interval', '0'], /^--alive-interval "0": must be a whole number of seconds from 1 to 900$/],
    ['an --alive-interval that is not whole seconds', [...BASE_ARGS, '--alive-interval', '1.5'], /^--alive-interval "1\.5": must be a whole number/],
    ['an --alive-interval over the limit', [...BASE_ARGS, '--alive-interval', '901'], /^--alive-interval "901": must be/],
    ['a bad --jump-user', [...BASE_ARGS, '--jump-user', 'a b'], /^--jump-user "a b"/],
    ['a bad --jump-host', ['--jump-host', 'jump;rm', '--identity', KEY], /^--jump-host "jump;rm"/],
    ['an unknown --format', [...BASE_ARGS, '--format', 'rc.local'], /^--format "rc.local": must be one of systemd, launchd, autossh, command/],
    ['an unknown --run-as', ['--jump-host', 'j.example.com', '--run-as', 'nobody2'], /^--run-as "nobody2": no such local user/],
    ['a key path systemd would mangle', withIdentity('/home/pi/%h/key'), /^--identity "\/home\/pi\/%h\/key": may not contain "%"/],
    ['an unknown flag', [...BASE_ARGS, '--jump', 'x'], /Unknown option '--jump' \(see tunnel-config host-setup --help\)/],
    ['a positional', [...BASE_ARGS, 'extra'], /^host-setup takes no arguments, got "extra" \(see tunnel-config host-setup --help\)$/],
  ] as const) {
    test(`${label}: exit 2, one line`, async () => {
      const system = linux();
      const result = await hostSetup(system, [...argv]);
      assert.equal(result.code, 2, result.error?.message ?? result.stdout);
      assert.match(result.error?.message ?? '', message);
      assert.doesNotMatch(result.error?.message ?? '', /\n/);
      assert.deepEqual(system.events, [], 'nothing run, nothing written');
    });
  }

  test('--alive-interval reaches ExecStart: ServerAliveInterval, and ConnectTimeout three times it', async () => {
    const result = await hostSetup(linux(), [...BASE_ARGS, '--alive-interval', '60']);
    assert.equal(result.code, 0, result.error?.message);
    assert.match(result.stdout, /^ExecStart=\S+ .* -o ServerAliveInterval=60 -o ServerAliveCountMax=3 -o ConnectTimeout=180 /m);
  });

  test("this machine's host name is the default --name, and is validated", async () => {
    const ok = await hostSetup(linux({ hostName: 'pi-kitchen' }), BASE_ARGS);
    assert.match(ok.stdout, /-R \/home\/host\/pi-kitchen\.sock:localhost:22 /);
    const bad = await hostSetup(linux({ hostName: 'My Laptop' }), BASE_ARGS);
    assert.equal(bad.code, 2);
    assert.match(bad.error?.message ?? '', /^this machine's host name "My Laptop" cannot name its socket \(a host name may contain only .*\): pass --name NAME$/);
  });

  test('~/ is the service user\'s home, a relative path is made absolute', async () => {
    const system = linux({ usableKeys: ['/home/pi/.ssh/tunnel', '/work/dir/keys/tunnel'], files: { '/work/dir/keys/tunnel': 'k' } });
    assert.match((await hostSetup(system, ['--jump-host', 'jump.example.com', '--run-as', 'pi', '--identity', '~/.ssh/tunnel'])).stdout, / -i \/home\/pi\/\.ssh\/tunnel /);
    assert.match((await hostSetup(system, ['--jump-host', 'jump.example.com', '--run-as', 'pi', '--identity', 'keys/tunnel'])).stdout, / -i \/work\/dir\/keys\/tunnel /);
  });

  test('the absolute ssh path found on this machine goes into the unit; no ssh, no unit', async () => {
    const system = linux();
    system.executables.set('ssh', '/usr/local/bin/ssh');
    assert.match((await hostSetup(system, BASE_ARGS)).stdout, /^ExecStart=\/usr\/local\/bin\/ssh -N /m);
    system.executables.delete('ssh');
    const none = await hostSetup(system, BASE_ARGS);
    assert.equal(none.code, 2);
    assert.match(none.error?.message ?? '', /ssh was not found on PATH/);
  });

  test('--help prints the usage on stdout', async () => {
    const result = await hostSetup(linux(), ['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: tunnel-config host-setup --jump-host HOST/);
    for (const flag of ['--jump-port', '--jump-user', '--identity', '--known-hosts', '--name', '--socket-dir', '--local-port', '--run-as', '--format', '--install', '--dry-run']) {
      assert.ok(result.stdout.includes(flag), flag);
    }
  });
});
