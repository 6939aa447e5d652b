import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, readlink, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { assertEditable, defaultConfigPath, INCLUDE_ALTERNATIVE, readConfig, updateConfig } from '../../src/sshconfig/store.js';
import { BACKUP, mountTmpfs, rejectsWith, runChild, tempHome, tree } from './store-harness.js';

const NOW = new Date('2026-11-21T23:15:00.123Z');
const STAMP = '20261121T231500Z';

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;
const backupsIn = async (dir: string) => (await readdir(dir)).filter((name) => BACKUP.test(name)).sort();
const append = (line: string) => (text: string) => `${text}${line}`;

describe('text is kept byte for byte', () => {
  const cases: [string, Buffer][] = [
    ['LF', Buffer.from('Host a\n  User x\n')],
    ['CRLF', Buffer.from('Host a\r\n  User x\r\n')],
    ['a BOM', Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('Host a\n')])],
    ['a BOM, CRLF and no final newline', Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('Host a\r\n  User x')])],
    ['no final newline', Buffer.from('Host a\n  User x')],
    ['non-ASCII', Buffer.from('# café ☕ 𝄞\nHost a\n')],
    ['nothing', Buffer.alloc(0)],
  ];
  for (const [name, bytes] of cases) {
    test(`a file with ${name}`, async (t) => {
      const { home } = await tempHome(t);
      const path = defaultConfigPath(home);
      await mkdir(dirname(path), { mode: 0o700 });
      await writeFile(path, bytes, { mode: 0o600 });
      const read = await readConfig(path);
      assert.equal(read.text, new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
      assert.equal(read.text.startsWith('\uFEFF'), bytes[0] === 0xef);
      let seen: string | undefined;
      const result = await updateConfig(path, (text) => {
        seen = text;
        return `${text}# added\r\n`;
      });
      assert.equal(seen, read.text);
      assert.deepEqual(await readFile(path), Buffer.concat([bytes, Buffer.from('# added\r\n')]));
      assert.ok(result.backup);
      assert.deepEqual(await readFile(result.backup), bytes);
    });
  }

  test('invalid UTF-8 is refused, not rewritten with replacement characters', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, Buffer.from([0x48, 0x6f, 0x73, 0x74, 0x20, 0xff, 0x0a]));
    const before = await tree(home);
    await rejectsWith(readConfig(path), 'usage', /not valid UTF-8/);
    await rejectsWith(updateConfig(path, append('x')), 'usage', /not valid UTF-8/);
    assert.deepEqual(await tree(home), before);
  });
});

