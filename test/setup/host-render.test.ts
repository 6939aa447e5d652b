import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TunnelError } from '../../src/errors.js';
import { renderAutossh } from '../../src/setup/host/render-autossh.js';
import { renderCommand, renderCommandText, shellQuote, sshOptions } from '../../src/setup/host/render-command.js';
import { renderLaunchdPlist, xmlEscape } from '../../src/setup/host/render-launchd.js';
import { renderSystemdUnit, systemdUnitName } from '../../src/setup/host/render-systemd.js';
import { launchdLabel, serviceKey, type TunnelSpec } from '../../src/setup/host/spec.js';
import { golden, goldenCases } from './host-cases.js';
import { complaintsAbout, parsePlist, shellWords, unitSections, verifyUnavailable, verifyUnit } from './host-tools.js';

const cases = Object.entries(goldenCases);

const execStart = (unit: string): string[] => {
  const values = unitSections(unit).get('Service')?.filter(([key]) => key === 'ExecStart') ?? [];
  assert.equal(values.length, 1, `one ExecStart in\n${unit}`);
  return (values[0]?.[1] ?? '').split(' ');
};

const optionValues = (argv: readonly string[]): string[] => argv.flatMap((arg, i) => (argv[i - 1] === '-o' ? [arg] : []));

test('there are golden cases', () => assert.ok(cases.length >= 3));

describe('golden files', () => {
  for (const [name, golden_] of cases) {
    const { spec, runAs, logPath } = golden_;
    describe(`${name}: ${golden_.about}`, () => {
      test('systemd unit', () => {
        const unit = renderSystemdUnit(spec, { scope: 'system', user: runAs });
        assert.equal(unit, golden(`${name}.service`, unit));
      });
      test('systemd user unit', () => {
        const unit = renderSystemdUnit(spec, { scope: 'user', user: runAs });
        assert.equal(unit, golden(`${name}.user.service`, unit));
      });
      test('launchd plist', () => {
        const plist = renderLaunchdPlist(spec, logPath === undefined ? {} : { logPath });
        assert.equal(plist, golden(`${name}.plist`, plist));
      });
      test('autossh command line', () => {
        const text = renderAutossh(spec);
        assert.equal(text, golden(`${name}.autossh.sh`, text));
      });
      test('bare command line', () => {
        const text = renderCommandText(spec);
        assert.equal(text, golden(`${name}.command.txt`, text));
      });
    });
  }
});

describe('every format runs the same ssh command', () => {
  for (const [name, { spec, runAs }] of cases) {
    test(name, async () => {
      const { argv, line } = renderCommand(spec);
      assert.equal(argv[0], spec.sshPath);
      assert.deepEqual(execStart(renderSystemdUnit(spec, { scope: 'system', user: runAs })), argv);
      assert.deepEqual(execStart(renderSystemdUnit(spec, { scope: 'user', user: runAs })), argv);
      assert.deepEqual(await shellWords(line), argv);
      assert.deepEqual(await shellWords(renderAutossh(spec).trimEnd()), ['AUTOSSH_GATETIME=0', 'autossh', '-M', '0', ...argv.slice(1)]);
      const parsed = await parsePlist(renderLaunchdPlist(spec));
      if (!parsed.missing) assert.deepEqual((parsed.value as { ProgramArguments: unknown }).ProgramArguments, argv);
    });
  }
});

