import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/net.js';
import { fileIdentity } from '../support/tunnel.js';
import { waitFor } from '../support/wait.js';
import { waitUntilRefused } from '../e2e/harness.js';
import { assertBindRefused, ownerMode, stateOf } from './server/checks.js';
import { addUser, createMachine, isRoot, namesOf, type Machine } from './server/machine.js';
import { authorize, describe as describeRun, makeKeys, serverSetup, socketDir, ssh, sshEnv, startEcho, startJump, startVariantJump, writeBaseConfig, type Jump } from './server/jump.js';
import { describeProxy, openTunnel, runProxy, type HostTunnel } from './server/tunnels.js';

const skip = isRoot() ? false : 'needs root: adds accounts and runs sshd with ChrootDirectory';
const names = ['host-a', 'host-b', 'client', 'other', 'jump_host'] as const;

let machine: Machine;
let keys: Awaited<ReturnType<typeof makeKeys<(typeof names)[number]>>>;
let jump: Jump;
let client: string;
let other: string;
const echo: Record<string, Awaited<ReturnType<typeof startEcho>>> = {};
const tunnels: HostTunnel[] = [];

const account = (host: string): string => `${machine.prefix}${host}`;
const chroot = (host: string): string => `${machine.layout.hostsDir}/${account(host)}`;
const realPath = (host: string): string => `${chroot(host)}/sock/${host}.sock`;
const publicPath = (host: string): string => `${socketDir(machine)}/${host}.sock`;
const uid = (name: string): number => Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
const gid = (name: string): number => Number((spawnSync('getent', ['group', name], { encoding: 'utf8' }).stdout.split(':')[2] ?? 'NaN'));
const setup = () => serverSetup(machine, { mode: 'per-host', hosts: ['host-a', 'host-b'], clientUsers: [client], keyFiles: { 'host-a': `${keys['host-a'].path}.pub`, 'host-b': `${keys['host-b'].path}.pub` } });

async function tunnel(host: 'host-a' | 'host-b'): Promise<HostTunnel> {
  const opened = await openTunnel(machine, jump, { account: account(host), key: keys[host], bindPath: `/sock/${host}.sock`, targetPort: echo[host]?.port ?? 0, watchPath: realPath(host), greeting: echo[host]?.greeting ?? '' });
  tunnels.push(opened);
  return opened;
}

/** The client's way in: tunnel-config proxy to HOST, sending a line and expecting the host's greeting and the echo. */
async function assertClientReaches(host: string, greeting: string): Promise<void> {
  const line = `ping ${randomBytes(4).toString('hex')}\n`;
  const run = await runProxy(machine, jump, { user: client, key: keys.client, socketDir: socketDir(machine), host, send: line, expect: `${greeting}\n${line}` });
  assert.equal(run.stdout, `${greeting}\n${line}`, describeProxy(run));
  assert.equal(run.code, 0, describeProxy(run));
}

