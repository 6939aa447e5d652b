import type { ProxyKey } from './phases.js';
import type { Results, Settings } from './run.js';
import { median, round, summarize } from './stats.js';
import type { VariantKey } from './variants.js';

export interface Machine {
  wallSeconds: number;
  cores: number;
  node: string;
  openssh: string;
  /** The 1-minute load average at the start, its highest, and at the end. */
  load: string;
}

type Cells = Partial<Record<VariantKey, string>>;
interface Row {
  metric: string;
  cells: Cells;
  target: string;
}

const keys: VariantKey[] = ['a', 'b', 'c', 'd'];
const heads = ['(a) direct', '(b) seed', '(c) proxy cold', '(d) proxy warm'];
const ratio = (x: number, seed: number): string => (Number.isFinite(x / seed) ? `${(x / seed).toFixed(2)}×` : '–');
const check = (ok: boolean): string => (ok ? '✔' : '✖');
const rounds = (n: number): string => `${n} round${n === 1 ? '' : 's'}`;

/** "553 ms [520–600] · 0.73×": median, spread, and the ratio to (b) unless it is (b). */
function spreadCells(samples: Partial<Record<VariantKey, number[]>>, unit: string): Cells {
  const seed = median(samples.b ?? []);
  const cells: Cells = {};
  for (const key of keys) {
    const xs = samples[key];
    if (!xs || xs.length === 0) continue;
    const s = summarize(xs);
    const spread = s.n > 1 ? ` [${round(s.low)}–${round(s.high)}]` : '';
    cells[key] = `${round(s.median)} ${unit}${spread}${key === 'b' || !samples.b ? '' : ` · ${ratio(s.median, seed)}`}`;
  }
  return cells;
}

/** One value per variant, with the ratio to (b). */
function valueCells(values: Partial<Record<VariantKey, number>>, unit: string, extra: Partial<Record<VariantKey, string>> = {}): Cells {
  const cells: Cells = {};
  for (const key of keys) {
    const x = values[key];
    if (x === undefined) continue;
    const value = unit === '' ? String(Math.round(x)) : `${round(x)} ${unit}`;
    const more = extra[key] ? ` ${extra[key]}` : '';
    cells[key] = `${value}${more}${key === 'b' || values.b === undefined ? '' : ` · ${ratio(x, values.b)}`}`;
  }
  return cells;
}

