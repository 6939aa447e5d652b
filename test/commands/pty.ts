import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { shellQuote } from '../support/quote.js';
import { tunnelConfigBin } from './harness.js';

export interface TerminalRun {
  code: number | null;
  /** Everything drawn on the terminal, colours included. */
  screen: string;
  stderr: string;
}

export interface TerminalOptions {
  home: string;
  /** Set on top of a person's terminal environment (no NO_COLOR, FORCE_COLOR or CI); undefined removes. */
  env?: NodeJS.ProcessEnv;
  /** Each answer is typed once its prompt shows on the screen after the previous answer. */
  answers?: Array<[RegExp, string]>;
}

export const ENTER = '\r';
export const CTRL_C = '\x03';

/** A colour or style escape (SGR); cursor movements are not colour. */
export const SGR = /\x1b\[[0-9;]*m/;

/** Runs tunnel-config with stdin and stdout on a real pseudo-terminal (util-linux `script`), stderr to a file. */
export async function runOnTerminal(args: string[], options: TerminalOptions): Promise<TerminalRun> {
  const errFile = `${options.home}.stderr`;
  const command = [process.execPath, tunnelConfigBin, ...args].map(shellQuote).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: options.home, TERM: 'xterm-256color' };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CI', 'CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID']) delete env[name];
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn('script', ['-q', '-e', '-c', `${command} 2>${shellQuote(errFile)}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let mark = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    for (const [prompt, keys] of options.answers ?? []) {
      const deadline = Date.now() + 10_000;
      while (!prompt.test(stripVTControlCharacters(screen.slice(mark)).replaceAll(/\r?\n/g, ''))) {
        if (child.exitCode !== null || Date.now() > deadline) assert.fail(`${prompt} did not show; the screen:\n${stripVTControlCharacters(screen)}`);
        await sleep(10);
      }
      mark = screen.length;
      child.stdin.write(keys);
    }
    const code = await exited;
    return { code, screen, stderr: readFileSync(errFile, 'utf8') };
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
  }
}
