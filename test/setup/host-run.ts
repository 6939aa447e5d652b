import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runHostSetup } from '../../src/commands/host-setup.js';
import { TunnelError } from '../../src/errors.js';
import type { FakeSystem } from './host-fake.js';

const jumpKey = readFileSync(fileURLToPath(new URL('../../../fixtures/knownhosts/jump_ed25519.pub', import.meta.url)), 'utf8').split(' ')[1] ?? '';

/** The base64 of the fixture jump's ed25519 host key. */
export const JUMP_KEY = jumpKey;

/** A known_hosts line for the fixture jump's key under `name`. */
export const knownLine = (name: string): string => `${name} ssh-ed25519 ${jumpKey}\n`;

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string[];
  error?: TunnelError;
}

/** runHostSetup on a fake machine, with a TunnelError turned into its exit code as cli.ts does. */
export async function hostSetup(system: FakeSystem, argv: string[]): Promise<Outcome> {
  let stdout = '';
  const stderr: string[] = [];
  const io = { env: {}, stdout: (text: string) => void (stdout += text), stderr: (line: string) => void stderr.push(line), interactive: false };
  try {
    return { code: await runHostSetup(argv, io, system), stdout, stderr };
  } catch (error) {
    if (!(error instanceof TunnelError)) throw error;
    return { code: error.exitCode, stdout, stderr, error };
  }
}
