export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Describes the failure; called once, on timeout, so it can read logs. */
  what: () => string;
}

/** Polls `probe` until it returns something other than undefined; a throw from probe aborts the wait. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, options: WaitOptions): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms: ${options.what()}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
