/**
 * Bulletproof hosts: the command host-setup generates, run as generated under a supervisor loop that does
 * what systemd's Restart=always does, comes back by itself after the jump's sshd restarts and after its
 * link is blackholed and restored, within ServerAliveInterval × ServerAliveCountMax + RestartSec + 5 s.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BlackholeRelay, startBlackholeRelay } from '../support/blackhole-relay.js';
import { registerCleanup } from '../support/cleanup.js';
import { readBanner } from '../support/net.js';
import { ProcessTracker, type Tracked } from '../support/process.js';
import { fileIdentity } from '../support/tunnel.js';
import { waitFor } from '../support/wait.js';
import { createWorld, tunnelConfigBin, type RunResult, type World } from '../world.js';
import { unitSections } from '../setup/host-tools.js';
import { describeRun } from './harness.js';

/** Short, so that a blackhole is noticed in seconds; the flag a user on a flaky link would pass. */
const ALIVE_INTERVAL = 2;

let world: World;
let relay: BlackholeRelay;
let supervisor: Tracked;
let timing: { interval: number; countMax: number; connectTimeout: number; restartSec: number; bound: number };
const tracker = new ProcessTracker();
const unregister = registerCleanup(() => tracker.killAllSync());

const tunnelConfig = (args: string[]): Promise<RunResult> => world.run(process.execPath, [tunnelConfigBin, ...args], { timeoutMs: 30_000 });

async function printed(args: string[]): Promise<string> {
  const result = await tunnelConfig(['host-setup', ...args]);
  assert.equal(result.code, 0, describeRun(result));
  return result.stdout.toString('utf8');
}

/** `-o NAME=VALUE` of the generated command line, as a number. */
function sshOption(line: string, name: string): number {
  const match = new RegExp(` -o ${name}=(\\d+) `).exec(line);
  assert.ok(match?.[1] !== undefined, `no ${name} in ${line}`);
  return Number(match[1]);
}

/** What the supervisor's ssh said so far: each run of the tunnel ends with one `tunnel exited N` line. */
const runsEnded = (): number => supervisor.stderr().split('\n').filter((line) => line.startsWith('tunnel exited ')).length;

before(async () => {
  // The jump offers SFTP for `hosts`; the hidden host offers it for a login that runs no shell (see sshLogin).
  world = await createWorld({ jumpConfig: 'Subsystem sftp internal-sftp', hiddenConfig: 'Subsystem sftp internal-sftp' });
  relay = await startBlackholeRelay(world.jumpPort);
  // The hidden host reaches the jump through the relay: its known_hosts names the relay's port, checking stays on.
  const knownHosts = join(world.dir, 'known_hosts_via_relay');
  writeFileSync(knownHosts, readFileSync(world.knownHostsJump, 'utf8').replaceAll(`[127.0.0.1]:${world.jumpPort} `, `[127.0.0.1]:${relay.port} `));
  const flags = [
    ...['--jump-host', '127.0.0.1', '--jump-port', String(relay.port), '--jump-user', world.user],
    ...['--identity', world.keys.tunnel.path, '--known-hosts', knownHosts, '--name', 'host-1'],
    ...['--socket-dir', world.sockDir, '--local-port', String(world.hiddenPort), '--alive-interval', String(ALIVE_INTERVAL)],
  ];
  const line = (await printed(['--format', 'command', ...flags])).trimEnd();
  const unit = await printed(['--format', 'systemd', ...flags]);
  const service = new Map(unitSections(unit).get('Service'));
  assert.equal(service.get('Restart'), 'always', unit);
  assert.equal(service.get('ExecStart'), line, 'the command format is what systemd runs');
  const restartSec = Number(service.get('RestartSec'));
  const interval = sshOption(line, 'ServerAliveInterval');
  const countMax = sshOption(line, 'ServerAliveCountMax');
  assert.equal(interval, ALIVE_INTERVAL);
  timing = { interval, countMax, connectTimeout: sshOption(line, 'ConnectTimeout'), restartSec, bound: interval * countMax + restartSec + 5 };
  console.log(`generated: ${line}\ntiming: ${JSON.stringify(timing)}`);

  // systemd's Restart=always with RestartSec, as a shell loop; the command runs exactly as printed.
  supervisor = tracker.spawn('/bin/sh', ['-c', `while :; do ${line}; echo "tunnel exited $?" >&2; sleep ${restartSec}; done`], {
    env: world.env(),
    background: true,
  });
  world.writeClientConfig(world.tunnelConfigProxyCommand({ args: ['--persist', '0'] }));
  await waitForNewSocket(undefined, 15_000);
});

after(async () => {
  await tracker.close();
  unregister();
  await relay?.close();
  await world?.close();
});

