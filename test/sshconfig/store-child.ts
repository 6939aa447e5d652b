// A separate process for the store tests: `read PATH` or `append PATH LINE [START_AT_MS] [HOLD_MS]`; prints one JSON line.
// With HOLD_MS, it prints `locked` as soon as it holds the lock, then keeps it that long.
import { setTimeout as sleep } from 'node:timers/promises';
import { TunnelError } from '../../src/errors.js';
import { readConfig, updateConfig } from '../../src/sshconfig/store.js';

const [mode, path = '', line = '', startAt, holdMs] = process.argv.slice(2);

function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

async function run(): Promise<unknown> {
  if (mode === 'read') return readConfig(path);
  if (mode === 'append') {
    if (startAt !== undefined && startAt !== '') await sleep(Math.max(0, Number(startAt) - Date.now()));
    return updateConfig(path, (text) => {
      if (holdMs !== undefined) {
        process.stdout.write('locked\n');
        busyWait(Number(holdMs));
      }
      // Hold the file for a while so that unlocked writers would surely overlap and lose lines.
      busyWait(25);
      return `${text}${line}\n`;
    });
  }
  throw new Error(`unknown mode ${mode}`);
}

try {
  process.stdout.write(`${JSON.stringify(await run())}\n`);
} catch (error) {
  const code = error instanceof TunnelError ? error.code : undefined;
  process.stdout.write(`${JSON.stringify({ error: { code, message: (error as Error).message } })}\n`);
  process.exitCode = 1;
}
