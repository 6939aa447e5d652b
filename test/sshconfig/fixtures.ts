import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TunnelSet } from '../../src/sshconfig/types.js';

// Compiled to dist/test/sshconfig/, three levels below the repo root.
export const fixtureDir = fileURLToPath(new URL('../../../fixtures/sshconfig/', import.meta.url));

/** The exact text of a fixture file, a BOM and CRs included. */
export const readFixture = (file: string): string => readFileSync(join(fixtureDir, file), 'utf8');

export const caseNames: string[] = readdirSync(fixtureDir)
  .filter((file) => file.endsWith('.input'))
  .map((file) => file.slice(0, -'.input'.length))
  .sort();

interface Cases {
  sets: { add: TunnelSet; edit: TunnelSet };
  remove: Record<string, string>;
}

export const { sets, remove: removals } = JSON.parse(readFixture('cases.json')) as Cases;
