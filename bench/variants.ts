import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tunnelConfigBin, type World } from '../test/world.js';

export type VariantKey = 'a' | 'b' | 'c' | 'd';

export interface Variant {
  key: VariantKey;
  name: string;
  /** The client ssh_config for timing: the ProxyCommand as a user would write it. */
  config: string;
  /** The same with the ProxyCommand run through a wrapper that records its pid in pidDir (for memory). */
  recordedConfig: string;
  pidDir: string;
}

/** The four ways to reach host-1, each with its own ssh_config; the proxy runs as `NODE SCRIPT proxy`, as `add` writes it. */
export function makeVariants(world: World): Record<VariantKey, Variant> {
  const wrapper = join(world.dir, 'record-pid.sh');
  writeFileSync(wrapper, '#!/bin/sh\necho > "$1/$$"\nshift\nexec "$@"\n', { mode: 0o755 });
  const make = (key: VariantKey, name: string, proxyCommand: (config: string) => string, top = ''): Variant => {
    const config = join(world.dir, `bench-${key}.config`);
    const recordedConfig = join(world.dir, `bench-${key}-recorded.config`);
    const pidDir = join(world.dir, `bench-${key}-pids`);
    mkdirSync(pidDir, { recursive: true });
    world.writeClientConfig(proxyCommand(config), { path: config, top });
    world.writeClientConfig(`${wrapper} ${pidDir} ${proxyCommand(recordedConfig)}`, { path: recordedConfig, top });
    return { key, name, config, recordedConfig, pidDir };
  };
  // ssh keeps the first value it reads: this block's ProxyCommand none wins over the Host host-* one.
  const direct = `Host host-1\n  HostName 127.0.0.1\n  Port ${world.hiddenPort}\n  ProxyCommand none`;
  return {
    a: make('a', 'direct', () => 'none', direct),
    b: make('b', 'seed', (config) => world.seedProxyCommand(config)),
    c: make('c', 'cold', (configPath) => world.tunnelConfigProxyCommand({ configPath, args: ['--persist', '0'], viaNode: true })),
    d: make('d', 'warm', (configPath) => world.tunnelConfigProxyCommand({ configPath, viaNode: true })),
  };
}

/** Forgets the pids recorded so far. */
export function clearPids(variant: Variant): void {
  for (const name of readdirSync(variant.pidDir)) rmSync(join(variant.pidDir, name), { force: true });
}

/** The pid of the one shared process of this world's HOME, from `tunnel-config shared status --json`. */
export async function sharedPid(world: World): Promise<number | undefined> {
  const result = await world.run(process.execPath, [tunnelConfigBin, 'shared', 'status', '--json'], { timeoutMs: 15_000 });
  if (result.code !== 0) throw new Error(`shared status exited ${result.code}: ${result.stderr}`);
  const list = JSON.parse(result.stdout.toString()) as Array<{ pid: number }>;
  if (list.length > 1) throw new Error(`expected one shared process, found ${list.length}`);
  return list[0]?.pid;
}

/** `tunnel-config shared stop` with the world's HOME; then kills any of `pids` still alive. */
export async function stopShared(world: World, pids: Iterable<number> = []): Promise<void> {
  await world.run(process.execPath, [tunnelConfigBin, 'shared', 'stop'], { timeoutMs: 15_000 }).catch(() => undefined);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
