// Root edits alice's config while alice attacks: root's files must never be written, chowned or created in.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { chmod, chown, copyFile, lchown, lstat, mkdir, mkdtemp, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { watch } from 'node:fs';
import { updateConfig } from '../../src/sshconfig/store.js';
import { addFlags, assertOneErrorLine, repoRoot, runCli, snapshotTree, USER_CONFIG } from '../commands/harness.js';
import { isRoot, NOBODY, rejectsWith } from './store-harness.js';

const ALICE = NOBODY;
const BOB = 4242;
const PLANTER = fileURLToPath(new URL('./planter.js', import.meta.url));
const VICTIM_BYTES = 'root:secret:1:2:3\n';

interface World {
  base: string;
  /** Processes of alice's, ended before the world is removed. */
  alice: ChildProcess[];
  /** A root-owned 0600 file that alice would like root to overwrite or hand over to her. */
  victim: string;
  ssh: string;
  config: string;
}

/** /tmp/…/alice/.ssh/config as people have it: alice's file in alice's 0700 directories; root's victim beside. */
async function aliceWorld(t: TestContext): Promise<World> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'tc-attack-')));
  const alice: ChildProcess[] = [];
  t.after(async () => {
    await Promise.all(alice.map((child) => child.exitCode === null && child.signalCode === null && new Promise((resolve) => child.once('exit', resolve).kill())));
    await rm(base, { recursive: true, force: true });
  });
  await chmod(base, 0o755);
  const victim = join(base, 'victim');
  await writeFile(victim, VICTIM_BYTES, { mode: 0o600 });
  const home = join(base, 'alice');
  const ssh = join(home, '.ssh');
  const config = join(ssh, 'config');
  for (const dir of [home, ssh]) {
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, ALICE, ALICE);
  }
  await writeFile(config, USER_CONFIG, { mode: 0o600 });
  await chown(config, ALICE, ALICE);
  return { base, alice, victim, ssh, config };
}

/** What alice must not be able to change about a file of root's: bytes, owner, mode, inode, times. */
async function identity(path: string): Promise<string> {
  const stats = await stat(path);
  const hash = createHash('sha256').update(await readFile(path)).digest('hex');
  return `${hash} ${stats.uid}:${stats.gid} ${(stats.mode & 0o7777).toString(8)} ino=${stats.ino} mtime=${stats.mtimeMs} ctime=${stats.ctimeMs}`;
}

/** write-file-atomic 7 names its temporary file `REALPATH.<uint32 of sha1(library path, pid, thread, call)>`: easy to plant ahead. */
function writeFileAtomicNames(file: string, count: number): string[] {
  const library = join(repoRoot, 'node_modules', 'write-file-atomic', 'lib', 'index.js');
  const last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
  return Array.from({ length: count }, (_, i) => {
    const hash = createHash('sha1').update(library).update(String(last + 1 + i)).update('0').update('1').digest();
    return `${basename(file)}.${hash.readUInt32BE(0)}`;
  });
}

/** Backup names of the next two minutes, in case a writer opened them without O_EXCL. */
function backupNames(file: string): string[] {
  return Array.from({ length: 120 }, (_, i) => {
    const stamp = new Date(Date.now() + i * 1000).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
    return `${basename(file)}.tunnel-config-backup-${stamp}`;
  });
}

/** Starts the planter as alice (from a copy she can read) and waits until its links are in place. */
async function startPlanter(world: World, names: string[]): Promise<void> {
  const script = join(world.base, 'planter.mjs');
  const namesFile = join(world.base, 'names');
  await copyFile(PLANTER, script);
  await writeFile(namesFile, names.join('\n'));
  await chmod(script, 0o644);
  await chmod(namesFile, 0o644);
  const planter = spawn(process.execPath, [script, world.ssh, world.victim, namesFile], { uid: ALICE, gid: ALICE, stdio: ['ignore', 'pipe', 'inherit'] });
  world.alice.push(planter);
  await new Promise<void>((resolve, reject) => {
    planter.stdout.setEncoding('utf8').on('data', (text: string) => text.includes('ready') && resolve());
    planter.on('exit', (code) => reject(new Error(`the planter ended (${String(code)}) before it was ready`)));
  });
}

/** Root's view of everything outside alice's home. */
const outsideAlice = (base: string) => Object.fromEntries(Object.entries(snapshotTree(base)).filter(([name]) => !name.startsWith('./alice')));

