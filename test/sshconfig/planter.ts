// The attacker of the planted-link tests: runs as the owner of a config directory that root is about to write in.
// `planter DIR VICTIM NAMES_FILE`: puts a symbolic link to VICTIM at every name listed in NAMES_FILE (one a line),
// prints `ready`, then replaces every new entry of DIR (other than the config itself and the lock) with such a link.
// Imports nothing but node: the tests copy it where the unprivileged user can read it.
import { lstatSync, readdirSync, readFileSync, rmSync, symlinkSync, watch } from 'node:fs';
import { join } from 'node:path';

const [dir = '', victim = '', namesFile = ''] = process.argv.slice(2);
const spared = new Set(['config', 'config.lock']);

function plant(name: string): void {
  if (spared.has(name)) return;
  const path = join(dir, name);
  try {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    // Gone (an event for a removal) or already a link: nothing to replace.
    if (stats === undefined || stats.isSymbolicLink()) return;
    rmSync(path, { force: true });
    symlinkSync(victim, path);
  } catch {
    // Lost a race with the writer or with our own earlier event: the next event tries again.
  }
}

for (const name of readFileSync(namesFile, 'utf8').split('\n')) if (name !== '') plant(name);
watch(dir, (_event, name) => {
  if (name === null) for (const entry of readdirSync(dir)) plant(entry);
  else plant(name);
});
process.stdout.write('ready\n');
