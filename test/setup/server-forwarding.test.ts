/**
 * Which sshd settings let stream-local forwarding through, measured on the real sshd (OpenSSH 9.2 here).
 * What we found, and why the drop-in says "AllowTcpForwarding remote" + "PermitListen none" rather than
 * "AllowTcpForwarding no":
 *
 * - A tunnel account's `ssh -R PATH:...` (streamlocal-forward@openssh.com) needs AllowStreamLocalForwarding
 *   yes/remote AND TCP remote forwarding: AllowTcpForwarding no or local refuses it too ("remote forward to
 *   path ..., but the request was denied"), because sshd only marks remote listeners "all permitted" when
 *   AllowTcpForwarding allows remote. PermitListen, on the other hand, never applies to paths, so
 *   "AllowTcpForwarding remote" + "PermitListen none" keeps -R PATH and refuses every TCP listener.
 * - A client's direct-streamlocal@openssh.com channel (what tunnel-config proxy opens) needs
 *   AllowStreamLocalForwarding yes/local AND TCP local forwarding: AllowTcpForwarding no or remote refuses
 *   it ("connect to path ..., but the request was denied"), and so does any PermitOpen list (none, or
 *   host:port entries); only PermitOpen any (or a "*:*" entry) lets paths through.
 * - DisableForwarding yes refuses both.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Sshd } from '../support/sshd.js';
import { waitFor } from '../support/wait.js';
import { authorize, describe as describeRun, makeKeys, ssh, startEcho, startJump, writeBaseConfig, type Jump } from './server/jump.js';
import { addUser, createMachine, isRoot, type Machine } from './server/machine.js';
import { describeProxy, openTunnel, runProxy } from './server/tunnels.js';

const skip = isRoot() ? false : 'needs root: adds accounts and runs sshd';

let machine: Machine;
let keys: Awaited<ReturnType<typeof makeKeys<'tunnel' | 'client' | 'jump_host'>>>;
let jump: Jump;
let tunnelUser: string;
let clientUser: string;
let echoTcp: Awaited<ReturnType<typeof startEcho>>;
let echoUnix: Server;
const unixGreeting = `unix echo ${randomBytes(4).toString('hex')}`;

const bindDir = (): string => `${machine.root}/bind`;
const serveDir = (): string => `${machine.root}/serve`;

/** Restarts the jump with these lines in a Match block for `user` (in the drop-in directory, as Debian includes it). */
async function configure(sshd: Sshd, user: string, lines: string[]): Promise<void> {
  writeFileSync(`${machine.root}/etc/ssh/sshd_config.d/matrix.conf`, [`Match User ${user}`, ...lines.map((line) => `  ${line}`), ''].join('\n'));
  await sshd.restart();
}

const remoteRows: Array<[settings: string[], allowed: boolean]> = [
  [[], true],
  [['AllowTcpForwarding no'], false],
  [['AllowTcpForwarding local'], false],
  [['AllowTcpForwarding remote'], true],
  [['AllowTcpForwarding remote', 'PermitListen none'], true],
  [['AllowTcpForwarding yes', 'PermitListen none'], true],
  [['PermitOpen none'], true],
  [['AllowStreamLocalForwarding local'], false],
  [['DisableForwarding yes'], false],
];

const localRows: Array<[settings: string[], allowed: boolean]> = [
  [[], true],
  [['AllowTcpForwarding no'], false],
  [['AllowTcpForwarding remote'], false],
  [['AllowTcpForwarding local'], true],
  [['PermitOpen none'], false],
  [['PermitOpen 127.0.0.1:22'], false],
  [['PermitOpen *:*'], true],
  [['PermitOpen any'], true],
  [['PermitListen none'], true],
  [['AllowStreamLocalForwarding remote'], false],
  [['DisableForwarding yes'], false],
];