describe('as root, on a config in a directory of its owner', { skip: !isRoot && 'needs root' }, () => {
  test('links planted ahead and in place of every new entry never lead root to write or chown a file of its own', async (t) => {
    const world = await aliceWorld(t);
    const victimBefore = await identity(world.victim);
    await startPlanter(world, [...writeFileAtomicNames(world.config, 4000), ...backupNames(world.config), 'config.tmp', '.config.swp']);
    const before = outsideAlice(world.base);
    const codes: (number | null)[] = [];
    const said: string[] = [];
    for (let run = 0; run < 5; run++) {
      // Each run starts from alice's plain file again, so each one is exposed to the whole attack.
      if (!lstatSync(world.config).isFile()) {
        await rm(world.config, { force: true });
        await writeFile(world.config, USER_CONFIG, { mode: 0o600 });
        await chown(world.config, ALICE, ALICE);
      }
      const result = await runCli([...addFlags(`set${run}`, world.config), '--yes'], { home: world.base, timeoutMs: 60_000 });
      codes.push(result.code);
      said.push(result.stderr);
    }
    t.diagnostic(`exit codes: ${codes.join(', ')}`);
    assert.equal(await identity(world.victim), victimBefore, `root's file was written or chowned (exit codes ${codes.join(', ')})`);
    assert.deepEqual(outsideAlice(world.base), before);
    // Written, refused, or called off as a conflict: never a crash.
    codes.forEach((code, run) => assert.ok([0, 2, 8].includes(code ?? -1), `run ${run}: exit ${String(code)}: ${said[run]}`));
  });

  test('alice moving her ~/.ssh aside for a link to a root directory mid-edit: nothing is created there, even for a moment', async (t) => {
    const world = await aliceWorld(t);
    const rootDir = join(world.base, 'etc');
    await mkdir(rootDir, { mode: 0o755 });
    await writeFile(join(rootDir, 'config'), VICTIM_BYTES, { mode: 0o600 });
    const before = snapshotTree(rootDir);
    const seen: string[] = [];
    const watcher = watch(rootDir, (_event, name) => seen.push(String(name)));
    t.after(() => watcher.close());
    // The change runs under the lock, after the last look at the path: the moment alice would pick.
    const swap = (text: string): string => {
      renameSync(world.ssh, `${world.ssh}-moved`);
      symlinkSync(rootDir, world.ssh);
      return `${text}Host b\n`;
    };
    await updateConfig(world.config, swap).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(seen, [], 'entries were made in root\'s directory');
    assert.deepEqual(snapshotTree(rootDir), before);
  });

  const owners: [string, number][] = [
    ['root', 0],
    ['bob', BOB],
  ];
  for (const [who, uid] of owners) {
    test(`alice's config a link to a file of ${who}'s: refused before anything is written anywhere`, async (t) => {
      const world = await aliceWorld(t);
      const elsewhere = join(world.base, 'etc');
      await mkdir(elsewhere, { mode: 0o755 });
      await chown(elsewhere, uid, uid);
      const target = join(elsewhere, 'something');
      await writeFile(target, VICTIM_BYTES, { mode: 0o644 });
      await chown(target, uid, uid);
      await rm(world.config);
      await symlink(target, world.config);
      await lchown(world.config, ALICE, ALICE);
      const before = snapshotTree(world.base);
      for (const args of [[...addFlags('home', world.config), '--yes'], addFlags('home', world.config)]) {
        assertOneErrorLine(await runCli(args, { home: world.base }), new RegExp(`${world.config} is a symbolic link of .*\\buid ${ALICE}\\b.* to ${target}, which belongs to (root|uid ${uid})`));
      }
      await rejectsWith(updateConfig(world.config, (text) => `${text}Host b\n`), 'usage', /belongs to/);
      assert.deepEqual(snapshotTree(world.base), before);
    });
  }

  test("alice's ~/.ssh a link to a directory of root's: refused, nothing written there", async (t) => {
    const world = await aliceWorld(t);
    const rootDir = join(world.base, 'etc');
    await mkdir(rootDir, { mode: 0o755 });
    await writeFile(join(rootDir, 'config'), VICTIM_BYTES, { mode: 0o600 });
    await rm(world.ssh, { recursive: true });
    await symlink(rootDir, world.ssh);
    await lchown(world.ssh, ALICE, ALICE);
    const before = snapshotTree(world.base);
    assertOneErrorLine(
      await runCli([...addFlags('home', world.config), '--yes'], { home: world.base }),
      new RegExp(`${world.ssh} is a symbolic link of .*\\buid ${ALICE}\\b.* that leads to ${rootDir}/config, which belongs to root`),
    );
    assert.deepEqual(snapshotTree(world.base), before);
  });

  test("a link of root's to alice's file is followed, and the file stays alice's", async (t) => {
    const world = await aliceWorld(t);
    const link = join(world.base, 'alice-config');
    await symlink(world.config, link);
    const result = await runCli([...addFlags('home', link), '--yes'], { home: world.base });
    assert.equal(result.code, 0, result.stderr);
    assert.match(await readFile(world.config, 'utf8'), /^# >>> tunnel-config home >>>$/m);
    const stats = await lstat(world.config);
    assert.deepEqual([stats.isFile(), stats.uid, stats.gid, stats.mode & 0o7777], [true, ALICE, ALICE, 0o600]);
  });
});
