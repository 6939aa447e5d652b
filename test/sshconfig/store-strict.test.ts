// Like OpenSSH's StrictModes: a config that others could change under us is refused, naming the path and the fix.
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { updateConfig } from '../../src/sshconfig/store.js';
import { addFlags, assertOneErrorLine, runCli, snapshotTree, USER_CONFIG } from '../commands/harness.js';
import { isRoot, NOBODY, rejectsWith, runChild, tempHome } from './store-harness.js';

const OTHER = 4242;

interface Case {
  name: string;
  /** Directories under HOME down to the config's, each with its mode and owner. */
  dirs: [string, number, number][];
  file: { mode: number; uid: number };
  /** What the refusal says, `HOME` standing for the temp home. */
  says: string;
}

const cases: Case[] = [
  { name: 'a group-writable config', dirs: [['ssh', 0o700, 0]], file: { mode: 0o660, uid: 0 }, says: 'HOME/ssh/config is writable by others than its owner \\(mode 0660\\).*run `chmod go-w HOME/ssh/config`' },
  { name: 'a world-writable config', dirs: [['ssh', 0o700, 0]], file: { mode: 0o646, uid: 0 }, says: 'HOME/ssh/config is writable by others than its owner \\(mode 0646\\).*`chmod go-w HOME/ssh/config`' },
  { name: 'a world-writable directory', dirs: [['ssh', 0o777, 0]], file: { mode: 0o600, uid: 0 }, says: 'HOME/ssh/config is in HOME/ssh, which is writable by others than its owner \\(mode 0777\\).*`chmod go-w HOME/ssh`' },
  { name: 'a group-writable directory above', dirs: [['shared', 0o770, 0], ['ssh', 0o700, 0]], file: { mode: 0o600, uid: 0 }, says: 'HOME/shared/ssh/config is reached through HOME/shared, which is writable by others than its owner \\(mode 0770\\).*`chmod go-w HOME/shared`' },
  { name: 'a sticky world-writable directory of its own (like /tmp)', dirs: [['tmp', 0o1777, 0]], file: { mode: 0o600, uid: 0 }, says: 'HOME/tmp/config is in HOME/tmp, where every user can create files \\(mode 1777\\).*keep the config in a directory only its owner can write' },
  { name: 'a directory of another user', dirs: [['ssh', 0o755, OTHER]], file: { mode: 0o600, uid: 0 }, says: `HOME/ssh/config is in HOME/ssh, which belongs to uid ${OTHER}, not to the config's owner \\(root\\).*\`chown root HOME/ssh\`` },
  { name: "alice's config in bob's directory", dirs: [['bob', 0o755, OTHER]], file: { mode: 0o600, uid: NOBODY }, says: `HOME/bob/config is in HOME/bob, which belongs to uid ${OTHER}, not to the config's owner, .*\\buid ${NOBODY}\\b.*, or root` },
];

describe('configs others could change are refused before anything is written', { skip: !isRoot && 'needs root' }, () => {
  for (const { name, dirs, file, says } of cases) {
    test(name, async (t) => {
      const { home } = await tempHome(t);
      let dir = home;
      for (const [child, mode, uid] of dirs) {
        dir = join(dir, child);
        await mkdir(dir);
        await chmod(dir, mode);
        await chown(dir, uid, uid);
      }
      const config = join(dir, 'config');
      await writeFile(config, USER_CONFIG);
      await chmod(config, file.mode);
      await chown(config, file.uid, file.uid);
      const pattern = new RegExp(says.replaceAll('HOME', home));
      const before = snapshotTree(home);
      for (const args of [[...addFlags('home', config), '--yes'], addFlags('home', config)]) {
        assertOneErrorLine(await runCli(args, { home }), pattern, args.join(' '));
      }
      await rejectsWith(updateConfig(config, (text) => `${text}Host b\n`), 'usage', pattern);
      // No backup, lock or temporary file either: not one byte anywhere.
      assert.deepEqual(snapshotTree(home), before);
    });
  }
});

describe('what is not refused', { skip: !isRoot && 'needs root' }, () => {
  test('a plain user editing a config of their own in directories of their own', async (t) => {
    const { home } = await tempHome(t);
    await chmod(home, 0o755);
    const dir = join(home, 'user');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, 1000, 1000);
    const config = join(dir, 'config');
    await writeFile(config, 'Host a\n', { mode: 0o600 });
    await chown(config, 1000, 1000);
    const { code, result } = await runChild(['append', config, 'Host b'], { uid: 1000, gid: 1000 });
    assert.equal(code, 0, JSON.stringify(result));
    assert.equal(await readFile(config, 'utf8'), 'Host a\nHost b\n');
  });

  test('a sticky world-writable directory on the way (like /tmp), and a link in one', async (t) => {
    const { home } = await tempHome(t);
    const shared = join(home, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await mkdir(join(shared, 'mine'), { mode: 0o700 });
    const config = join(shared, 'mine', 'config');
    await writeFile(config, 'Host a\n', { mode: 0o600 });
    await symlink(config, join(shared, 'link'));
    await updateConfig(join(shared, 'link'), (text) => `${text}Host b\n`);
    assert.equal(await readFile(config, 'utf8'), 'Host a\nHost b\n');
  });
});

test('a link in a directory others can write: refused, since they could point it elsewhere', { skip: !isRoot && 'needs root' }, async (t) => {
  const { home } = await tempHome(t);
  const open = join(home, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  await mkdir(join(home, 'ssh'), { mode: 0o700 });
  const config = join(home, 'ssh', 'config');
  await writeFile(config, 'Host a\n', { mode: 0o600 });
  await symlink(config, join(open, 'link'));
  const before = snapshotTree(home);
  await rejectsWith(
    updateConfig(join(open, 'link'), (text) => `${text}Host b\n`),
    'usage',
    new RegExp(`^${open}/link \\(-> ${config}\\) is reached through ${open}, which is writable by others than its owner \\(mode 0777\\).*\`chmod go-w ${open}\``),
  );
  assert.deepEqual(snapshotTree(home), before);
});