describe('server-setup per-host mode against a real sshd', { skip }, () => {
  before(async () => {
    machine = createMachine();
    keys = await makeKeys(machine, names);
    client = addUser(machine, 'c');
    other = addUser(machine, 'o');
    authorize(machine, client, keys.client);
    authorize(machine, other, keys.other);
    writeBaseConfig(machine, keys.jump_host);
    const applied = await setup();
    assert.equal(applied.code, 0, `the setup script failed:\n${applied.stderr.join('\n')}`);
    jump = await startJump(machine, keys.jump_host);
    echo['host-a'] = await startEcho(`hidden host-a ${randomBytes(4).toString('hex')}`);
    echo['host-b'] = await startEcho(`hidden host-b ${randomBytes(4).toString('hex')}`);
  });

  after(async () => {
    await Promise.all(Object.values(echo).map((server) => server.close()));
    const created = machine ? namesOf(machine) : { users: [], groups: [] };
    await machine?.close();
    if (machine) assert.deepEqual(namesOf(machine), { users: [], groups: [] }, `left behind after ${JSON.stringify(created)}`);
  });

  test('the script made the accounts, chroots, links and keys as planned, and --check finds nothing wrong', async () => {
    const clients = gid(machine.layout.clientsGroup);
    for (const host of ['host-a', 'host-b']) {
      const passwd = spawnSync('getent', ['passwd', account(host)], { encoding: 'utf8' }).stdout.trim().split(':');
      assert.deepEqual([passwd[3], passwd[5], passwd[6]], [String(gid(machine.layout.hostsGroup)), chroot(host), '/usr/sbin/nologin']);
      assert.equal(spawnSync('getent', ['shadow', account(host)], { encoding: 'utf8' }).stdout.split(':')[1], '*', 'no password, not locked');
      assert.equal(ownerMode(chroot(host)), '0:0 0755');
      assert.equal(ownerMode(`${chroot(host)}/sock`), `${uid(account(host))}:${clients} 2710`);
      assert.equal(lstatSync(publicPath(host)).isSymbolicLink(), true);
      assert.equal(ownerMode(publicPath(host)).split(' ')[0], '0:0');
      assert.equal(spawnSync('readlink', [publicPath(host)], { encoding: 'utf8' }).stdout.trim(), realPath(host));
      const keyFile = `${machine.layout.authorizedKeysDir}/${account(host)}`;
      assert.equal(ownerMode(keyFile), '0:0 0644');
      assert.equal(spawnSync('cat', [keyFile], { encoding: 'utf8' }).stdout, `restrict,port-forwarding ${keys[host as 'host-a'].publicKey} tunnel-config:${host}\n`);
    }
    assert.equal(ownerMode(socketDir(machine)), `0:${clients} 0750`);
    assert.match(spawnSync('id', ['-nG', client], { encoding: 'utf8' }).stdout, new RegExp(`\\b${machine.layout.clientsGroup}\\b`));
    assert.doesNotMatch(spawnSync('id', ['-nG', other], { encoding: 'utf8' }).stdout, new RegExp(machine.layout.clientsGroup));
    const checked = await serverSetup(machine, { mode: 'per-host', hosts: ['host-a', 'host-b'], clientUsers: [client], keyFiles: { 'host-a': `${keys['host-a'].path}.pub`, 'host-b': `${keys['host-b'].path}.pub` }, apply: false, check: true });
    assert.deepEqual(checked.stderr.filter((line) => !line.includes('check: ok')), [], checked.stderr.join('\n'));
    assert.equal(checked.code, 0);
  });

  test('running the script again is harmless: same owners, modes, links and files', async () => {
    const skipDirs = [`${machine.root}/sshd`, `${machine.root}/keys`];
    const beforeState = stateOf(machine.root, skipDirs);
    const again = await setup();
    assert.equal(again.code, 0, again.stderr.join('\n'));
    assert.deepEqual(stateOf(machine.root, skipDirs), beforeState);
  });

  test("a client reaches host-a's tunnel through tunnel-config proxy; the socket is the clients' group's, 0660", async () => {
    await tunnel('host-a');
    const socket = statSync(realPath('host-a'));
    assert.equal(socket.isSocket(), true);
    assert.equal(`${socket.uid}:${socket.gid} ${(socket.mode & 0o777).toString(8)}`, `${uid(account('host-a'))}:${gid(machine.layout.clientsGroup)} 660`);
    await assertClientReaches('host-a', echo['host-a']?.greeting ?? '');
  });

  test("host-b's key cannot bind host-a's socket, anything outside its chroot, or a ../ path", async () => {
    const b = account('host-b');
    for (const path of [publicPath('host-a'), realPath('host-a'), '/tmp/x.sock', `/sock/../../${account('host-a')}/sock/host-a.sock`, `../${account('host-a')}/sock/host-a.sock`, `${socketDir(machine)}/x.sock`]) {
      await assertBindRefused(machine, jump, b, keys['host-b'], path, realPath('host-a'));
    }
    // "/sock/host-a.sock" names a file in host-b's own chroot: allowed, and it is not what clients open.
    const decoy = await openTunnel(machine, jump, { account: b, key: keys['host-b'], bindPath: '/sock/host-a.sock', targetPort: echo['host-b']?.port ?? 0, watchPath: `${chroot('host-b')}/sock/host-a.sock`, greeting: echo['host-b']?.greeting ?? '' });
    tunnels.push(decoy);
    await assertClientReaches('host-a', echo['host-a']?.greeting ?? '');
    await decoy.kill();
  });

  test('tunnel keys get no shell, command, sftp, pty, TCP forwarding or socket channel', async () => {
    const a = account('host-a');
    const refusedSession = /channel 0: open failed: connect failed: open failed/;
    const attempts: Array<[options: string[], command: string[]]> = [[[], []], [[], ['id']], [['-tt'], ['id']], [['-s'], ['sftp']], [['-A'], ['true']]];
    for (const [options, command] of attempts) {
      const args = [...options, ...command];
      const result = await ssh(machine, jump, a, keys['host-a'], options, command);
      assert.equal(result.code, 255, `ssh ${args.join(' ')}\n${describeRun(result)}`);
      assert.match(result.stderr, refusedSession, `MaxSessions 0 refuses the session channel: ssh ${args.join(' ')}\n${describeRun(result)}`);
      assert.equal(result.stdout.length, 0);
    }
    const local = await ssh(machine, jump, a, keys['host-a'], ['-W', `127.0.0.1:${echo['host-a']?.port ?? 0}`]);
    assert.equal(local.code, 255, describeRun(local));
    assert.match(local.stderr, /open failed: administratively prohibited/, describeRun(local));
    assert.doesNotMatch(local.stdout.toString(), /hidden/);
    const port = await freePort();
    const remote = await ssh(machine, jump, a, keys['host-a'], ['-N', '-R', `127.0.0.1:${port}:127.0.0.1:9`, '-o', 'ExitOnForwardFailure=yes']);
    assert.equal(remote.code, 255, describeRun(remote));
    assert.match(remote.stderr, new RegExp(`remote port forwarding failed for listen port ${port}`), describeRun(remote));
    // host-b's key opening a socket channel as a client would: AllowStreamLocalForwarding remote refuses it, and
    // sshd answers that as it answers a missing socket, so the proxy reports exit 6; the log tells them apart.
    const start = jump.sshd.currentLog().length;
    const asClient = await runProxy(machine, jump, { user: account('host-b'), key: keys['host-b'], socketDir: socketDir(machine), host: 'host-a' });
    assert.equal(asClient.code, 6, describeProxy(asClient));
    assert.equal(asClient.stdout, '');
    await waitFor(() => (/refused streamlocal port forward: originator [^,]*, target \S+host-a\.sock/.test(jump.sshd.currentLog().slice(start)) ? true : undefined), {
      timeoutMs: 5000,
      what: () => `sshd never logged the refusal:\n${jump.sshd.currentLog().slice(start)}`,
    });
    const settings = spawnSync('/usr/sbin/sshd', ['-T', '-f', jump.sshd.configPath, '-C', `user=${a},host=localhost,addr=127.0.0.1`], { encoding: 'utf8' }).stdout;
    for (const line of ['permittty no', 'allowagentforwarding no', 'x11forwarding no', 'permittunnel no', 'maxsessions 0', 'allowtcpforwarding remote', 'permitlisten none', 'allowstreamlocalforwarding remote', `chrootdirectory ${machine.layout.hostsDir}/%u`]) {
      assert.match(settings, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), line);
    }
  });

  test('with sessions allowed (no MaxSessions 0), ForceCommand, PermitTTY, agent and X11 settings still refuse', async () => {
    const variant = await startVariantJump(machine, keys.jump_host, (dropIn) => dropIn.replace(/^ *MaxSessions 0\n/m, ''));
    const agentSocket = `${machine.root}/agent.sock`;
    machine.tracker.spawn('ssh-agent', ['-D', '-a', agentSocket], { background: true, env: sshEnv(machine) });
    await waitFor(() => (fileIdentity(agentSocket) ? true : undefined), { timeoutMs: 5000, what: () => 'ssh-agent never made its socket' });
    const a = account('host-a');
    const cases: Array<{ options: string[]; command: string[]; env?: NodeJS.ProcessEnv; stderr: RegExp; log?: RegExp }> = [
      // inside the chroot there is no /usr/sbin/nologin, nor any other program: the forced command cannot even start
      { options: [], command: ['id'], stderr: /\/usr\/sbin\/nologin: No such file or directory/ },
      // (this base config has no Subsystem line; with Debian's, ForceCommand would run instead of sftp-server, and fail as above)
      { options: ['-s'], command: ['sftp'], stderr: /subsystem request failed on channel 0/ },
      { options: ['-tt'], command: ['id'], stderr: /PTY allocation request failed on channel 0/, log: /Allocating a pty not permitted for this connection/ },
      { options: ['-A', '-o', `IdentityAgent=${agentSocket}`], command: ['true'], stderr: /nologin: No such file or directory/, log: /session_auth_agent_req: agent forwarding disabled/ },
      { options: ['-X'], command: ['true'], env: { DISPLAY: ':99' }, stderr: /X11 forwarding request failed on channel 0/ },
    ];
    for (const { options, command, env, stderr, log } of cases) {
      const start = variant.sshd.currentLog().length;
      const result = await ssh(machine, variant, a, keys['host-a'], options, command, env);
      const context = `ssh ${[...options, ...command].join(' ')}\n${describeRun(result)}`;
      assert.notEqual(result.code, 0, context);
      assert.match(result.stderr, stderr, context);
      assert.doesNotMatch(result.stdout.toString(), /uid=/, context);
      if (log) await waitFor(() => (log.test(variant.sshd.currentLog().slice(start)) ? true : undefined), { timeoutMs: 5000, what: () => `no ${log} in the sshd log:\n${context}\n${variant.sshd.currentLog().slice(start)}` });
    }
    await variant.sshd.kill();
  });

  test('a stale socket is replaced by its own host only', async () => {
    if (tunnels.length === 0) await tunnel('host-a');
    for (const running of tunnels.splice(0)) await running.kill();
    await waitUntilRefused(publicPath('host-a'));
    const stale = fileIdentity(realPath('host-a'));
    assert.ok(stale !== undefined && statSync(realPath('host-a')).isSocket(), 'the killed tunnel leaves its socket behind');
    const offline = await runProxy(machine, jump, { user: client, key: keys.client, socketDir: socketDir(machine), host: 'host-a' });
    assert.equal(offline.code, 6, describeProxy(offline));
    for (const path of [publicPath('host-a'), realPath('host-a')]) await assertBindRefused(machine, jump, account('host-b'), keys['host-b'], path, realPath('host-a'));
    await tunnel('host-a');
    assert.notEqual(fileIdentity(realPath('host-a')), stale);
    await assertClientReaches('host-a', echo['host-a']?.greeting ?? '');
  });

  test('an account that is neither a client nor the host cannot open the socket', async () => {
    if (tunnels.length === 0) await tunnel('host-a');
    const start = jump.sshd.currentLog().length;
    const run = await runProxy(machine, jump, { user: other, key: keys.other, socketDir: socketDir(machine), host: 'host-a' });
    assert.equal(run.code, 6, describeProxy(run));
    assert.equal(run.stdout, '');
    await waitFor(() => (/connect to \S+host-a\.sock port -2 failed: Permission denied/.test(jump.sshd.currentLog().slice(start)) ? true : undefined), {
      timeoutMs: 5000,
      what: () => `sshd never logged the refusal:\n${jump.sshd.currentLog().slice(start)}`,
    });
    await assertClientReaches('host-a', echo['host-a']?.greeting ?? '');
  });

  test('an earlier drop-in that wins over ours: --check names it, and the script puts the previous drop-in back and fails', async () => {
    const options = { mode: 'per-host' as const, hosts: ['host-a', 'host-b'], clientUsers: [client], keyFiles: { 'host-a': `${keys['host-a'].path}.pub`, 'host-b': `${keys['host-b'].path}.pub` } };
    const early = `${machine.root}/etc/ssh/sshd_config.d/00-early.conf`;
    const broken = `${machine.root}/etc/ssh/sshd_config.d/01-broken.conf`;
    try {
      writeFileSync(early, `Match Group ${machine.layout.hostsGroup}\n  AllowTcpForwarding no\n`);
      chmodSync(chroot('host-b'), 0o775);
      const checked = await serverSetup(machine, { ...options, apply: false, check: true });
      assert.equal(checked.code, 9, checked.stderr.join('\n'));
      const lines = checked.stderr.join('\n');
      assert.match(lines, new RegExp(`^tunnel-config: check: sshd would not apply "allowtcpforwarding remote" to ${account('host-a')}: an earlier Match block wins`, 'm'));
      assert.match(lines, new RegExp(`^tunnel-config: check: ${chroot('host-b')} has uid 0, gid 0, mode 0775; want root:root 0755$`, 'm'));
      assert.equal(checked.stderr.length, 3, lines);

      const previous = `${readFileSync(machine.layout.dropIn, 'utf8')}# edited by hand\n`;
      writeFileSync(machine.layout.dropIn, previous);
      const applied = await serverSetup(machine, options);
      assert.equal(applied.code, 9, applied.stderr.join('\n'));
      assert.match(applied.stderr.join('\n'), /server-setup: sshd would not apply "allowtcpforwarding remote" to /);
      assert.match(applied.stderr.join('\n'), /sshd would not apply these settings: is \S+ included at the top of \S+, before any other Match block for these accounts\?; \S+ is back as it was/);
      assert.equal(readFileSync(machine.layout.dropIn, 'utf8'), previous, 'the previous drop-in is back');
      assert.equal(ownerMode(chroot('host-b')), '0:0 0755', 'the steps before the failing one were done');

      rmSync(early);
      writeFileSync(broken, 'NoSuchOption yes\n');
      const rejected = await serverSetup(machine, { ...options, apply: false, check: true });
      assert.equal(rejected.code, 9);
      assert.match(rejected.stderr.join('\n'), /^tunnel-config: check: sshd -t: .*Bad configuration option: NoSuchOption/m);
    } finally {
      rmSync(early, { force: true });
      rmSync(broken, { force: true });
    }
    const fixed = await serverSetup(machine, options);
    assert.equal(fixed.code, 0, fixed.stderr.join('\n'));
    const checked = await serverSetup(machine, { ...options, apply: false, check: true });
    assert.equal(checked.code, 0, checked.stderr.join('\n'));
  });

  test('a host without --key gets a placeholder file; a key pasted into it survives the next run', async () => {
    const options = { mode: 'per-host' as const, hosts: ['host-a', 'host-b', 'host-c'], clientUsers: [client], keyFiles: { 'host-a': `${keys['host-a'].path}.pub`, 'host-b': `${keys['host-b'].path}.pub` } };
    const applied = await serverSetup(machine, options);
    assert.equal(applied.code, 0, applied.stderr.join('\n'));
    const keyFile = `${machine.layout.authorizedKeysDir}/${account('host-c')}`;
    assert.match(readFileSync(keyFile, 'utf8'), /^# tunnel-config: the public key of hidden host host-c goes here/);
    const checked = await serverSetup(machine, { ...options, apply: false, check: true });
    assert.equal(checked.code, 9);
    assert.deepEqual(checked.stderr, [`tunnel-config: check: ${keyFile} has no key yet: add the hidden host's public key`]);
    const pasted = `${readFileSync(keyFile, 'utf8')}restrict,port-forwarding ${keys['host-b'].publicKey} pasted\n`;
    writeFileSync(keyFile, pasted);
    assert.equal((await serverSetup(machine, options)).code, 0);
    assert.equal(readFileSync(keyFile, 'utf8'), pasted);
    assert.equal((await serverSetup(machine, { ...options, apply: false, check: true })).code, 0);
    await openTunnel(machine, jump, { account: account('host-c'), key: keys['host-b'], bindPath: '/sock/host-c.sock', targetPort: echo['host-b']?.port ?? 0, watchPath: realPath('host-c'), greeting: echo['host-b']?.greeting ?? '' }).then((t) => tunnels.push(t));
    await assertClientReaches('host-c', echo['host-b']?.greeting ?? '');
  });
});
