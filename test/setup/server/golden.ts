import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverSetupCommand } from '../../../src/commands/server-setup.js';
import type { CommandIo } from '../../../src/commands/apply-change.js';

// Compiled to dist/test/setup/server/, four levels below the repo root.
export const fixtureDir = fileURLToPath(new URL('../../../../fixtures/setup/server/', import.meta.url));

/** Golden cases: the flags (key files relative to the fixture dir), and the files they must print. */
export const goldenCases: ReadonlyArray<{ name: string; argv: string[] }> = [
  { name: 'per-host', argv: ['--hosts', 'host-1,host-2', '--client-user', 'alice', '--key', 'host-1=host-1.pub'] },
  { name: 'shared', argv: ['--mode', 'shared', '--hosts', 'host-1', '--hosts', 'host-2', '--client-user', 'alice,bob', '--key', 'host-1=host-1.pub', '--key', 'host-2=host-2.pub'] },
  { name: 'shared-bare', argv: ['--mode', 'shared'] },
];

export const withFixturePaths = (argv: readonly string[]): string[] =>
  argv.map((arg, index) => (argv[index - 1] === '--key' ? arg.replace(/=(.*)$/, (_, file: string) => `=${join(fixtureDir, file)}`) : arg));

export interface Output {
  stdout: string;
  stderr: string[];
}

export function captureIo(): { io: CommandIo; out: Output } {
  const out: Output = { stdout: '', stderr: [] };
  return { io: { env: {}, interactive: false, stdout: (text) => void (out.stdout += text), stderr: (line) => void out.stderr.push(line) }, out };
}

export async function printed(argv: readonly string[]): Promise<string> {
  const { io, out } = captureIo();
  const code = await serverSetupCommand(withFixturePaths(argv), io);
  if (code !== 0) throw new Error(`server-setup ${argv.join(' ')} exited ${code}: ${out.stderr.join('\n')}`);
  return out.stdout;
}

/** The expected text; with UPDATE_GOLDEN=1 it is (re)written from `actual` first. */
export function golden(file: string, actual: string): string {
  const path = join(fixtureDir, file);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  return readFileSync(path, 'utf8');
}