describe('writes', () => {
  test('a new file is 0600 in a new ~/.ssh of 0700, whatever the umask', async (t) => {
    const { home } = await tempHome(t);
    const umask = process.umask(0);
    t.after(() => process.umask(umask));
    const path = defaultConfigPath(home);
    assert.equal(path, join(home, '.ssh', 'config'));
    assert.deepEqual(await readConfig(path), { path, target: path, text: '', exists: false, fingerprint: 'absent' });
    const result = await updateConfig(path, append('Host new\n'));
    assert.deepEqual(result, { changed: true, before: '', after: 'Host new\n', target: path, fingerprint: (await readConfig(path)).fingerprint });
    assert.equal(await modeOf(join(home, '.ssh')), 0o700);
    assert.equal(await modeOf(path), 0o600);
    assert.equal(await readFile(path, 'utf8'), 'Host new\n');
    assert.deepEqual(await readdir(join(home, '.ssh')), ['config']);
  });

  for (const mode of [0o600, 0o644, 0o640]) {
    test(`mode ${mode.toString(8)} is kept`, async (t) => {
      const { home } = await tempHome(t);
      const path = join(home, 'config');
      await writeFile(path, 'Host a\n');
      await chmod(path, mode);
      await updateConfig(path, append('Host b\n'));
      assert.equal(await modeOf(path), mode);
      assert.equal(await readFile(path, 'utf8'), 'Host a\nHost b\n');
    });
  }

  test('owner and group are kept, for the file and its backup', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n', { mode: 0o644 });
    await chown(path, 1000, 1000);
    const { backup } = await updateConfig(path, append('Host b\n'));
    assert.ok(backup);
    for (const file of [path, backup]) {
      const stats = await stat(file);
      assert.deepEqual([stats.uid, stats.gid], [1000, 1000], file);
    }
    assert.equal(await modeOf(backup), 0o600);
  });

  test('as root, a new ~/.ssh and config belong to the owner of the home', async (t) => {
    const { home } = await tempHome(t);
    await chown(home, 1000, 1000);
    const path = defaultConfigPath(home);
    await updateConfig(path, append('Host a\n'));
    for (const file of [dirname(path), path]) assert.equal((await stat(file)).uid, 1000, file);
  });

  test('each write is backed up next to the target with the previous bytes, uniquely within a second', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'v1\n', { mode: 0o644 });
    const backups: (string | undefined)[] = [];
    for (const next of ['v2\n', 'v3\n', 'v4\n']) backups.push((await updateConfig(path, () => next, { now: NOW })).backup);
    const base = join(home, `config.tunnel-config-backup-${STAMP}`);
    assert.deepEqual(backups, [base, `${base}-2`, `${base}-3`]);
    assert.deepEqual(await backupsIn(home), backups.map((backup) => backup?.slice(home.length + 1)));
    for (const [index, backup] of backups.entries()) {
      assert.equal(await readFile(backup ?? '', 'utf8'), `v${index + 1}\n`);
      assert.equal(await modeOf(backup ?? ''), 0o600);
    }
    assert.equal(await readFile(path, 'utf8'), 'v4\n');
  });

  test('the same text back writes nothing and makes no backup', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\r\n');
    const before = await tree(home);
    const result = await updateConfig(path, (text) => text);
    assert.equal(result.changed, false);
    assert.equal(result.backup, undefined);
    assert.deepEqual(await tree(home), before);
  });

  test('a dry run computes the change and writes, backs up, locks and creates nothing', async (t) => {
    const { home } = await tempHome(t);
    const existing = join(home, 'config');
    await writeFile(existing, 'Host a\n', { mode: 0o600 });
    const before = await tree(home);
    const result = await updateConfig(existing, append('Host b\n'), { dryRun: true });
    assert.deepEqual({ ...result, fingerprint: undefined }, { changed: true, before: 'Host a\n', after: 'Host a\nHost b\n', target: existing, fingerprint: undefined });
    const fresh = await updateConfig(defaultConfigPath(home), append('Host c\n'), { dryRun: true });
    assert.equal(fresh.after, 'Host c\n');
    assert.deepEqual(await tree(home), before);
  });

  test('a directory where the config should be is a one-line error naming it', async (t) => {
    const { home } = await tempHome(t);
    const path = defaultConfigPath(home);
    await mkdir(path, { recursive: true });
    await rejectsWith(readConfig(path), 'usage', /^cannot read .*\/\.ssh\/config: it is a directory$/);
    await rejectsWith(updateConfig(path, append('x')), 'usage', /^cannot read .*\/\.ssh\/config: it is a directory$/);
  });
});

