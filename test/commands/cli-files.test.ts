import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { addFlags, assertOneErrorLine, backupsOf, runCli, snapshotTree, USER_CONFIG, withoutBlocks, tempHomes } from './harness.js';

const setup = tempHomes();

describe('remove gives back the bytes from before add', () => {
  const BOM = '\uFEFF';
  const starts: Array<[string, string]> = [
    ['a typical config', USER_CONFIG],
    ['CRLF line endings', USER_CONFIG.replaceAll('\n', '\r\n')],
    ['no final newline', 'Host myserver\n  HostName 192.0.2.10'],
    ['CRLF and no final newline', 'Host myserver\r\n  HostName 192.0.2.10'],
    ['tabs, trailing blanks and = signs', 'Host\tmyserver \t\n\tHostName=192.0.2.10\t\n\n\n'],
    ['comments, blank lines and a marker look-alike in prose', '# top\n\n# >> tunnel-config is great\nHost a # note\n  User x\n\n# end\n'],
    ['an Include', 'Include INCLUDED\nHost a\n  User x\n'],
    ['a Match section', 'Host a\n  User x\n\n# for the build hosts\nMatch host build-* user bob\n  User y\n'],
    ['an empty file', ''],
    ['a UTF-8 BOM', `${BOM}Host a\n  User x\n`],
  ];
  for (const [what, text] of starts) {
    test(what, async () => {
      const { home, file } = setup();
      const original = text.replace('INCLUDED', join(home, 'included.conf'));
      writeFileSync(join(home, 'included.conf'), 'Host other\n  User z\n');
      writeFileSync(file, original, { mode: 0o640 });
      if (text.startsWith(BOM)) {
        // ssh itself cannot read a file that starts with a BOM: said before anything is written, with ssh's line 1.
        const refused = await runCli([...addFlags('home', file), '--yes'], { home });
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(refused.stderr, /^tunnel-config: ssh cannot read \S+ as it is, before any change \(\S+: line 1: Bad configuration option: .*\): fix that first; nothing was written\n$/);
        assert.ok(readFileSync(file).equals(Buffer.from(original, 'utf8')), 'nothing was written');
        return;
      }
      const added = await runCli([...addFlags('home', file), '--yes'], { home });
      assert.equal(added.code, 0, added.stderr);
      const withBlock = readFileSync(file, 'utf8');
      assert.match(withBlock, /^# >>> tunnel-config home >>>\r?$/m);
      // A file without a final newline stays without: the block goes after a line break, its own last one dropped.
      const eol = original.includes('\r\n') ? '\r\n' : '\n';
      const unended = original !== '' && !original.endsWith('\n');
      assert.equal(withoutBlocks(withBlock), unended ? original + eol : original, 'the block was inserted whole, nothing else changed');
      if (unended) assert.match(withBlock, /# <<< tunnel-config home <<<$/);
      if (original.includes('\r\n')) assert.doesNotMatch(withBlock, /[^\r]\n/, 'the block uses the file\'s CRLF');

      const dry = await runCli(['remove', 'home', '--config', file, '--dry-run'], { home });
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /^-# >>> tunnel-config home >>>\r?$/m);
      assert.equal(readFileSync(file, 'utf8'), withBlock, '--dry-run wrote nothing');

      const removed = await runCli(['remove', 'home', '--config', file, '--yes'], { home });
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.stdout, /Removed tunnel set "home"\.\n$/);
      assert.ok(readFileSync(file).equals(Buffer.from(original, 'utf8')), `byte for byte:\n${JSON.stringify(readFileSync(file, 'utf8'))}`);
      assert.equal(lstatSync(file).mode & 0o777, 0o640, 'mode kept');
      assert.equal(backupsOf(home, 'config').length, 2);
    });
  }
});

describe('broken markers stop every command before it changes anything', () => {
  const block = (name: string): string[] => [`# >>> tunnel-config ${name} >>>`, 'Host x', '  ProxyCommand /x proxy --jump j --socket-dir /d -- %h', `# <<< tunnel-config ${name} <<<`];
  const broken: Array<[string, string[], RegExp]> = [
    ['two blocks of one name', ['Host a', ...block('home'), ...block('home')], /two tunnel-config blocks for "home", at lines 2-5 and 6-9/],
    ['a begin without end', ['Host a', '# >>> tunnel-config home >>>', 'Host b'], /marker for "home" at line 2 has no end marker/],
    ['an end without begin', ['Host a', '# <<< tunnel-config home <<<'], /end marker for "home" at line 2 has no begin marker before it/],
    ['blocks out of order', ['# >>> tunnel-config home >>>', '# >>> tunnel-config lab >>>', '# <<< tunnel-config home <<<', '# <<< tunnel-config lab <<<'], /marker for "lab" at line 2 is inside the block "home" begun at line 1/],
    ['an end of another block', ['# >>> tunnel-config home >>>', 'Host x', '# <<< tunnel-config lab <<<'], /block "home" begun at line 1 is ended by the marker for "lab" at line 3/],
    ['an edited marker', ['Host a', '#>>> tunnel-config home >>>'], /line 2 looks like a tunnel-config marker but is not one exactly/],
  ];
  const commands: string[][] = [[...addFlags('other', 'CONFIG'), '--yes'], ['edit', 'home', '--hosts', 'pi', '--config', 'CONFIG', '--yes'], ['remove', 'home', '--config', 'CONFIG', '--yes'], ['list', '--config', 'CONFIG'], ['list', '--json', '--config', 'CONFIG']];
  for (const [what, lines, message] of broken) {
    test(what, async () => {
      const { home, file } = setup(`${lines.join('\n')}\n`);
      const before = snapshotTree(home);
      for (const command of commands) {
        const run = await runCli(command.map((arg) => (arg === 'CONFIG' ? file : arg)), { home });
        assertOneErrorLine(run, new RegExp(`^tunnel-config: ${file}: .*${message.source}.*; fix or remove it by hand\\n$`), command[0]);
      }
      assert.deepEqual(snapshotTree(home), before);
    });
  }
});

describe('a config behind symbolic links', () => {
  test('a chain of links: the file at the end is written, the links stay links', async () => {
    const { home } = setup();
    mkdirSync(join(home, 'dotfiles'));
    const real = join(home, 'dotfiles', 'ssh_config');
    writeFileSync(real, USER_CONFIG, { mode: 0o600 });
    symlinkSync('dotfiles/ssh_config', join(home, 'link2'));
    symlinkSync(join(home, 'link2'), join(home, 'link1'));
    const run = await runCli([...addFlags('home', join(home, 'link1')), '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readlinkSync(join(home, 'link1')), join(home, 'link2'));
    assert.equal(readlinkSync(join(home, 'link2')), 'dotfiles/ssh_config');
    assert.match(readFileSync(real, 'utf8'), /^# >>> tunnel-config home >>>$/m);
    assert.match(readFileSync(real, 'utf8'), new RegExp(`-F ${join(home, 'link1')} -- %h$`, 'm'), '-F names the path as given');
    const [backup] = backupsOf(join(home, 'dotfiles'), 'ssh_config');
    assert.equal(backup && readFileSync(backup, 'utf8'), USER_CONFIG, 'the backup sits next to the real file');
    assert.deepEqual(backupsOf(home, 'link1'), []);
  });

  test('a dangling link: refused with the Include alternative, nothing created', async () => {
    const { home } = setup();
    symlinkSync(join(home, 'dotfiles', 'ssh_config'), join(home, 'config'));
    const before = snapshotTree(home);
    for (const args of [[...addFlags('home', join(home, 'config')), '--yes'], [...addFlags('home', join(home, 'config'))]]) {
      assertOneErrorLine(
        await runCli(args, { home }),
        /is a symbolic link to \S+\/dotfiles\/ssh_config, which does not exist, so tunnel-config will not edit it; .*"Include ~\/\.ssh\/tunnel-config\.conf".*--config ~\/\.ssh\/tunnel-config\.conf\n$/,
      );
    }
    assert.deepEqual(snapshotTree(home), before);
    assert.equal(existsSync(join(home, 'dotfiles')), false);
  });
});

test('10 adds of different sets at once into one file: all ten land, the rest of the file intact', async () => {
  const { home, file } = setup(USER_CONFIG);
  const names = Array.from({ length: 10 }, (_, i) => `set-${i}`);
  const runs = await Promise.all(names.map((name) => runCli([...addFlags(name, file), '--yes'], { home, timeoutMs: 60_000 })));
  runs.forEach((run, i) => assert.equal(run.code, 0, `${names[i]}: ${run.stderr}`));
  const text = readFileSync(file, 'utf8');
  for (const name of names) assert.equal(text.split(`# >>> tunnel-config ${name} >>>\n`).length, 2, name);
  assert.equal(withoutBlocks(text), USER_CONFIG);
  const listed = await runCli(['list', '--json', '--config', file], { home });
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as Array<{ name: string }>).map((set) => set.name).sort(), names);
  assert.equal(backupsOf(home, 'config').length, 5, 'ten backups made, the newest five kept');
  assert.equal(existsSync(`${file}.lock`), false, 'no lock left behind');
});
