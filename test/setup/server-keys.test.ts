import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serverSetupCommand } from '../../src/commands/server-setup.js';
import { TunnelError } from '../../src/errors.js';
import { makeKey, type KeyPair } from '../support/keys.js';
import { tunnelConfigBin } from '../world.js';
import { captureIo } from './server/golden.js';

const scratch = mkdtempSync(join(tmpdir(), 'tc-server-keys-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let key: KeyPair;
let other: KeyPair;
/** The key's .pub line as ssh-keygen wrote it, with its comment. */
let line: string;
let blob: string;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const argvFor = (file: string): string[] => ['--mode', 'shared', '--hosts', 'host-1', '--socket-dir', `${scratch}/no-such-dir`, '--key', `host-1=${file}`];

/** A --key file that must be refused: its text, and why the message must give. */
const refused: Array<{ name: string; text: () => string; why: RegExp }> = [
  { name: 'a truncated key (4 base64 characters short)', text: () => `ssh-ed25519 ${blob.slice(0, -4)} x@y\n`, why: /OpenSSH does not read it as a public key \(ssh-keygen -l: it is not a public key file\.\)/ },
  { name: 'a truncated key (half of it)', text: () => `ssh-ed25519 ${blob.slice(0, 40)}\n`, why: /OpenSSH does not read it as a public key/ },
  { name: 'characters appended to the key', text: () => `ssh-ed25519 ${blob}AAAA x@y\n`, why: /OpenSSH does not read it as a public key/ },
  { name: 'one character appended', text: () => `ssh-ed25519 ${blob}x\n`, why: /OpenSSH does not read it as a public key/ },
  { name: 'padding appended', text: () => `ssh-ed25519 ${blob}==\n`, why: /OpenSSH does not read it as a public key/ },
  { name: 'two keys in one file', text: () => `${line}\n${other.publicKey} other\n`, why: /has 2 lines; a \.pub file is one key line/ },
  { name: 'a key, then an options line', text: () => `${line}\ncommand="/bin/sh",no-pty ${other.publicKey}\n`, why: /has 2 lines/ },
  { name: 'the private key', text: () => readFileSync(key.path, 'utf8'), why: /line 1 starts with "-----BEGIN", not a key type such as ssh-ed25519/ },
  { name: 'an options prefix', text: () => `restrict,command="/bin/sh" ${line}\n`, why: /line 1 has options before the key type: give the plain \.pub line/ },
  { name: 'a permitopen prefix', text: () => `permitopen="*:*" ${line}\n`, why: /line 1 has options before the key type/ },
  { name: 'a comment line first', text: () => `# host-1\n${line}\n`, why: /line 1 starts with "#", not a key type/ },
  { name: 'an empty file', text: () => '', why: /no public key on its first line/ },
];

describe('--key files: one public key line that OpenSSH reads, or exit 2 naming the file', () => {
  before(async () => {
    key = await makeKey(scratch, 'host-1', 'ed25519');
    other = await makeKey(scratch, 'host-2', 'ed25519');
    line = readFileSync(`${key.path}.pub`, 'utf8').trim();
    blob = line.split(' ')[1] ?? '';
  });

  for (const [index, { name, text, why }] of refused.entries()) {
    test(name, async () => {
      const file = join(scratch, `bad-${index}.pub`);
      writeFileSync(file, text());
      const { io, out } = captureIo();
      await assert.rejects(serverSetupCommand(argvFor(file), io), (error: unknown) => {
        assert.ok(error instanceof TunnelError, String(error));
        assert.equal(error.exitCode, 2);
        assert.match(error.message, new RegExp(`^--key host-1=${escape(file)}: `));
        assert.match(error.message, why);
        assert.match(error.message, /^[^\n]*$/, 'one line');
        return true;
      });
      assert.equal(out.stdout, '');
    });
  }

  test('the binary: exit 2, the file named on stderr, nothing on stdout', () => {
    const file = join(scratch, 'truncated.pub');
    writeFileSync(file, `ssh-ed25519 ${blob.slice(0, -4)}\n`);
    const result = spawnSync(process.execPath, [tunnelConfigBin, 'server-setup', ...argvFor(file)], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^tunnel-config: --key host-1=${escape(file)}: OpenSSH does not read it as a public key[^\\n]*\\n$`));
  });

  for (const [name, text] of [
    ['the .pub file as ssh-keygen wrote it', () => `${line}\n`],
    ['without a comment or a final line break', () => key.publicKey],
    ['with CRLF', () => `${line}\r\n`],
  ] as const) {
    test(`a good key passes: ${name}`, async () => {
      const file = join(scratch, 'good.pub');
      writeFileSync(file, text());
      const { io, out } = captureIo();
      assert.equal(await serverSetupCommand(argvFor(file), io), 0, out.stderr.join('\n'));
      assert.ok(out.stdout.split('\n').includes(`restrict,port-forwarding ${key.publicKey} tunnel-config:host-1`), out.stdout);
    });
  }
});