describe('symbolic links', () => {
  test('a chain link -> link -> file: the links stay links and the final file is written', async (t) => {
    const { home } = await tempHome(t);
    const real = join(home, 'real', 'config');
    await mkdir(dirname(real));
    await writeFile(real, 'Host a\n', { mode: 0o644 });
    await mkdir(join(home, 'dotfiles'));
    await symlink('../real/config', join(home, 'dotfiles', 'ssh-config'));
    const path = defaultConfigPath(home);
    await mkdir(dirname(path));
    await symlink(join(home, 'dotfiles', 'ssh-config'), path);
    assert.equal((await readConfig(path)).target, real);

    const result = await updateConfig(path, append('Host b\n'), { now: NOW });
    assert.equal(result.target, real);
    assert.equal(result.backup, join(home, 'real', `config.tunnel-config-backup-${STAMP}`));
    assert.equal(await readlink(path), join(home, 'dotfiles', 'ssh-config'));
    assert.equal(await readlink(join(home, 'dotfiles', 'ssh-config')), '../real/config');
    assert.equal(await readFile(real, 'utf8'), 'Host a\nHost b\n');
    assert.equal(await modeOf(real), 0o644);
    assert.deepEqual(await readdir(join(home, 'real')), ['config', `config.tunnel-config-backup-${STAMP}`]);
    assert.deepEqual(await readdir(join(home, '.ssh')), ['config']);
    assert.deepEqual(await readdir(join(home, 'dotfiles')), ['ssh-config']);
  });

  test('a dangling link is refused with the Include alternative, and nothing is created', async (t) => {
    const { home } = await tempHome(t);
    const path = defaultConfigPath(home);
    await mkdir(dirname(path));
    await symlink('../nowhere/config', path);
    const before = await tree(home);
    assert.deepEqual(await readConfig(path), { path, target: join(home, 'nowhere', 'config'), text: '', exists: false, fingerprint: 'absent' });
    const message = /is a symbolic link to .*\/nowhere\/config, which does not exist.*"Include ~\/\.ssh\/tunnel-config\.conf" at the top/;
    await rejectsWith(assertEditable(path), 'usage', message);
    await rejectsWith(updateConfig(path, append('Host a\n')), 'usage', message);
    assert.deepEqual(await tree(home), before);
  });

  test('a symbolic link loop is refused with the Include alternative', async (t) => {
    const { home } = await tempHome(t);
    const path = defaultConfigPath(home);
    await mkdir(dirname(path));
    await mkdir(join(home, 'loop'));
    await symlink('../loop/a', path);
    await symlink('b', join(home, 'loop', 'a'));
    await symlink('a', join(home, 'loop', 'b'));
    const before = await tree(home);
    await rejectsWith(readConfig(path), 'usage', /symbolic link loop.*Include ~\/\.ssh\/tunnel-config\.conf/);
    await rejectsWith(updateConfig(path, append('Host a\n')), 'usage', /symbolic link loop.*Include ~\/\.ssh\/tunnel-config\.conf/);
    assert.deepEqual(await tree(home), before);
  });
});

describe('read-only targets are refused with the Include alternative', () => {
  test('the alternative is an Include of a file of our own', () => assert.equal(INCLUDE_ALTERNATIVE, 'Include ~/.ssh/tunnel-config.conf'));
  const cases: [string, number, number, RegExp][] = [
    ['a 0444 file in a 0555 directory (a Nix-store style link)', 0o444, 0o555, /is read-only \(.*\/store\/config\)/],
    ['a 0444 file in a writable directory', 0o444, 0o755, /is read-only/],
    ['a writable file in a 0555 directory', 0o644, 0o555, /is in a read-only directory \(.*\/store\)/],
  ];
  for (const [name, fileMode, dirMode, problem] of cases) {
    test(name, async (t) => {
      const { home } = await tempHome(t);
      const store = join(home, 'store');
      await mkdir(store);
      await writeFile(join(store, 'config'), 'Host a\n');
      await chmod(join(store, 'config'), fileMode);
      await chmod(store, dirMode);
      const path = defaultConfigPath(home);
      await mkdir(dirname(path));
      await symlink(join(store, 'config'), path);
      const before = await tree(home);
      assert.equal((await readConfig(path)).text, 'Host a\n');
      await rejectsWith(assertEditable(path), 'usage', problem);
      await rejectsWith(updateConfig(path, append('Host b\n')), 'usage', new RegExp(`${problem.source}.*"${INCLUDE_ALTERNATIVE}"`));
      assert.deepEqual(await tree(home), before);
    });
  }

  test('a file on a read-only mount, directly and through a link', async (t) => {
    const { home, mounts } = await tempHome(t);
    const ro = join(home, 'ro');
    const skip = await mountTmpfs(mounts, ro, 'size=1m,mode=0755');
    if (skip) return t.skip(skip);
    await writeFile(join(ro, 'config'), 'Host a\n', { mode: 0o644 });
    execFileSync('mount', ['-o', 'remount,ro', ro]);
    const path = defaultConfigPath(home);
    await mkdir(dirname(path));
    await symlink(join(ro, 'config'), path);
    const before = await tree(home);
    for (const target of [path, join(ro, 'config')]) {
      await rejectsWith(updateConfig(target, append('Host b\n')), 'usage', /is read-only .*"Include ~\/\.ssh\/tunnel-config\.conf" at the top/);
    }
    assert.deepEqual(await tree(home), before);
  });
});

