import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TunnelSpec } from '../../src/setup/host/spec.js';

// Compiled to dist/test/setup/, three levels below the repo root.
export const fixtureDir = fileURLToPath(new URL('../../../fixtures/setup/host/', import.meta.url));

export interface GoldenCase {
  about: string;
  spec: TunnelSpec;
  runAs: string;
  logPath?: string;
}

export const goldenCases = JSON.parse(readFileSync(join(fixtureDir, 'cases.json'), 'utf8')) as Record<string, GoldenCase>;

/**
 * The golden file's text; with UPDATE_GOLDEN=1 it is (re)written from `actual` first, to review with git diff.
 * A missing golden file is an error, never silently created.
 */
export function golden(file: string, actual: string): string {
  const path = join(fixtureDir, file);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  if (!existsSync(path)) throw new Error(`no golden file ${path}: run the tests with UPDATE_GOLDEN=1 and review it`);
  return readFileSync(path, 'utf8');
}