describe('the ssh options', () => {
  const base = goldenCases['default']?.spec as TunnelSpec;
  const withAll: TunnelSpec = { ...base, jumpPort: 2200, identityFile: '/k/id', knownHostsFile: '/k/known_hosts' };

  for (const [label, spec] of [['defaults', base], ['everything given', withAll]] as const) {
    test(`${label}: strict, non-interactive, exits when the forward or the link fails`, () => {
      const args = sshOptions(spec);
      const options = optionValues(args);
      for (const option of ['ExitOnForwardFailure=yes', 'ServerAliveInterval=10', 'ServerAliveCountMax=3', 'ConnectTimeout=30', 'BatchMode=yes', 'StrictHostKeyChecking=yes']) {
        assert.ok(options.includes(option), `${option} in ${args.join(' ')}`);
      }
      assert.ok(args.includes('-N') && args.includes('-T'));
      assert.ok(!args.some((arg) => /StrictHostKeyChecking=(no|off|accept-new)|\/dev\/null|StreamLocalBindUnlink/i.test(arg)), args.join(' '));
      assert.equal(args.at(-1), `${spec.jumpUser}@${spec.jumpHost}`);
      assert.equal(args[args.indexOf('-R') + 1], `${spec.socketPath}:localhost:${spec.localPort}`);
    });
  }

  test('--alive-interval sets ServerAliveInterval, and ConnectTimeout waits as long as the checks do', () => {
    const options = optionValues(sshOptions({ ...base, aliveInterval: 4 }));
    assert.ok(options.includes('ServerAliveInterval=4') && options.includes('ServerAliveCountMax=3') && options.includes('ConnectTimeout=12'), options.join(' '));
  });

  test('-p only for a port other than 22', () => {
    assert.ok(!sshOptions(base).includes('-p'));
    const args = sshOptions(withAll);
    assert.equal(args[args.indexOf('-p') + 1], '2200');
  });

  test('-i only with --identity, and then with IdentitiesOnly', () => {
    assert.ok(!sshOptions(base).includes('-i'));
    assert.ok(!optionValues(sshOptions(base)).includes('IdentitiesOnly=yes'));
    const args = sshOptions(withAll);
    assert.equal(args[args.indexOf('-i') + 1], '/k/id');
    assert.ok(optionValues(args).includes('IdentitiesOnly=yes'));
  });

  test('UserKnownHostsFile only with --known-hosts', () => {
    assert.ok(!optionValues(sshOptions(base)).some((option) => option.startsWith('UserKnownHostsFile')));
    assert.ok(optionValues(sshOptions(withAll)).includes('UserKnownHostsFile=/k/known_hosts'));
  });
});

describe('systemd unit', () => {
  const { spec, runAs } = goldenCases['default'] ?? assert.fail('no default case');

  test('restarts always, after 5 s, without a start limit, once the network is online', () => {
    const sections = unitSections(renderSystemdUnit(spec, { scope: 'system', user: runAs }));
    assert.deepEqual(sections.get('Unit')?.filter(([key]) => key !== 'Description'), [
      ['Wants', 'network-online.target'],
      ['After', 'network-online.target'],
      ['StartLimitIntervalSec', '0'],
    ]);
    const service = new Map(sections.get('Service'));
    assert.equal(service.get('Restart'), 'always');
    assert.equal(service.get('RestartSec'), '5');
    assert.equal(service.get('User'), runAs);
    assert.deepEqual(sections.get('Install'), [['WantedBy', 'multi-user.target']]);
  });

  test('a user unit has no User= and starts with the user manager', () => {
    const sections = unitSections(renderSystemdUnit(spec, { scope: 'user', user: runAs }));
    assert.equal(new Map(sections.get('Service')).has('User'), false);
    assert.deepEqual(sections.get('Install'), [['WantedBy', 'default.target']]);
  });

  for (const [label, bad] of [
    ['a % specifier', { ...spec, identityFile: '/home/%u/key' }],
    ['a $ variable', { ...spec, jumpUser: '$USER' }],
    ['a blank', { ...spec, sshPath: '/opt/my ssh/ssh' }],
  ] as const) {
    test(`refuses unvalidated input: ${label}`, () => {
      assert.throws(() => renderSystemdUnit(bad, { scope: 'system', user: runAs }), (error: unknown) => error instanceof TunnelError && error.code === 'internal');
    });
  }
});