describe('failures are one-line errors naming the path, and the config is untouched', () => {
  test('no space left: on the lock, on the backup, then on the new file (never a truncated config)', async (t) => {
    const { home, mounts } = await tempHome(t);
    const full = join(home, 'full');
    const skip = await mountTmpfs(mounts, full, 'size=64k,mode=0700');
    if (skip) return t.skip(skip);
    const path = join(full, 'config');
    const original = Buffer.from('# 64 bytes of a line that is there to take some space.........\n'.repeat(128));
    await writeFile(path, original, { mode: 0o600 });
    const fillers: string[] = [];
    try {
      for (;;) {
        const filler = join(full, `filler-${fillers.length}`);
        fillers.push(filler);
        writeFileSync(filler, Buffer.alloc(4096));
      }
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'ENOSPC');
    }
    const names = await readdir(full);
    await rejectsWith(updateConfig(path, append('Host b\n')), 'usage', /^cannot lock .*\/full\/config: no space left on device$/);
    assert.deepEqual(await readFile(path), original);
    assert.deepEqual(await readdir(full), names);

    // Room for the lock (one page) but not for the backup (two).
    await rm(fillers.shift() ?? '', { force: true });
    const roomForLock = await readdir(full);
    await rejectsWith(updateConfig(path, append('Host b\n')), 'usage', /^cannot back up .*\/full\/config to .*\/full\/config\.tunnel-config-backup-\S+: no space left on device$/);
    assert.deepEqual(await readFile(path), original);
    assert.deepEqual(await readdir(full), roomForLock);

    // Room for the lock, the backup and one more page: the new file needs three, so the write must fail whole.
    for (const filler of fillers.slice(0, 3)) await rm(filler, { force: true });
    const smaller = await readdir(full);
    await rejectsWith(updateConfig(path, append('#'.repeat(8192))), 'usage', /^cannot write .*\/full\/config: no space left on device$/);
    assert.deepEqual(await readFile(path), original);
    assert.deepEqual(await readdir(full), smaller);
  });

  test('permission denied (another user reading a root-only file)', async (t) => {
    const { home } = await tempHome(t);
    await chmod(home, 0o755);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n', { mode: 0o600 });
    const { code, result } = await runChild(['read', path], { uid: 1000, gid: 1000 });
    assert.equal(code, 1);
    assert.deepEqual(result, { error: { code: 'usage', message: `cannot read ${path}: permission denied` } });
    await chmod(path, 0o644);
    const other = await runChild(['append', path, 'Host b'], { uid: 1000, gid: 1000 });
    assert.equal(other.code, 1);
    assert.match(String((other.result.error as { message?: string } | undefined)?.message), /is read-only .*Include ~\/\.ssh\/tunnel-config\.conf/);
    assert.equal(await readFile(path, 'utf8'), 'Host a\n');
  });
});

