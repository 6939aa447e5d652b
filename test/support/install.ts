import { copyFileSync, cpSync, linkSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * `from` under the path `to`: a hard link, so that node names `to` as its own executable (a symbolic link
 * would resolve back to `from`); a copy when they are on different file systems.
 */
export function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** A directory holding only links to the named programs (found on this PATH): a PATH without node. */
export function toolsDir(dir: string, programs: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const program of programs) symlinkSync(execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim(), join(dir, program));
  return dir;
}

/** What a fresh clone of the project holds for building and packing it: the sources, none of the builds. */
export function copyAsClone(repoRoot: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'bin', 'src']) cpSync(join(repoRoot, entry), join(to, entry), { recursive: true });
}

/** The README's one-line install for real use (the line that packs and installs the tarball). */
export function readmeInstallCommand(repoRoot: string): string {
  const line = readFileSync(join(repoRoot, 'README.md'), 'utf8').split('\n').find((l) => /^npm ci && npm pack && npm install -g /.test(l));
  if (line === undefined) throw new Error('README.md has no line `npm ci && npm pack && npm install -g ...`');
  return line;
}

/** npm's own cache (warm after `npm ci` in the checkout), so installs can run with --offline. */
export const npmCache = (): string => execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