describe('systemd-analyze verify', () => {
  for (const scope of ['system', 'user'] as const) {
    describe(scope, async () => {
      const unavailable = await verifyUnavailable(scope);
      if (unavailable !== undefined) console.log(`# skipping systemd-analyze ${scope}: ${unavailable}`);

      test('notices a broken unit (the check can fail)', { skip: unavailable }, async () => {
        const broken = renderSystemdUnit(goldenCases['default']?.spec as TunnelSpec, { scope, user: 'pi' }).replace('Restart=always', 'Restrt=always');
        const result = await verifyUnit('tunnel-config-broken.service', broken, scope);
        assert.ok(complaintsAbout(result, 'tunnel-config-broken.service').some((line) => line.includes('Restrt')), result.stderr);
      });

      for (const [name, { spec, runAs }] of cases) {
        test(name, { skip: unavailable }, async () => {
          const fileName = systemdUnitName(serviceKey(spec));
          const result = await verifyUnit(fileName, renderSystemdUnit(spec, { scope, user: runAs }), scope);
          assert.equal(result.code, 0, result.stderr);
          assert.deepEqual(complaintsAbout(result, fileName), [], result.stderr);
        });
      }
    });
  }
});

describe('launchd plist', () => {
  test('parses as a plist with the expected keys', async (t) => {
    for (const [name, { spec, logPath }] of cases) {
      const parsed = await parsePlist(renderLaunchdPlist(spec, logPath === undefined ? {} : { logPath }));
      if (parsed.missing) return t.skip('python3 is not installed');
      assert.equal(parsed.error, undefined, name);
      const plist = parsed.value as Record<string, unknown>;
      assert.equal(plist['Label'], launchdLabel(serviceKey(spec)));
      assert.deepEqual(plist['ProgramArguments'], renderCommand(spec).argv);
      assert.equal(plist['KeepAlive'], true);
      assert.equal(plist['RunAtLoad'], true);
      assert.equal(plist['ThrottleInterval'], 5);
      assert.equal(plist['StandardErrorPath'], logPath, name);
    }
  });

  test('escapes what XML must escape, and the parser gets the exact values back', async (t) => {
    const spec = { ...(goldenCases['default']?.spec as TunnelSpec), sshPath: `/opt/a&b/<ssh>/"it's"` };
    const logPath = '/tmp/&<>"\'.log';
    const parsed = await parsePlist(renderLaunchdPlist(spec, { logPath }));
    if (parsed.missing) return t.skip('python3 is not installed');
    assert.equal(parsed.error, undefined);
    const plist = parsed.value as Record<string, unknown>;
    assert.equal((plist['ProgramArguments'] as string[])[0], spec.sshPath);
    assert.equal(plist['StandardOutPath'], logPath);
  });

  test('an unescaped value would not parse (the check can fail)', async (t) => {
    const parsed = await parsePlist(renderLaunchdPlist(goldenCases['default']?.spec as TunnelSpec).replace('<string>-N</string>', '<string>-N & more</string>'));
    if (parsed.missing) return t.skip('python3 is not installed');
    assert.ok(parsed.error !== undefined);
  });

  test('xmlEscape', () => {
    assert.equal(xmlEscape(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
    assert.throws(() => xmlEscape('bell\x07'), RangeError);
  });
});

describe('shellQuote', () => {
  for (const [word, quoted] of [
    ['/usr/bin/ssh', '/usr/bin/ssh'],
    ['ExitOnForwardFailure=yes', 'ExitOnForwardFailure=yes'],
    ['host@2001:db8::10', 'host@2001:db8::10'],
    ['has space', "'has space'"],
    ["it's", `'it'\\''s'`],
    ['$HOME', "'$HOME'"],
    ['', "''"],
  ] as const) {
    test(`${JSON.stringify(word)} → ${quoted}`, async () => {
      assert.equal(shellQuote(word), quoted);
      assert.deepEqual(await shellWords(`x ${shellQuote(word)}`), ['x', word]);
    });
  }
});
