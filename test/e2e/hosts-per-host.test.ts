/**
 * `hosts` against a jump set up by server-setup's per-host mode, for real: the socket directory holds root's
 * links DIR/NAME.sock to each host account's socket inside its chroot, and a client account lists and probes
 * them over SFTP as it would in the shared-directory mode (test/e2e/hosts.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitUntilRefused } from './harness.js';
import { renderSshdConfig, Sshd } from '../support/sshd.js';
import type { RunResult } from '../support/process.js';
import { tunnelConfigBin } from '../world.js';
import { authorize, makeKeys, serverSetup, socketDir, sshEnv, startEcho, type Jump } from '../setup/server/jump.js';
import { addUser, createMachine, isRoot, type Machine } from '../setup/server/machine.js';
import { openTunnel, proxyConfig } from '../setup/server/tunnels.js';
import { type HostJson, withoutTimes } from '../support/hosts-json.js';

const skip = isRoot() ? false : 'needs root: server-setup adds accounts, and sshd runs with ChrootDirectory';
const names = ['host-a', 'host-b', 'host-c', 'client', 'jump_host'] as const;
type Host = 'host-a' | 'host-b' | 'host-c';

let machine: Machine;
let keys: Awaited<ReturnType<typeof makeKeys<(typeof names)[number]>>>;
let jump: Jump;
let client: string;
let config: string;
const echoes: Array<Awaited<ReturnType<typeof startEcho>>> = [];

const account = (host: string): string => `${machine.prefix}${host}`;
const chroot = (host: string): string => `${machine.layout.hostsDir}/${account(host)}`;
const realPath = (host: string): string => `${chroot(host)}/sock/${host}.sock`;
const publicPath = (host: string): string => `${socketDir(machine)}/${host}.sock`;
const jumpName = (): string => `${client}@127.0.0.1:${jump.port}`;

/** The same sshd as test/setup/server/jump.ts's, with SFTP, which `hosts` reads the directory with. */
function jumpOptions(hostKey: string): { hostKeys: string[]; authorizedKeysFile: string; extraConfig: string } {
  const include = `Include ${machine.root}/etc/ssh/sshd_config.d/*.conf`;
  return { hostKeys: [hostKey], authorizedKeysFile: `${machine.root}/client_keys/%u`, extraConfig: `${include}\nStrictModes yes\nSubsystem sftp internal-sftp` };
}

const hostsCommand = (args: string[]): Promise<RunResult> =>
  machine.tracker.run(process.execPath, [tunnelConfigBin, 'hosts', '--jump', jumpName(), '-F', config, ...args], { env: sshEnv(machine), timeoutMs: 30_000 });

/** An echo server standing in for the host's sshd (greeting with an SSH banner), and the host's tunnel to it. */
async function hostUp(host: Host): Promise<{ banner: string; sshdStopped: () => Promise<void>; tunnelKilled: () => Promise<void> }> {
  const echo = await startEcho(`SSH-2.0-OpenSSH_9.9 ${host}`);
  echoes.push(echo);
  const tunnel = await openTunnel(machine, jump, { account: account(host), key: keys[host], bindPath: `/sock/${host}.sock`, targetPort: echo.port, watchPath: realPath(host), greeting: echo.greeting });
  return { banner: echo.greeting, sshdStopped: () => echo.close(), tunnelKilled: () => tunnel.kill() };
}

const row = (name: string, state: string, fields: Partial<HostJson> = {}): HostJson => ({
  name,
  set: null,
  jump: jumpName(),
  socketPath: publicPath(name),
  state,
  banner: null,
  rttMs: null,
  ...fields,
});

const describeRun = (result: RunResult): string => `exit ${String(result.code)}${result.timedOut ? ' (timed out)' : ''}\nstdout: ${result.stdout.toString()}\nstderr:\n${result.stderr}`;

describe('hosts against a per-host jump from server-setup', { skip }, () => {
  let banner = '';

  before(async () => {
    machine = createMachine();
    keys = await makeKeys(machine, names);
    client = addUser(machine, 'c');
    authorize(machine, client, keys.client);
    const options = jumpOptions(keys.jump_host.path);
    mkdirSync(dirname(machine.layout.sshdConfig), { recursive: true, mode: 0o755 });
    writeFileSync(machine.layout.sshdConfig, renderSshdConfig({ port: 22, ...options }));
    // host-d is set up but has never connected: its link points at a socket that is not there.
    const keyFiles = { 'host-a': `${keys['host-a'].path}.pub`, 'host-b': `${keys['host-b'].path}.pub`, 'host-c': `${keys['host-c'].path}.pub` };
    const applied = await serverSetup(machine, { mode: 'per-host', hosts: ['host-a', 'host-b', 'host-c', 'host-d'], clientUsers: [client], keyFiles });
    assert.equal(applied.code, 0, `the setup script failed:\n${applied.stderr.join('\n')}`);
    const sshd = await Sshd.start({ name: 'jump', dir: `${machine.root}/sshd`, ...options }, machine.tracker);
    jump = { sshd, port: sshd.port, knownHosts: `${machine.root}/known_hosts` };
    writeFileSync(jump.knownHosts, `[127.0.0.1]:${sshd.port} ${keys.jump_host.publicKey}\n`);
    config = proxyConfig(machine, jump, keys.client);

    banner = (await hostUp('host-a')).banner;
    // host-b's tunnel dies without a goodbye: its socket stays, nobody listens.
    const b = await hostUp('host-b');
    await b.tunnelKilled();
    await waitUntilRefused(publicPath('host-b'));
    // host-c's tunnel is up, the host's sshd behind it is stopped.
    await (await hostUp('host-c')).sshdStopped();
    // Not hosts: a regular file, a regular file named like a socket, and a link named like one to a regular file.
    writeFileSync(`${socketDir(machine)}/notes.txt`, 'not a socket\n');
    writeFileSync(`${socketDir(machine)}/plain.sock`, 'not a socket either\n');
    symlinkSync(`${socketDir(machine)}/notes.txt`, `${socketDir(machine)}/pointer.sock`);
  });

  after(async () => {
    await Promise.all(echoes.map((echo) => echo.close()));
    await machine?.close();
  });

  test('--probe --json: live with its banner, stale, silent, each under its public link; no socket, no host', async () => {
    const result = await hostsCommand(['--socket-dir', socketDir(machine), '--probe', '--json']);
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(result.stderr, '');
    const rows = JSON.parse(result.stdout.toString()) as HostJson[];
    assert.deepEqual(withoutTimes(rows), [row('host-a', 'live', { banner }), row('host-b', 'stale'), row('host-c', 'silent')]);
  });

  test('without --probe: the hosts whose socket is there, connected; a link to nothing is no host', async () => {
    const result = await hostsCommand(['--socket-dir', socketDir(machine), '--json']);
    assert.equal(result.code, 0, describeRun(result));
    assert.deepEqual(JSON.parse(result.stdout.toString()), ['host-a', 'host-b', 'host-c'].map((name) => row(name, 'connected')));
  });

  test("a directory the client may enter but not read (a host's own socket directory): exit 7, why, no rows", async () => {
    const dir = `${chroot('host-a')}/sock`;
    const result = await hostsCommand(['--socket-dir', dir, '--probe', '--json']);
    assert.equal(result.code, 7, describeRun(result));
    assert.equal(result.stdout.toString(), '[]\n');
    assert.equal(result.stderr, `tunnel-config: ${jumpName()}: cannot list ${dir} (Permission denied): the account needs read access to it\n`);
  });
});
