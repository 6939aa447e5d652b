import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { listWords, showFiles } from '../../src/setup/host/files.js';
import { duplicateJumpProblem, pairJumpFlags, type RepeatedJumpFlags } from '../../src/setup/host/jumps.js';
import type { HostSetupPlan } from '../../src/setup/host/plan.js';
import { printedService } from '../../src/setup/host/print.js';
import { renderAutossh } from '../../src/setup/host/render-autossh.js';
import { renderCommandText } from '../../src/setup/host/render-command.js';
import { renderLaunchdPlist } from '../../src/setup/host/render-launchd.js';
import { renderSystemdUnit, systemdUnitName } from '../../src/setup/host/render-systemd.js';
import { launchdLabel, serviceKey, serviceName, type TunnelSpec } from '../../src/setup/host/spec.js';

describe('pairJumpFlags: the per-jump flags, paired as the proxy pairs --jump and --socket-dir', () => {
  for (const [label, given, expected] of [
    ['one jump, nothing else', { jumpHost: ['a'] }, [{ jumpHost: 'a' }]],
    ['one jump, each flag once', { jumpHost: ['a'], jumpPort: ['2222'], jumpUser: ['u'], identity: ['/k'], knownHosts: ['/kh'], socketDir: ['/s'] }, [
      { jumpHost: 'a', jumpPort: '2222', jumpUser: 'u', identity: '/k', knownHosts: '/kh', socketDir: '/s' },
    ]],
    ['two jumps, a flag given once is both jumps\'', { jumpHost: ['a', 'b'], jumpUser: ['u'], socketDir: ['/s'] }, [
      { jumpHost: 'a', jumpUser: 'u', socketDir: '/s' },
      { jumpHost: 'b', jumpUser: 'u', socketDir: '/s' },
    ]],
    ['two jumps, flags given twice are paired in order', { jumpHost: ['a', 'b'], jumpPort: ['22', '2222'], socketDir: ['/s1', '/s2'], identity: ['/k'] }, [
      { jumpHost: 'a', jumpPort: '22', socketDir: '/s1', identity: '/k' },
      { jumpHost: 'b', jumpPort: '2222', socketDir: '/s2', identity: '/k' },
    ]],
    ['three jumps, one flag per jump, another once, a third not at all', { jumpHost: ['a', 'b', 'c'], knownHosts: ['/1', '/2', '/3'], jumpUser: ['u'], jumpPort: [] }, [
      { jumpHost: 'a', knownHosts: '/1', jumpUser: 'u' },
      { jumpHost: 'b', knownHosts: '/2', jumpUser: 'u' },
      { jumpHost: 'c', knownHosts: '/3', jumpUser: 'u' },
    ]],
  ] as const satisfies ReadonlyArray<readonly [string, RepeatedJumpFlags, unknown]>) {
    test(label, () => assert.deepEqual(pairJumpFlags(given), expected));
  }

  const refused = (given: RepeatedJumpFlags, message: RegExp): void => {
    assert.throws(() => pairJumpFlags(given), (error: unknown) => error instanceof TunnelError && error.exitCode === 2 && message.test(error.message));
  };

  test('no --jump-host', () => refused({ jumpPort: ['22'] }, /^host-setup needs --jump-host HOST \(see tunnel-config host-setup --help\)$/));

  for (const [label, given, message] of [
    ['2 jumps, 3 --socket-dir', { jumpHost: ['a', 'b'], socketDir: ['/1', '/2', '/3'] }, /^host-setup got 2 --jump-host and 3 --socket-dir: give one --socket-dir for every jump, or one per --jump-host in the same order$/],
    ['3 jumps, 2 --jump-port', { jumpHost: ['a', 'b', 'c'], jumpPort: ['1', '2'] }, /^host-setup got 3 --jump-host and 2 --jump-port: give one --jump-port /],
    ['1 jump, 2 --identity (no longer the last one silently)', { jumpHost: ['a'], identity: ['/k1', '/k2'] }, /^host-setup got 1 --jump-host and 2 --identity: /],
    ['2 jumps, 3 --known-hosts', { jumpHost: ['a', 'b'], knownHosts: ['/1', '/2', '/3'] }, /^host-setup got 2 --jump-host and 3 --known-hosts: /],
    ['2 jumps, 3 --jump-user', { jumpHost: ['a', 'b'], jumpUser: ['u', 'v', 'w'] }, /^host-setup got 2 --jump-host and 3 --jump-user: /],
  ] as const) {
    test(`${label}: a usage error naming the counts`, () => refused(given, message));
  }
});

describe('duplicateJumpProblem', () => {
  test('the same host and port twice (in any case) is one jump named twice', () => {
    assert.equal(duplicateJumpProblem([{ jumpHost: 'jump.example.com', jumpPort: 22 }, { jumpHost: 'Jump.Example.com', jumpPort: 22 }]), '--jump-host Jump.Example.com is given twice (both on port 22): name each jump once');
  });
  test('the same host on another port, or other hosts, are other jumps', () => {
    assert.equal(duplicateJumpProblem([{ jumpHost: 'j', jumpPort: 22 }, { jumpHost: 'j', jumpPort: 2222 }, { jumpHost: 'k', jumpPort: 22 }]), undefined);
  });
});

const first: TunnelSpec = { name: 'host-1', jumpHost: 'jump1.example.com', jumpPort: 22, jumpUser: 'host', socketPath: '/home/host/host-1.sock', localPort: 22, sshPath: '/usr/bin/ssh' };
const second: TunnelSpec = { ...first, jumpHost: 'jump2.example.com', socketPath: '/srv/sock/host-1.sock', jumpNumber: 2 };

