import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasSsh = spawnSync('ssh', ['-V']).error === undefined;

/** What `ssh -G` makes of `host` under `config` (the first value of each keyword), or the error it printed. */
export function sshG(config: string, host: string): { options: Map<string, string>; output: string } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tunnel-config-sshg-'));
  try {
    const path = join(dir, 'config');
    writeFileSync(path, config);
    try {
      const output = execFileSync('ssh', ['-G', '-F', path, host], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      const options = new Map<string, string>();
      for (const line of output.split('\n')) {
        const space = line.indexOf(' ');
        if (space > 0 && !options.has(line.slice(0, space))) options.set(line.slice(0, space), line.slice(space + 1));
      }
      return { options, output };
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      return { error: stderr.replaceAll(path, 'CONFIG') };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
