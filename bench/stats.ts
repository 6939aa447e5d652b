/** The q-quantile (0…1) of xs, by linear interpolation; NaN when empty. */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] ?? NaN;
  const high = sorted[Math.ceil(at)] ?? NaN;
  return low + (high - low) * (at - Math.floor(at));
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

export interface Summary {
  median: number;
  low: number;
  high: number;
  /** 'p10–p90' for many samples, 'min–max' for a few. */
  spread: 'p10–p90' | 'min–max';
  n: number;
}

export function summarize(xs: readonly number[]): Summary {
  const few = xs.length < 10;
  return {
    median: median(xs),
    low: few ? Math.min(...xs) : quantile(xs, 0.1),
    high: few ? Math.max(...xs) : quantile(xs, 0.9),
    spread: few ? 'min–max' : 'p10–p90',
    n: xs.length,
  };
}

/** A number with as many decimals as its size calls for: 1234, 123, 12.3, 1.23. */
export function round(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const size = Math.abs(x);
  return x.toFixed(size >= 100 ? 0 : size >= 10 ? 1 : 2);
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
