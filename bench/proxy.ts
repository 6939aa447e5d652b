/**
 * Measures tunnel-config proxy against the seed recipe (`ProxyCommand ssh JUMP nc -U SOCK`) in one run,
 * on the same loopback jumphost and hidden host, and prints ratios (ours / seed).
 * Usage: npm run bench [-- --rounds 15 --mib 200]
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createWorld, type World } from '../test/world.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, mib: { type: 'string', default: '200' } } });
const rounds = Number(values.rounds);
const mib = Number(values.mib);

interface Recipe {
  name: string;
  config: string;
  pidFile: string;
}

/** The peak RSS (VmHWM) of the ProxyCommand process, polled until it exits; the last reading is the peak. */
function watchPeakRss(pidFile: string): { stop: () => number } {
  let peakKiB = 0;
  const timer = setInterval(() => {
    try {
      const pid = readFileSync(pidFile, 'utf8').trim();
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
    } catch {
      // not started yet, or gone
    }
  }, 20);
  return { stop: () => (clearInterval(timer), peakKiB / 1024) };
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function timeLogin(world: World, recipe: Recipe): Promise<number> {
  const result = await world.ssh(['host-1', 'true'], { configPath: recipe.config, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${recipe.name}: ssh host-1 true exited ${result.code}: ${result.stderr}`);
  return result.ms;
}

/** MiB/s for `mib` MiB host → client, and the proxy process's peak RSS in MiB during it. */
async function download(world: World, recipe: Recipe): Promise<{ rate: number; rssMiB: number }> {
  rmSync(recipe.pidFile, { force: true });
  const rss = watchPeakRss(recipe.pidFile);
  const result = await world.ssh(['host-1', `head -c ${mib}M /dev/zero`], { configPath: recipe.config, timeoutMs: 300_000 });
  const rssMiB = rss.stop();
  if (result.code !== 0 || result.stdout.length !== mib * 1024 * 1024) {
    throw new Error(`${recipe.name}: download gave ${result.stdout.length} bytes, exit ${result.code}: ${result.stderr}`);
  }
  return { rate: mib / (result.ms / 1000), rssMiB };
}

async function upload(world: World, recipe: Recipe, data: Buffer): Promise<number> {
  const result = await world.ssh(['host-1', 'wc -c'], { configPath: recipe.config, input: data, timeoutMs: 300_000 });
  if (result.code !== 0 || Number(result.stdout.toString().trim()) !== data.length) {
    throw new Error(`${recipe.name}: upload exit ${result.code}, remote counted ${result.stdout.toString().trim()}: ${result.stderr}`);
  }
  return mib / (result.ms / 1000);
}

const world = await createWorld();
try {
  await world.connectHost('host-1');
  // The wrapper records the ProxyCommand's pid, then becomes it.
  const wrapper = join(world.dir, 'record-pid.sh');
  writeFileSync(wrapper, '#!/bin/sh\necho $$ > "$1"\nshift\nexec "$@"\n', { mode: 0o755 });
  const recipe = (name: string, proxyCommand: string): Recipe => {
    const pidFile = join(world.dir, `${name}.pid`);
    const config = world.writeClientConfig(`${wrapper} ${pidFile} ${proxyCommand}`, { path: join(world.dir, `${name}.config`) });
    return { name, config, pidFile };
  };
  const seed = recipe('seed', world.seedProxyCommand(join(world.dir, 'seed.config')));
  const ours = recipe('ours', world.tunnelConfigProxyCommand({ configPath: join(world.dir, 'ours.config') }));

  const logins: Record<string, number[]> = { seed: [], ours: [] };
  for (let i = 0; i < rounds; i++) {
    for (const r of i % 2 ? [seed, ours] : [ours, seed]) logins[r.name]?.push(await timeLogin(world, r));
  }
  const data = Buffer.alloc(mib * 1024 * 1024, 0x5a);
  const samples = new Map<string, { down: number[]; up: number[]; rss: number[] }>();
  for (let i = 0; i < 3; i++) {
    for (const r of i % 2 ? [seed, ours] : [ours, seed]) {
      const sample = samples.get(r.name) ?? { down: [], up: [], rss: [] };
      const down = await download(world, r);
      sample.down.push(down.rate);
      sample.rss.push(down.rssMiB);
      sample.up.push(await upload(world, r, data));
      samples.set(r.name, sample);
    }
  }
  const results = new Map<string, { login: number; down: number; up: number; rss: number }>();
  for (const r of [seed, ours]) {
    const sample = samples.get(r.name) ?? { down: [], up: [], rss: [] };
    results.set(r.name, { login: median(logins[r.name] ?? []), down: median(sample.down), up: median(sample.up), rss: Math.max(...sample.rss) });
  }

  const s = results.get('seed');
  const o = results.get('ours');
  if (!s || !o) throw new Error('missing results');
  const row = (what: string, seedValue: number, ourValue: number, unit: string, better: 'lower' | 'higher'): string =>
    `${what.padEnd(34)} ${seedValue.toFixed(1).padStart(9)} ${ourValue.toFixed(1).padStart(9)} ${unit.padEnd(6)} ${(ourValue / seedValue).toFixed(2).padStart(6)}x  (${better} is better)`;
  process.stdout.write(
    [
      `tunnel-config proxy vs seed recipe (ssh JUMP nc -U), loopback, medians of ${rounds} logins and 3 × ${mib} MiB transfers each way`,
      `${'metric'.padEnd(34)} ${'seed'.padStart(9)} ${'ours'.padStart(9)} ${'unit'.padEnd(6)} ${'ratio'.padStart(7)}`,
      row('ssh host-1 true, median', s.login, o.login, 'ms', 'lower'),
      row('download host → client', s.down, o.down, 'MiB/s', 'higher'),
      row('upload client → host', s.up, o.up, 'MiB/s', 'higher'),
      row('ProxyCommand peak RSS (download)', s.rss, o.rss, 'MiB', 'lower'),
      '',
    ].join('\n'),
  );
} finally {
  await world.close();
}
