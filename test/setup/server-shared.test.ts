import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/net.js';
import { fileIdentity } from '../support/tunnel.js';
import { waitFor } from '../support/wait.js';
import { assertBindRefused, ownerMode } from './server/checks.js';
import { authorize, describe as describeRun, makeKeys, serverSetup, socketDir, ssh, startEcho, startJump, writeBaseConfig, type Jump } from './server/jump.js';
import { addUser, createMachine, isRoot, namesOf, type Machine } from './server/machine.js';
import { describeProxy, openTunnel, runProxy, type HostTunnel } from './server/tunnels.js';

const skip = isRoot() ? false : 'needs root: adds accounts and runs sshd';
const names = ['host-a', 'host-b', 'client', 'other', 'jump_host'] as const;

let machine: Machine;
let keys: Awaited<ReturnType<typeof makeKeys<(typeof names)[number]>>>;
let jump: Jump;
let client: string;
let other: string;
const echo: Record<string, Awaited<ReturnType<typeof startEcho>>> = {};
const tunnels: HostTunnel[] = [];

const shared = (): string => machine.layout.sharedAccount;
const socketOf = (host: string): string => `${socketDir(machine)}/${host}.sock`;
const keyFiles = (): Record<string, string> => ({ 'host-a': `${keys['host-a'].path}.pub`, 'host-b': `${keys['host-b'].path}.pub` });

/** The tunnel of `host`, made with `keyOf`'s key (by default its own), to `echo[target]`. */
async function tunnel(host: string, keyOf: 'host-a' | 'host-b', target: string): Promise<HostTunnel> {
  const server = echo[target];
  if (!server) throw new Error(`no echo server ${target}`);
  const opened = await openTunnel(machine, jump, { account: shared(), key: keys[keyOf], bindPath: socketOf(host), targetPort: server.port, watchPath: socketOf(host), greeting: server.greeting });
  tunnels.push(opened);
  return opened;
}

async function clientSees(host: string): Promise<string> {
  const line = `ping ${randomBytes(4).toString('hex')}\n`;
  const run = await runProxy(machine, jump, { user: client, key: keys.client, socketDir: socketDir(machine), host, send: line, expect: line });
  assert.equal(run.code, 0, describeProxy(run));
  assert.ok(run.stdout.endsWith(`\n${line}`), describeProxy(run));
  return run.stdout.slice(0, run.stdout.indexOf('\n'));
}