/** Resolves with the socket's identity once a socket other than `stale` answers on the jump with an SSH banner. */
function waitForNewSocket(stale: string | undefined, timeoutMs: number): Promise<string> {
  const socketPath = world.socketPath('host-1');
  return waitFor(
    async () => {
      const now = fileIdentity(socketPath);
      if (now === undefined || now === stale) return undefined;
      const banner = await readBanner({ path: socketPath }, 500).catch(() => '');
      return banner.startsWith('SSH-2.0-') ? now : undefined;
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: () => `no new tunnel on ${socketPath} (stale: ${String(stale)}):\nsupervisor:\n${supervisor.stderr()}\njump log:\n${world.jump.currentLog().slice(-4000)}`,
    },
  );
}

/** `ssh host-1 true` through tunnel-config proxy, as the issue states the recovery. */
async function sshLogin(timeoutMs = 10_000): Promise<RunResult> {
  return world.ssh(['host-1', 'true'], { timeoutMs, input: '' });
}

async function hostState(): Promise<string> {
  const result = await tunnelConfig(['hosts', '--jump', 'jump', '--socket-dir', world.sockDir, '-F', world.clientConfigPath, '--probe', '--json']);
  assert.equal(result.code, 0, describeRun(result));
  const rows = JSON.parse(result.stdout.toString()) as Array<{ name: string; state: string; socketPath: string }>;
  assert.deepEqual(rows.map((row) => [row.name, row.socketPath]), [['host-1', world.socketPath('host-1')]]);
  return rows[0]?.state ?? '';
}

/** From `since` until `ssh host-1` logs in through tunnel-config proxy on a socket other than `stale`: the outage as a user sees it. */
async function recoveryMs(since: number, stale: string): Promise<number> {
  const deadline = since + timing.bound * 1000;
  const fresh = await waitForNewSocket(stale, deadline - performance.now() + 1000);
  const result = await sshLogin();
  assert.equal(result.code, 0, describeRun(result));
  assert.notEqual(fresh, stale, 'a new socket replaced the stale one');
  return performance.now() - since;
}

test('the jump sshd restarts: host-1 is stale, then the supervised tunnel replaces the socket and host-1 answers within the bound', async () => {
  const before = fileIdentity(world.socketPath('host-1'));
  assert.ok(before !== undefined);
  const reachable = await sshLogin();
  assert.equal(reachable.code, 0, describeRun(reachable));
  assert.equal(await hostState(), 'live');
  const endedBefore = runsEnded();

  const started = performance.now();
  await world.jump.restart();
  // The restart killed the session that bound the socket; the file stays, nobody listens.
  assert.equal(await hostState(), 'stale');
  const ms = await recoveryMs(started, before);
  console.log(`jump restart: host-1 answered again after ${Math.round(ms)} ms (bound ${timing.bound} s)`);
  assert.ok(ms <= timing.bound * 1000, `${Math.round(ms)} ms > ${timing.bound} s`);
  assert.ok(runsEnded() > endedBefore, `the tunnel that lost its jump exited:\n${supervisor.stderr()}`);
  assert.equal(await hostState(), 'live');
});

test('the link is blackholed and restored: host-1 is silent meanwhile; after the restore it answers within the bound, on a new socket', async () => {
  const before = fileIdentity(world.socketPath('host-1'));
  assert.ok(before !== undefined);
  const reachable = await sshLogin();
  assert.equal(reachable.code, 0, describeRun(reachable));
  const endedBefore = runsEnded();

  const dark = performance.now();
  relay.blackhole();
  // The jump still holds the old session and its socket: connections are taken, nothing answers behind them.
  assert.equal(await hostState(), 'silent');
  // The tunnel notices by its ServerAlive checks alone, and the supervisor's next try goes nowhere either.
  const noticedMs = await waitFor(() => (runsEnded() > endedBefore ? performance.now() - dark : undefined), {
    timeoutMs: (timing.interval * (timing.countMax + 1) + 5) * 1000,
    intervalMs: 50,
    what: () => `the tunnel never noticed the dead link:\n${supervisor.stderr()}`,
  });
  assert.match(supervisor.stderr(), /Timeout, server 127\.0\.0\.1 not responding/);
  await waitFor(() => (relay.darkConnections() > 0 ? true : undefined), {
    timeoutMs: (timing.restartSec + 2) * 1000,
    what: () => `the supervisor did not try again:\n${supervisor.stderr()}`,
  });
  assert.equal(await hostState(), 'silent');
  assert.notEqual((await sshLogin(4000)).code, 0, 'host-1 is unreachable while the link is dark');

  const restored = performance.now();
  relay.restore();
  const ms = await recoveryMs(restored, before);
  console.log(
    `blackhole: the tunnel noticed after ${Math.round(noticedMs)} ms, ${relay.darkConnections()} tries went nowhere, dark for ${Math.round(restored - dark)} ms; host-1 answered ${Math.round(ms)} ms after the restore (bound ${timing.bound} s)`,
  );
  assert.ok(ms <= timing.bound * 1000, `${Math.round(ms)} ms > ${timing.bound} s`);
  assert.equal(await hostState(), 'live');
});