function rows(r: Results, s: Settings): Row[] {
  const med = (xs: Record<VariantKey, number[]>): Record<VariantKey, number> => ({ a: median(xs.a), b: median(xs.b), c: median(xs.c), d: median(xs.d) });
  const connect = med(r.connectMs);
  const overhead = { b: connect.b - connect.a, c: connect.c - connect.a, d: connect.d - connect.a };
  const down = med(r.downMiBs);
  const up = med(r.upMiBs);
  const rtt = med(r.roundTripMs);
  const [small, big] = s.rssMiB;
  const rssAt = (i: number): Record<ProxyKey, number> => ({ b: r.proxyRss.b[i] ?? NaN, c: r.proxyRss.c[i] ?? NaN, d: r.proxyRss.d[i] ?? NaN });
  const pick = <T>(f: (k: ProxyKey) => T): Record<ProxyKey, T> => ({ b: f('b'), c: f('c'), d: f('d') });
  const bulk = { c: median(r.bulkMiBs.c), d: median(r.bulkMiBs.d) };
  const rows: Row[] = [
    {
      metric: `\`ssh host-1 true\`, ${r.connectMs.b.length} runs each`,
      cells: spreadCells(r.connectMs, 'ms'),
      target: '',
    },
    {
      metric: 'connect overhead over (a)',
      cells: { a: '0 ms', ...valueCells(overhead, 'ms') },
      target: `cold ≤ 0.45× ${check(overhead.c / overhead.b <= 0.45)}, warm ≤ 0.25× ${check(overhead.d / overhead.b <= 0.25)}`,
    },
    {
      metric: `download ${s.transferMiB} MiB (${rounds(s.rounds)})`,
      cells: spreadCells(r.downMiBs, 'MiB/s'),
      target: `≥ 1.1× cold ${check(down.c / down.b >= 1.1)}, warm ${check(down.d / down.b >= 1.1)}`,
    },
    {
      metric: `upload ${s.transferMiB} MiB (${rounds(s.rounds)})`,
      cells: spreadCells(r.upMiBs, 'MiB/s'),
      target: `≥ 1.1× cold ${check(up.c / up.b >= 1.1)}, warm ${check(up.d / up.b >= 1.1)}`,
    },
    {
      metric: 'CPU per GiB downloaded, all processes on the path (s)',
      cells: spreadCells(r.cpuDown, 's'),
      target: '',
    },
    {
      metric: 'CPU per GiB uploaded, all processes on the path (s)',
      cells: spreadCells(r.cpuUp, 's'),
      target: '',
    },
    {
      metric: `${s.bulkStreams} × ${s.bulkMiB} MiB downloads at once, aggregate (${rounds(s.bulkRounds)})`,
      cells: spreadCells(r.bulkMiBs, 'MiB/s'),
      target: `shared vs not: warm/cold ${ratio(bulk.d, bulk.c)}`,
    },
    {
      metric: `small round trip, reply in two writes 2 ms apart (${s.roundTrips} on one session)`,
      cells: spreadCells(r.roundTripMs, 'ms'),
      target: `≤ 1.2× cold ${check(rtt.c / rtt.b <= 1.2)}, warm ${check(rtt.d / rtt.b <= 1.2)}`,
    },
  ];
  if ('skipped' in r.sshfsMs) {
    rows.push({ metric: `sshfs \`cat\` of ${s.files} small files`, cells: { a: `skipped: ${r.sshfsMs.skipped}` }, target: '' });
  } else {
    const sshfs = r.sshfsMs;
    rows.push({ metric: `sshfs \`cat\` of ${s.files} small files, fresh mount (${rounds(s.sshfsRounds)})`, cells: spreadCells(sshfs, 'ms'), target: '' });
  }
  const flat = (k: ProxyKey): boolean => Math.abs(rssAt(1)[k] - rssAt(0)[k]) <= 5;
  rows.push(
    { metric: `ProxyCommand peak RSS, ${small} MiB download`, cells: valueCells(rssAt(0), 'MiB'), target: `≤ 80 MiB cold ${check(rssAt(0).c <= 80)}, warm ${check(rssAt(0).d <= 80)}` },
    {
      metric: `ProxyCommand peak RSS, ${big} MiB download`,
      cells: valueCells(rssAt(1), 'MiB'),
      target: `≤ 80 MiB cold ${check(rssAt(1).c <= 80)}, warm ${check(rssAt(1).d <= 80)}; same as at ${small} MiB (±5) cold ${check(flat('c'))}, warm ${check(flat('d'))}`,
    },
    {
      metric: `shared process RSS, peak during the ${small} / ${big} MiB downloads (VmHWM after)`,
      cells: { d: `${r.sharedRss.map(round).join(' / ')} MiB (${round(r.sharedHwm)})` },
      target: '',
    },
    {
      metric: `${s.sessions} parallel sessions: total RSS of proxies + shared process`,
      cells: valueCells(pick((k) => r.parallel[k].totalRss), 'MiB'),
      target: `warm ≤ 0.6× today's (cold) ${check(r.parallel.d.totalRss <= 0.6 * r.parallel.c.totalRss)}`,
    },
    {
      metric: `${s.sessions} parallel sessions: jump sshd connections at the peak (accepted during the phase)`,
      cells: valueCells(pick((k) => r.parallel[k].jumpConnections), '', pick((k) => `(${r.parallel[k].acceptedConnections})`)),
      target: `warm ≤ 3 ${check(r.parallel.d.jumpConnections <= 3)}`,
    },
    {
      metric: `${s.sessions} parallel sessions: proxies alive 1 s after their ssh exited`,
      cells: pick((k) => String(r.parallel[k].lingering)),
      target: `none ${check(proxyKeys.every((k) => r.parallel[k].lingering === 0))}`,
    },
    {
      metric: `${s.connects} sequential connects: TCP connections the jump accepted`,
      cells: valueCells(r.jumpConnections, ''),
      target: `warm: 1 ${check(r.jumpConnections.d === 1)}`,
    },
  );
  return rows;
}

const proxyKeys: ProxyKey[] = ['b', 'c', 'd'];

function table(rows: Row[]): string {
  const header = ['metric', ...heads, 'issue 9 target'];
  const body = rows.map((row) => [row.metric, ...keys.map((k) => row.cells[k] ?? '—'), row.target || '']);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((line) => [...(line[i] ?? '')].length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The whole report as markdown: what was run, the ciphers, the table. */
export function renderReport(r: Results, s: Settings, machine: Machine): string {
  const hop = (k: VariantKey): string => r.probes[k].jumpHop ?? '–';
  const endToEnd = [...new Set(keys.map((k) => r.probes[k].endToEnd))].join(' / ');
  return [
    `One run of \`npm run bench\` on ${machine.cores} cores (Node ${machine.node}, ${machine.openssh}), all on loopback, wall time ${Math.round(machine.wallSeconds)} s, 1-minute load average ${machine.load} (start / highest / end).`,
    `Cipher end to end (ssh ↔ hidden sshd): ${endToEnd}; on the jump hop: (b) ${hop('b')}, (c) ${hop('c')}, (d) ${hop('d')} (as the jump's sshd logged them).`,
    'Each phase runs round-robin over the four variants. Figures are medians; [low–high] is the spread (p10–p90 over 10 or more samples, min–max',
    'over fewer); × is the ratio to (b) (for connect latency, of the overheads over (a)). Transfers are timed from the remote being told to start',
    'to the last byte, login excluded. (d) is warm: its shared process was started by a first, untimed connect, which its connection count includes.',
    '',
    table(rows(r, s)),
    '',
  ].join('\n');
}
