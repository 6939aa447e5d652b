/**
 * `npm run bench`: issue 9's benchmark. In one loopback world, interleaved round-robin, it measures (a) direct ssh
 * to the hidden sshd, (b) the seed recipe, (c) the proxy cold (--persist 0) and (d) the proxy warm (shared
 * process started by a first untimed connect); prints one table of figures with ratios to (b) and writes it to
 * bench/results.md. `--quick` scales everything down (and writes nothing unless --out is given).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerCleanup } from '../test/support/cleanup.js';
import { ProcessTracker } from '../test/support/process.js';
import { createWorld, repoRoot, type World } from '../test/world.js';
import { runAll, type Settings } from './run.js';
import { renderReport } from './report.js';
import { stopShared } from './variants.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    connects: { type: 'string' },
    rounds: { type: 'string' },
    mib: { type: 'string' },
    'round-trips': { type: 'string' },
    files: { type: 'string' },
    sessions: { type: 'string' },
    'bulk-mib': { type: 'string' },
    'rss-mib': { type: 'string' },
    out: { type: 'string' },
  },
});
const quick = values.quick === true;
const number = (text: string | undefined, full: number, small: number): number => {
  const value = Number(text ?? (quick ? small : full));
  if (!Number.isInteger(value) || value < 1) throw new Error(`not a positive whole number: ${text}`);
  return value;
};
const settings: Settings = {
  connects: number(values.connects, 100, 20),
  rounds: number(values.rounds, 3, 1),
  transferMiB: number(values.mib, 512, 64),
  roundTrips: number(values['round-trips'], 200, 50),
  files: number(values.files, 300, 60),
  sessions: number(values.sessions, 40, 10),
  bulkStreams: 8,
  bulkMiB: number(values['bulk-mib'], 128, 16),
  bulkRounds: quick ? 1 : 2,
  sshfsRounds: quick ? 1 : 2,
  rssMiB: [100, number(values['rss-mib'], 1024, 256)],
};
const out = values.out ?? (quick ? undefined : join(repoRoot, 'bench', 'results.md'));

const started = performance.now();
const loadAtStart = loadavg()[0] ?? NaN;
let loadMax = loadAtStart;
// Other work on the machine skews every figure: the report says how much there was.
const loadWatch = setInterval(() => (loadMax = Math.max(loadMax, loadavg()[0] ?? 0)), 5000);
loadWatch.unref();
const tracker = new ProcessTracker();
const unregister = registerCleanup(() => tracker.killAllSync());
let world: World | undefined;
const sharedPids = new Set<number>();
try {
  world = await createWorld();
  await world.connectHost('host-1');
  const results = await runAll(world, tracker, settings, (pid) => sharedPids.add(pid), (line) => process.stderr.write(`${Math.round((performance.now() - started) / 1000)} s  ${line}\n`));
  const wallSeconds = (performance.now() - started) / 1000;
  const openssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim().split(/[ ,]/)[0] ?? 'OpenSSH';
  const report = renderReport(results, settings, { wallSeconds, cores: cpus().length, node: process.version, openssh, load: `${loadAtStart.toFixed(1)} / ${loadMax.toFixed(1)} / ${(loadavg()[0] ?? NaN).toFixed(1)}` });
  process.stdout.write(report);
  if (out) {
    writeFileSync(out, report);
    process.stderr.write(`wrote ${out}\n`);
  }
} finally {
  if (world) {
    await stopShared(world, sharedPids);
    await tracker.close();
    await world.close();
  }
  unregister();
}
