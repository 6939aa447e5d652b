import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The tool is not installed. */
  missing: boolean;
}

/** Runs a tool to completion (killed after `timeoutMs`), never throwing. */
export function runTool(command: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    const settings = { timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL' as const, maxBuffer: 1 << 20, env: options.env ?? process.env };
    const child = execFile(command, args, settings, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr, missing: (error as NodeJS.ErrnoException | null)?.code === 'ENOENT' });
    });
    child.stdin?.end();
  });
}

export const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

/**
 * `systemd-analyze verify` of `text` saved as DIR/`fileName` (it wants the real name: NAME.service). A user
 * unit is checked as a user manager would load it, which needs a runtime directory: a private one here.
 */
export async function verifyUnit(fileName: string, text: string, scope: 'system' | 'user' = 'system'): Promise<ToolResult & { path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-unit-'));
  const path = join(dir, fileName);
  writeFileSync(path, text);
  const runtime = join(dir, 'runtime');
  mkdirSync(runtime, { mode: 0o700 });
  const env = scope === 'user' ? { ...process.env, XDG_RUNTIME_DIR: process.env['XDG_RUNTIME_DIR'] ?? runtime } : process.env;
  try {
    const result = await runTool(SYSTEMD_ANALYZE, [...(scope === 'user' ? ['--user'] : []), 'verify', path], { env });
    return { ...result, path };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What systemd-analyze said about the unit itself (it may also talk about other units on the machine). */
export const complaintsAbout = (result: ToolResult, fileName: string): string[] =>
  result.stderr.split('\n').filter((line) => line.includes(fileName));

const minimalUnit = '[Unit]\nDescription=reference\n\n[Service]\nExecStart=/bin/true\n';

/**
 * Why systemd-analyze verify cannot judge units here (not installed, no manager to talk to...), tried on a
 * unit that must pass; undefined when it can.
 */
export async function verifyUnavailable(scope: 'system' | 'user' = 'system'): Promise<string | undefined> {
  const result = await verifyUnit('tunnel-config-reference.service', minimalUnit, scope);
  if (result.missing) return `${SYSTEMD_ANALYZE} is not installed`;
  if (result.code !== 0 || complaintsAbout(result, 'tunnel-config-reference.service').length > 0) {
    return `systemd-analyze${scope === 'user' ? ' --user' : ''} verify fails even on a minimal unit here (exit ${String(result.code)}): ${result.stderr.trim()}`;
  }
  return undefined;
}

/** A plist parsed by Python's plistlib (strict XML, Apple's plist schema), as JSON; undefined without python3. */
export async function parsePlist(text: string): Promise<{ value?: unknown; error?: string; missing: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-plist-'));
  const path = join(dir, 'service.plist');
  writeFileSync(path, text);
  try {
    const script = 'import json, plistlib, sys\nwith open(sys.argv[1], "rb") as f:\n    print(json.dumps(plistlib.load(f, fmt=plistlib.FMT_XML)))';
    const result = await runTool('python3', ['-c', script, path]);
    if (result.missing) return { missing: true };
    if (result.code !== 0) return { error: result.stderr.trim(), missing: false };
    return { value: JSON.parse(result.stdout) as unknown, missing: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The words /bin/sh makes of a command line (`printf '%s\0'` of each). */
export async function shellWords(line: string): Promise<string[]> {
  const result = await runTool('/bin/sh', ['-c', `printf '%s\\0' ${line}`]);
  if (result.code !== 0) throw new Error(`sh could not parse ${line}: ${result.stderr}`);
  return result.stdout.split('\0').slice(0, -1);
}

/** The systemd unit as sections of `key=value` lines (repeated keys kept in order). */
export function unitSections(unit: string): Map<string, Array<[string, string]>> {
  const sections = new Map<string, Array<[string, string]>>();
  let current: Array<[string, string]> | undefined;
  for (const line of unit.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) sections.set(header[1], (current = []));
    else if (current !== undefined && line.includes('=') && !line.startsWith('#')) {
      const at = line.indexOf('=');
      current.push([line.slice(0, at), line.slice(at + 1)]);
    }
  }
  return sections;
}