describe('service names', () => {
  for (const [label, spec, key] of [
    ['the only jump', first, 'host-1'],
    ['the first of several keeps it (adding a jump leaves its service alone)', { ...first, jumpNumber: 1 }, 'host-1'],
    ['the second', second, 'host-1-jump2'],
    ['the tenth', { ...second, jumpNumber: 10 }, 'host-1-jump10'],
  ] as const) {
    test(`${label}: ${key}`, () => assert.equal(serviceKey(spec), key));
  }

  test('the second jump\'s unit, label, plist and log names', () => {
    assert.equal(systemdUnitName(serviceKey(second)), 'tunnel-config-host-1-jump2.service');
    assert.equal(launchdLabel(serviceKey(second)), 'tunnel-config.host-1-jump2');
    assert.equal(serviceName(serviceKey(second)), 'tunnel-config-host-1-jump2');
    assert.match(renderLaunchdPlist(second), /<key>Label<\/key>\n\t<string>tunnel-config\.host-1-jump2<\/string>/);
  });

  test('systemd unit names: only the characters systemd allows, under its 255-byte limit, for any valid host name', () => {
    for (const name of ['host-1', 'a.b_c-d', 'h'.repeat(90)]) {
      const unit = systemdUnitName(serviceKey({ name, jumpNumber: 99 }));
      assert.match(unit, /^[A-Za-z0-9:_.\\-]+\.service$/);
      assert.ok(unit.length <= 255, unit);
    }
  });

  test('only the name and the Label differ from the first jump\'s in what is rendered', () => {
    const { jumpNumber: _, ...unnumbered } = second;
    assert.equal(renderSystemdUnit(second, { scope: 'system', user: 'pi' }), renderSystemdUnit(unnumbered, { scope: 'system', user: 'pi' }));
    assert.equal(renderCommandText(second), renderCommandText(unnumbered));
    assert.notEqual(renderLaunchdPlist(second), renderLaunchdPlist(unnumbered));
  });
});

describe('showFiles and listWords', () => {
  test('one file: exactly its text', () => assert.equal(showFiles([{ path: '/a', text: 'A\n' }]), 'A\n'));
  test('several: each under ==> PATH <==, a blank line between', () => {
    assert.equal(showFiles([{ path: '/a', text: 'A\n' }, { path: '/b', text: 'B\n' }]), '==> /a <==\nA\n\n==> /b <==\nB\n');
  });
  test('listWords', () => {
    assert.equal(listWords(['a']), 'a');
    assert.equal(listWords(['a', 'b']), 'a and b');
    assert.equal(listWords(['a', 'b', 'c']), 'a, b and c');
  });
});

describe('printedService with two jumps', () => {
  const plan = (format: HostSetupPlan['format']): HostSetupPlan => ({ specs: [first, second], format, runAs: 'pi', home: '/home/pi' });

  test('systemd: both units, each under the path it goes to; the instructions name both', () => {
    const printed = printedService(plan('systemd'));
    const unit1 = renderSystemdUnit(first, { scope: 'system', user: 'pi' });
    const unit2 = renderSystemdUnit(second, { scope: 'system', user: 'pi' });
    assert.equal(printed.stdout, `==> /etc/systemd/system/tunnel-config-host-1.service <==\n${unit1}\n==> /etc/systemd/system/tunnel-config-host-1-jump2.service <==\n${unit2}`);
    assert.deepEqual(printed.stderr, [
      'save each as the file named above it (/etc/systemd/system/tunnel-config-host-1.service and /etc/systemd/system/tunnel-config-host-1-jump2.service), then: systemctl daemon-reload && systemctl enable --now tunnel-config-host-1.service tunnel-config-host-1-jump2.service (or run host-setup again with --install)',
    ]);
  });

  test('launchd: both agents, each under its path; one bootstrap for both', () => {
    const printed = printedService(plan('launchd'));
    assert.equal(
      printed.stdout,
      `==> ~/Library/LaunchAgents/tunnel-config.host-1.plist <==\n${renderLaunchdPlist(first)}\n==> ~/Library/LaunchAgents/tunnel-config.host-1-jump2.plist <==\n${renderLaunchdPlist(second)}`,
    );
    assert.match(printed.stderr[0] ?? '', /then: launchctl bootstrap gui\/\$\(id -u\) ~\/Library\/LaunchAgents\/tunnel-config\.host-1\.plist ~\/Library\/LaunchAgents\/tunnel-config\.host-1-jump2\.plist /);
  });

  test('command and autossh: one line per jump, in order; stderr says which is which and to run each on its own', () => {
    const command = printedService(plan('command'));
    assert.equal(command.stdout, renderCommandText(first) + renderCommandText(second));
    assert.equal(command.stderr[0], 'one line per jump: line 1 keeps the tunnel to jump1.example.com, line 2 keeps the tunnel to jump2.example.com');
    assert.match(command.stderr[1] ?? '', /^run each under a supervisor that restarts it when it exits .*, each on its own/);
    const autossh = printedService(plan('autossh'));
    assert.equal(autossh.stdout, renderAutossh(first) + renderAutossh(second));
    assert.equal(autossh.stderr.length, 2);
  });

  test('one jump: as before, no header', () => {
    const printed = printedService({ ...plan('systemd'), specs: [first] });
    assert.equal(printed.stdout, renderSystemdUnit(first, { scope: 'system', user: 'pi' }));
    assert.deepEqual(printed.stderr, [
      'save it as /etc/systemd/system/tunnel-config-host-1.service, then: systemctl daemon-reload && systemctl enable --now tunnel-config-host-1.service (or run host-setup again with --install)',
    ]);
  });
});