describe('server-setup shared mode against a real sshd', { skip }, () => {
  before(async () => {
    machine = createMachine();
    keys = await makeKeys(machine, names);
    client = addUser(machine, 'c');
    other = addUser(machine, 'o');
    authorize(machine, client, keys.client);
    authorize(machine, other, keys.other);
    writeBaseConfig(machine, keys.jump_host);
    const applied = await serverSetup(machine, { mode: 'shared', hosts: ['host-a', 'host-b'], clientUsers: [client], keyFiles: keyFiles() });
    assert.equal(applied.code, 0, `the setup script failed:\n${applied.stderr.join('\n')}`);
    jump = await startJump(machine, keys.jump_host);
    echo['host-a'] = await startEcho(`hidden host-a ${randomBytes(4).toString('hex')}`);
    echo['host-b'] = await startEcho(`hidden host-b ${randomBytes(4).toString('hex')}`);
  });

  after(async () => {
    await Promise.all(Object.values(echo).map((server) => server.close()));
    await machine?.close();
    if (machine) assert.deepEqual(namesOf(machine), { users: [], groups: [] });
  });

  test('one account, its socket directory for the clients only, both keys restricted; --check finds nothing wrong', async () => {
    const uid = spawnSync('id', ['-u', shared()], { encoding: 'utf8' }).stdout.trim();
    const clients = spawnSync('getent', ['group', machine.layout.clientsGroup], { encoding: 'utf8' }).stdout.split(':')[2];
    assert.equal(ownerMode(socketDir(machine)), `${uid}:${clients} 0750`);
    const keyFile = spawnSync('cat', [`${machine.layout.authorizedKeysDir}/${shared()}`], { encoding: 'utf8' }).stdout;
    assert.equal(keyFile, ['host-a', 'host-b'].map((host) => `restrict,port-forwarding ${keys[host as 'host-a'].publicKey} tunnel-config:${host}\n`).join(''));
    const checked = await serverSetup(machine, { mode: 'shared', hosts: ['host-a', 'host-b'], clientUsers: [client], keyFiles: keyFiles(), apply: false, check: true });
    assert.equal(checked.code, 0, checked.stderr.join('\n'));
    assert.deepEqual(checked.stderr.filter((line) => !line.includes('check: ok')), []);
  });

  test('the host account gets no shell, pty, agent or TCP forwarding', async () => {
    for (const [options, command] of [[[], []], [[], ['id']], [['-tt'], ['id']], [['-A'], ['true']]] as const) {
      const result = await ssh(machine, jump, shared(), keys['host-a'], [...options], [...command]);
      const context = `ssh ${[...options, ...command].join(' ')}\n${describeRun(result)}`;
      assert.equal(result.code, 255, context);
      assert.match(result.stderr, /channel 0: open failed: connect failed: open failed/, context);
    }
    const local = await ssh(machine, jump, shared(), keys['host-a'], ['-W', `127.0.0.1:${echo['host-a']?.port ?? 0}`]);
    assert.equal(local.code, 255, describeRun(local));
    assert.match(local.stderr, /open failed: administratively prohibited/, describeRun(local));
    const port = await freePort();
    const remote = await ssh(machine, jump, shared(), keys['host-a'], ['-N', '-R', `127.0.0.1:${port}:127.0.0.1:9`, '-o', 'ExitOnForwardFailure=yes']);
    assert.equal(remote.code, 255, describeRun(remote));
    assert.match(remote.stderr, new RegExp(`remote port forwarding failed for listen port ${port}`), describeRun(remote));
    const settings = spawnSync('/usr/sbin/sshd', ['-T', '-f', jump.sshd.configPath, '-C', `user=${shared()},host=localhost,addr=127.0.0.1`], { encoding: 'utf8' }).stdout;
    for (const line of ['permittty no', 'allowagentforwarding no', 'x11forwarding no', 'maxsessions 0', 'allowtcpforwarding remote', 'permitlisten none', 'forcecommand /usr/sbin/nologin', 'streamlocalbindmask 0111']) {
      assert.ok(settings.split('\n').includes(line), line);
    }
  });

  test('the tunnel and tunnel-config proxy still work', async () => {
    await tunnel('host-a', 'host-a', 'host-a');
    assert.equal(await clientSees('host-a'), echo['host-a']?.greeting);
  });

  test("no tunnel key can unlink the authorized_keys file with -R (it is root's, outside the account's home)", async () => {
    const keyFile = `${machine.layout.authorizedKeysDir}/${shared()}`;
    await assertBindRefused(machine, jump, shared(), keys['host-b'], keyFile, keyFile);
    assert.equal(statSync(keyFile).isFile(), true);
  });

  test('an account that is neither a client nor the host account cannot open the socket', async () => {
    const start = jump.sshd.currentLog().length;
    const run = await runProxy(machine, jump, { user: other, key: keys.other, socketDir: socketDir(machine), host: 'host-a' });
    assert.equal(run.code, 6, describeProxy(run));
    await waitFor(() => (/connect to \S+host-a\.sock port -2 failed: Permission denied/.test(jump.sshd.currentLog().slice(start)) ? true : undefined), {
      timeoutMs: 5000,
      what: () => `sshd never logged the refusal:\n${jump.sshd.currentLog().slice(start)}`,
    });
  });

  test("the hole per-host mode closes: host-b's key replaces host-a's socket, and clients of host-a reach host-b", async () => {
    const before = fileIdentity(socketOf('host-a'));
    assert.equal(await clientSees('host-a'), echo['host-a']?.greeting);
    await tunnel('host-a', 'host-b', 'host-b');
    assert.notEqual(fileIdentity(socketOf('host-a')), before);
    assert.equal(await clientSees('host-a'), echo['host-b']?.greeting);
  });
});
