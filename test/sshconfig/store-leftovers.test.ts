// What a run leaves behind: temporaries of killed runs, backups, and locks of runs alive or dead.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { lstat, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { updateConfig } from '../../src/sshconfig/store.js';
import { addFlags, runCli, USER_CONFIG } from '../commands/harness.js';
import { BACKUP, CHILD, deadPid, tempHome } from './store-harness.js';

const append = (line: string) => (text: string) => `${text}${line}`;

/** store-child.js appending `line` and holding the lock for `holdMs` once it has it; resolves when it holds it. */
async function startHolder(t: TestContext, path: string, line: string, holdMs: number): Promise<{ pid: number; done: Promise<number | null> }> {
  const child = spawn(process.execPath, [CHILD, 'append', path, line, '', String(holdMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => ((out += text), out.includes('locked\n') && resolve()));
    void done.then((code) => reject(new Error(`the holder ended (${String(code)}) before taking the lock: ${out}`)));
  });
  assert.ok(child.pid !== undefined);
  return { pid: child.pid, done };
}

describe('temporary files of killed runs', () => {
  test('the next run removes its own stale temporaries of this file, and nothing else', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n', { mode: 0o600 });
    const outside = join(home, 'outside');
    await writeFile(outside, 'keep\n');
    const dead = deadPid();
    const old = new Date(Date.now() - 120_000);
    const entries = {
      // A full copy left by a run killed between its write and its rename.
      deadWriter: `.config.tunnel-config-${dead}-0123456789abcdef.tmp`,
      oldWriter: `.config.tunnel-config-${process.pid}-aaaaaaaaaaaaaaaa.tmp`,
      liveWriter: `.config.tunnel-config-${process.pid}-bbbbbbbbbbbbbbbb.tmp`,
      link: `.config.tunnel-config-${dead}-cccccccccccccccc.tmp`,
      otherFile: `.other.tunnel-config-${dead}-dddddddddddddddd.tmp`,
      notOurs: `.config.tunnel-config-${dead}.tmp`,
    };
    for (const name of [entries.deadWriter, entries.oldWriter, entries.liveWriter, entries.otherFile, entries.notOurs]) await writeFile(join(home, name), 'Host a\n');
    await utimes(join(home, entries.oldWriter), old, old);
    await symlink(outside, join(home, entries.link));
    await updateConfig(path, append('Host b\n'));
    const left = (await readdir(home)).filter((name) => !BACKUP.test(name)).sort();
    assert.deepEqual(left, [entries.otherFile, entries.link, entries.notOurs, entries.liveWriter, 'config', 'outside'].sort());
    assert.equal(await readFile(outside, 'utf8'), 'keep\n');
    assert.ok((await lstat(join(home, entries.link))).isSymbolicLink());
  });
});

describe('backups', () => {
  test('the newest five of each file are kept', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'v0\n', { mode: 0o600 });
    const other = join(home, 'other.tunnel-config-backup-20200101T000000Z');
    await writeFile(other, 'other\n');
    await symlink(other, join(home, 'config.tunnel-config-backup-20000101T000000Z'));
    const start = Date.parse('2026-11-21T23:15:00Z');
    for (let n = 1; n <= 8; n++) await updateConfig(path, () => `v${n}\n`, { now: new Date(start + n * 1000) });
    const ours = (await readdir(home)).filter((name) => name.startsWith('config.tunnel-config-backup-2026')).sort();
    assert.deepEqual(ours, [4, 5, 6, 7, 8].map((n) => `config.tunnel-config-backup-20261121T2315${String(n).padStart(2, '0')}Z`));
    assert.deepEqual(await Promise.all(ours.map((name) => readFile(join(home, name), 'utf8'))), ['v3\n', 'v4\n', 'v5\n', 'v6\n', 'v7\n']);
    assert.ok((await lstat(join(home, 'config.tunnel-config-backup-20000101T000000Z'))).isSymbolicLink(), 'a link is not a backup of ours');
    assert.equal(await readFile(other, 'utf8'), 'other\n');
  });

  test('within one second, the numbered ones are ordered by number', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'v0\n', { mode: 0o600 });
    const now = new Date('2026-11-21T23:15:00Z');
    for (let n = 1; n <= 8; n++) await updateConfig(path, () => `v${n}\n`, { now });
    const base = 'config.tunnel-config-backup-20261121T231500Z';
    assert.deepEqual((await readdir(home)).filter((name) => BACKUP.test(name)).sort(), [4, 5, 6, 7, 8].map((n) => `${base}-${n}`).sort());
    assert.equal(await readFile(join(home, `${base}-4`), 'utf8'), 'v3\n');
  });
});

describe('locks', () => {
  test('a lock held by a live run: stderr names its process, the run waits and then lands', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, USER_CONFIG, { mode: 0o600 });
    const holder = await startHolder(t, path, '# the holder', 3000);
    const started = Date.now();
    const run = await runCli([...addFlags('home', path), '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started >= 1500, 'did not wait for the holder');
    assert.match(run.stderr, new RegExp(`^tunnel-config: waiting for process ${holder.pid}, another tunnel-config run, to release its lock on ${path} \\(${path}\\.lock\\); if that process is gone, the lock is taken over within 10 s\\n`));
    assert.equal(await holder.done, 0);
    const text = await readFile(path, 'utf8');
    assert.match(text, /^# the holder$/m);
    assert.match(text, /^# >>> tunnel-config home >>>$/m);
  });

  test('a lock of a process that is gone is taken over at once, and said so', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, 'Host a\n');
    const dead = deadPid();
    await writeFile(`${path}.lock`, `${dead} ${hostname()}\n`);
    const said: string[] = [];
    const started = Date.now();
    await updateConfig(path, append('Host b\n'), { lockTimeoutMs: 3000, notify: (message: string) => said.push(message) });
    assert.ok(Date.now() - started < 2000, 'waited for a dead process');
    assert.deepEqual(said, [`took over the lock on ${path} (${path}.lock) from process ${dead}, which is no longer running`]);
    assert.equal(await readFile(path, 'utf8'), 'Host a\nHost b\n');
    assert.deepEqual((await readdir(home)).filter((name) => !BACKUP.test(name)), ['config']);
  });

  test('kill -9 while holding the lock: the next run goes ahead without waiting out the stale time', async (t) => {
    const { home } = await tempHome(t);
    const path = join(home, 'config');
    await writeFile(path, USER_CONFIG, { mode: 0o600 });
    const holder = await startHolder(t, path, '# never written', 60_000);
    process.kill(holder.pid, 'SIGKILL');
    await holder.done;
    assert.match(readFileSync(`${path}.lock`, 'utf8'), new RegExp(`^${holder.pid} `), 'the killed run left its lock');
    const started = Date.now();
    const run = await runCli([...addFlags('home', path), '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.match(run.stderr, new RegExp(`^tunnel-config: took over the lock on ${path} \\(${path}\\.lock\\) from process ${holder.pid}, which is no longer running\\n`));
    assert.doesNotMatch(await readFile(path, 'utf8'), /never written/);
  });
});
