// A separate process for store.test.ts: `read PATH` or `append PATH LINE [START_AT_MS]`; prints one JSON line.
import { setTimeout as sleep } from 'node:timers/promises';
import { TunnelError } from '../../src/errors.js';
import { readConfig, updateConfig } from '../../src/sshconfig/store.js';

const [mode, path = '', line = '', startAt] = process.argv.slice(2);

async function run(): Promise<unknown> {
  if (mode === 'read') return readConfig(path);
  if (mode === 'append') {
    if (startAt !== undefined) await sleep(Math.max(0, Number(startAt) - Date.now()));
    return updateConfig(path, (text) => {
      // Hold the file for a while so that unlocked writers would surely overlap and lose lines.
      const until = Date.now() + 25;
      while (Date.now() < until);
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
