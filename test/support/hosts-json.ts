import assert from 'node:assert/strict';

/** One row of `tunnel-config hosts --json`. */
export interface HostJson {
  name: string;
  set: string | null;
  jump: string;
  socketPath: string;
  state: string;
  banner: string | null;
  rttMs: number | null;
}

/** rttMs is a time: checked to be one, then left out of the comparison. */
export function withoutTimes(rows: HostJson[]): HostJson[] {
  for (const { name, rttMs } of rows) assert.ok(typeof rttMs === 'number' && rttMs >= 0 && rttMs < 10_000, `${name}: rttMs ${String(rttMs)}`);
  return rows.map((r) => ({ ...r, rttMs: null }));
}
