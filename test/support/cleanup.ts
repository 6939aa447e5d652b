/**
 * Synchronous last-resort cleanups for when the test process ends without calling close()
 * (an uncaught error, Ctrl-C, the runner's SIGTERM): our children are in their own sessions
 * and would otherwise outlive us.
 */
const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // keep going: the others must still run
    }
  }
  cleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

export function registerCleanup(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