describe('outside edits and other runs', () => {
  test('an edit between read and update is refused and nothing is written', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n');
    const read = await readConfig(path);
    await writeFile(path, 'Host edited\n');
    const before = await tree(home);
    await rejectsWith(updateConfig(path, append('Host b\n'), { expectedFingerprint: read.fingerprint }), 'conflict', /config changed since it was read.*run the command again/);
    assert.deepEqual(await tree(home), before);
  });

  test('a file created after a read of nothing is an edit too', async (t) => {
    const { home } = await tempHome(t);
    const path = defaultConfigPath(home);
    const read = await readConfig(path);
    await mkdir(dirname(path));
    await writeFile(path, 'Host other\n');
    await rejectsWith(updateConfig(path, append('Host b\n'), { expectedFingerprint: read.fingerprint }), 'conflict', /changed since it was read/);
    assert.equal(await readFile(path, 'utf8'), 'Host other\n');
  });

  test('the same bytes (even touched) pass the check', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n');
    const read = await readConfig(path);
    await utimes(path, new Date(0), new Date(0));
    const result = await updateConfig(path, append('Host b\n'), { expectedFingerprint: read.fingerprint });
    assert.equal(result.changed, true);
    assert.equal(await readFile(path, 'utf8'), 'Host a\nHost b\n');
  });

  test('an editor saving while we hold the lock wins: nothing written, no backup or temp file left', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n');
    const change = (text: string) => {
      writeFileSync(path, 'Host saved by an editor\n');
      return `${text}Host b\n`;
    };
    await rejectsWith(updateConfig(path, change), 'conflict', /changed since it was read/);
    assert.equal(await readFile(path, 'utf8'), 'Host saved by an editor\n');
    assert.deepEqual(await readdir(home), ['config']);
  });

  test('a lock held by another run is waited for, then refused', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n');
    await mkdir(`${path}.lock`);
    const started = Date.now();
    await rejectsWith(updateConfig(path, append('Host b\n'), { lockTimeoutMs: 600 }), 'conflict', /locked by another tunnel-config run \(.*\/config\.lock\)/);
    assert.ok(Date.now() - started >= 500, 'gave up without waiting');
    assert.equal(await readFile(path, 'utf8'), 'Host a\n');
  });

  test('a stale lock (a run that died a minute ago) is taken over', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n');
    await mkdir(`${path}.lock`);
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, minuteAgo, minuteAgo);
    await updateConfig(path, append('Host b\n'), { lockTimeoutMs: 600 });
    assert.equal(await readFile(path, 'utf8'), 'Host a\nHost b\n');
    assert.deepEqual((await readdir(home)).filter((name) => !BACKUP.test(name)), ['config']);
  });

  for (const original of ['\uFEFFHost a\r\n  HostName a.example\r\n# keep me\n', undefined]) {
    test(`ten concurrent processes each append a line to ${original ? 'a config' : 'a config not yet there'} and none is lost`, async (t) => {
      const { home } = await tempHome(t);
      const path = defaultConfigPath(home);
      if (original !== undefined) {
        await mkdir(dirname(path), { mode: 0o700 });
        await writeFile(path, original, { mode: 0o600 });
      }
      const startAt = Date.now() + 2000;
      const writers = Array.from({ length: 10 }, (_, n) => `# writer ${n}`);
      const runs = await Promise.all(writers.map((line) => runChild(['append', path, line, String(startAt)])));
      assert.deepEqual(runs.map((run) => run.code), Array(10).fill(0), JSON.stringify(runs.find((run) => run.code !== 0)));
      const text = await readFile(path, 'utf8');
      const before = original ?? '';
      assert.ok(text.startsWith(before), text);
      assert.deepEqual(text.slice(before.length).split('\n').slice(0, -1).sort(), writers);
      assert.equal(text.length, before.length + writers.join('\n').length + 1);
      assert.equal(await modeOf(path), 0o600);
      // Nine or ten backups were made; the newest five are kept.
      assert.equal((await backupsIn(dirname(path))).length, 5);
      assert.deepEqual((await readdir(dirname(path))).filter((name) => !BACKUP.test(name)), ['config']);
    });
  }
});

test('tree() notices a stray temp file, so the "nothing written" checks can fail', async (t) => {
  const { home } = await tempHome(t);
  await writeFile(join(home, 'config'), 'x');
  const before = await tree(home);
  await writeFile(join(home, 'config.123456'), 'y');
  assert.notDeepEqual(await tree(home), before);
  await unlink(join(home, 'config.123456'));
  assert.deepEqual(await tree(home), before);
});
