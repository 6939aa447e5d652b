import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun } from '../harness.js';
import type { World } from '../../world.js';

/** The regular files of a run directory: name → content. */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile()) files.set(name, readFileSync(path, 'latin1'));
  }
  return files;
}

function lines(text: string | undefined): string[] {
  return (text ?? '').split('\n').filter((line) => line.trim() !== '');
}

/** Lines of `after` that `before` did not have. */
export function addedLines(before: string | undefined, after: string | undefined): string[] {
  const old = new Set(lines(before));
  return lines(after).filter((line) => !old.has(line));
}

export interface Lookup {
  /** name → what `ssh-keygen -F name` finds, as `[hashed] [@marker] type key`, sorted. */
  entries: Record<string, string[]>;
  /** name → the lines found under it, as they are in the file. */
  raw: Record<string, string[]>;
  /** Every line any of the names found. */
  found: Set<string>;
}

function describeEntry(line: string): string {
  const fields = line.trim().split(/\s+/);
  const marker = fields[0]?.startsWith('@') ? `${fields.shift()} ` : '';
  const [hosts = '', type = '', key = ''] = fields;
  return `${hosts.startsWith('|1|') ? 'hashed ' : ''}${marker}${type} ${key}`;
}

/** What ssh itself finds in `file` under each name (hashed entries cannot be compared as text: their salts differ). */
export async function lookUp(world: World, file: string, names: readonly string[]): Promise<Lookup> {
  const entries: Record<string, string[]> = {};
  const raw: Record<string, string[]> = {};
  const found = new Set<string>();
  await Promise.all(
    names.map(async (name) => {
      const result = await world.run('ssh-keygen', ['-F', name, '-f', file], { timeoutMs: 10_000 });
      assert.ok(result.code === 0 || result.code === 1, `ssh-keygen -F ${name} -f ${file}: ${describeRun(result)}`);
      const matched = lines(result.stdout.toString('latin1')).filter((line) => !line.startsWith('#'));
      matched.forEach((line) => found.add(line));
      raw[name] = matched;
      entries[name] = matched.map(describeEntry).sort();
    }),
  );
  return { entries, raw, found };
}

/** Every line added to `file` must be one ssh-keygen -F finds under one of the names we compare. */
function assertAddedLinesLookedUp(side: string, file: string, added: string[], lookup: Lookup, names: readonly string[]): void {
  for (const line of added) {
    assert.ok(lookup.found.has(line), `${side} recorded in ${file} under a name other than ${names.join(', ')}: ${line}`);
  }
}

export interface RecordedState {
  start: Map<string, string>;
  ssh: { dir: string; files: Map<string, string> };
  proxy: { dir: string; files: Map<string, string> };
  names: readonly string[];
}

/** ssh and the proxy, each on its own copy of the same starting files, recorded the same host names, types and keys. */
export async function assertSameRecorded(world: World, state: RecordedState): Promise<void> {
  const { start, ssh, proxy, names } = state;
  const fileNames = new Set([...ssh.files.keys(), ...proxy.files.keys()]);
  for (const file of fileNames) {
    const bySsh = ssh.files.get(file);
    const byProxy = proxy.files.get(file);
    if (bySsh === byProxy) continue;
    assert.ok(bySsh !== undefined, `the proxy created ./${file}, ssh did not:\n${byProxy}`);
    assert.ok(byProxy !== undefined, `ssh created ./${file}, the proxy did not:\n${bySsh}`);
    const [sshLookup, proxyLookup] = await Promise.all([lookUp(world, join(ssh.dir, file), names), lookUp(world, join(proxy.dir, file), names)]);
    assertAddedLinesLookedUp('ssh', file, addedLines(start.get(file), bySsh), sshLookup, names);
    assertAddedLinesLookedUp('the proxy', file, addedLines(start.get(file), byProxy), proxyLookup, names);
    assert.deepEqual(
      proxyLookup.entries,
      sshLookup.entries,
      `${file} differs: what ssh-keygen -F finds under each name after the proxy (actual) and after ssh (expected)\n--- ssh's ${file}:\n${bySsh}--- the proxy's ${file}:\n${byProxy}`,
    );
  }
}

/** ssh recorded exactly what the scenario says: each of `names` newly in `file`, and nothing anywhere else. */
export async function assertSshRecorded(world: World, start: Map<string, string>, dir: string, files: Map<string, string>, expected: { file: string; names: string[] }): Promise<void> {
  for (const name of new Set([...start.keys(), ...files.keys()])) {
    if (expected.names.length > 0 && name === expected.file) continue;
    assert.equal(files.get(name), start.get(name), `ssh was not expected to change ./${name}`);
  }
  if (expected.names.length === 0) return;
  const added = addedLines(start.get(expected.file), files.get(expected.file));
  assert.ok(added.length > 0, `ssh recorded nothing in ./${expected.file}, expected ${expected.names.join(', ')}`);
  const lookup = await lookUp(world, join(dir, expected.file), expected.names);
  for (const name of expected.names) {
    const hits = added.filter((line) => lookup.raw[name]?.includes(line));
    assert.ok(hits.length > 0, `ssh did not record ${name} in ./${expected.file}:\n${files.get(expected.file)}`);
  }
  assertAddedLinesLookedUp('ssh', expected.file, added, lookup, expected.names);
}