describe('stream-local forwarding against sshd settings (real sshd)', { skip, concurrency: 1 }, () => {
  before(async () => {
    machine = createMachine();
    keys = await makeKeys(machine, ['tunnel', 'client', 'jump_host']);
    tunnelUser = addUser(machine, 't');
    clientUser = addUser(machine, 'c');
    authorize(machine, tunnelUser, keys.tunnel);
    authorize(machine, clientUser, keys.client);
    writeBaseConfig(machine, keys.jump_host);
    mkdirSync(`${machine.root}/etc/ssh/sshd_config.d`, { recursive: true, mode: 0o755 });
    writeFileSync(`${machine.root}/etc/ssh/sshd_config.d/matrix.conf`, '');
    // where the tunnel account may bind: a directory of its own
    mkdirSync(bindDir(), { mode: 0o755 });
    chownSync(bindDir(), Number(spawnSync('id', ['-u', tunnelUser], { encoding: 'utf8' }).stdout.trim()), 0);
    mkdirSync(serveDir(), { mode: 0o755 });
    echoUnix = createServer((socket) => {
      socket.on('error', () => {});
      socket.write(`${unixGreeting}\n`);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echoUnix.listen(`${serveDir()}/echo.sock`, resolve));
    chmodSync(`${serveDir()}/echo.sock`, 0o666);
    echoTcp = await startEcho(`tcp echo ${randomBytes(4).toString('hex')}`);
    jump = await startJump(machine, keys.jump_host);
  });

  after(async () => {
    await echoTcp?.close();
    await new Promise<void>((resolve) => (echoUnix ? echoUnix.close(() => resolve()) : resolve()));
    await machine?.close();
  });

  for (const [settings, allowed] of remoteRows) {
    test(`ssh -R PATH (streamlocal-forward) with ${settings.join(' + ') || 'the defaults'}: ${allowed ? 'allowed' : 'refused'}`, async () => {
      await configure(jump.sshd, tunnelUser, settings);
      const path = `${bindDir()}/t.sock`;
      if (allowed) {
        const opened = await openTunnel(machine, jump, { account: tunnelUser, key: keys.tunnel, bindPath: path, targetPort: echoTcp.port, watchPath: path, greeting: echoTcp.greeting });
        await opened.kill();
        return;
      }
      const result = await ssh(machine, jump, tunnelUser, keys.tunnel, ['-N', '-R', `${path}:127.0.0.1:${echoTcp.port}`, '-o', 'ExitOnForwardFailure=yes']);
      assert.equal(result.code, 255, describeRun(result));
      assert.match(result.stderr, /remote port forwarding failed for listen path/, describeRun(result));
    });
  }

  for (const [settings, allowed] of localRows) {
    test(`direct-streamlocal (tunnel-config proxy) with ${settings.join(' + ') || 'the defaults'}: ${allowed ? 'allowed' : 'refused'}`, async () => {
      await configure(jump.sshd, clientUser, settings);
      const start = jump.sshd.currentLog().length;
      const line = `ping ${randomBytes(4).toString('hex')}\n`;
      const run = await runProxy(machine, jump, { user: clientUser, key: keys.client, socketDir: serveDir(), host: 'echo', send: line, expect: `${unixGreeting}\n${line}` });
      if (allowed) {
        assert.equal(run.stdout, `${unixGreeting}\n${line}`, describeProxy(run));
        assert.equal(run.code, 0, describeProxy(run));
        return;
      }
      // sshd answers a refused channel as it answers a missing socket: the proxy's exit 6; the log says which
      assert.equal(run.code, 6, describeProxy(run));
      assert.equal(run.stdout, '', describeProxy(run));
      await waitFor(() => (/connect to path \S+echo\.sock, but the request was denied|refused streamlocal port forward/.test(jump.sshd.currentLog().slice(start)) ? true : undefined), {
        timeoutMs: 5000,
        what: () => `sshd never logged a refusal:\n${jump.sshd.currentLog().slice(start)}`,
      });
    });
  }
});
