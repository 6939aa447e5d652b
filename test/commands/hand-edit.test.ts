import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { addFlags, assertOneErrorLine, runCli, tempDir, USER_CONFIG, withoutBlocks } from './harness.js';

const temp = tempDir();
after(temp.remove);
let count = 0;

/** home (home-*) and work (work-*) added, then `edit` applied by hand to home's block text. */
async function twoSets(handEdit: (block: string) => string): Promise<{ home: string; file: string }> {
  const home = join(temp.dir, `home-${++count}`);
  mkdirSync(home);
  const file = join(home, 'config');
  writeFileSync(file, USER_CONFIG, { mode: 0o600 });
  for (const name of ['home', 'work']) assert.equal((await runCli([...addFlags(name, file), '--yes'], { home })).code, 0);
  const text = readFileSync(file, 'utf8');
  const block = /^# >>> tunnel-config home >>>\n[^]*?^# <<< tunnel-config home <<<\n/m.exec(text)?.[0] ?? '';
  writeFileSync(file, text.replace(block, handEdit(block)));
  return { home, file };
}

const lineOf = (file: string, content: string): number => readFileSync(file, 'utf8').split('\n').indexOf(content) + 1;
const addForwardAgent = (block: string): string => block.replace('  ServerAliveCountMax 3\n', '  ServerAliveCountMax 3\n  ForwardAgent yes\n');

describe('ForwardAgent yes added by hand inside a block', () => {
  test('list lists every set, marks the edited one and says which line; --json too', async () => {
    const { home, file } = await twoSets(addForwardAgent);
    const line = lineOf(file, '  ForwardAgent yes');
    const table = await runCli(['list', '--config', file], { home });
    assert.equal(table.code, 0, table.stderr);
    assert.equal(
      table.stdout,
      [
        'NAME   JUMP                 SOCKET DIR  HOSTS   USER  PERSIST  SSH OPTIONS',
        'home*  me@jump.example.com  /home/host  home-*                 ForwardAgent yes',
        'work   me@jump.example.com  /home/host  work-*',
        '',
      ].join('\n'),
    );
    assert.equal(table.stderr, `* home: edited by hand (line ${line} \`ForwardAgent yes\`); \`tunnel-config edit home\` keeps its settings\n`);
    const json = JSON.parse((await runCli(['list', '--json', '--config', file], { home })).stdout) as Array<{ name: string; sshOptions?: string[]; handEdited?: unknown }>;
    assert.deepEqual(json.map(({ name, sshOptions, handEdited }) => [name, sshOptions, handEdited]), [
      ['home', ['ForwardAgent yes'], [{ line, text: '  ForwardAgent yes' }]],
      ['work', undefined, undefined],
    ]);
  });

  test('the other set stays editable and removable', async () => {
    const { home, file } = await twoSets(addForwardAgent);
    const edited = await runCli(['edit', 'work', '--hosts', 'lab-1', '--config', file, '--yes'], { home });
    assert.equal(edited.code, 0, edited.stderr);
    assert.match(readFileSync(file, 'utf8'), /^Host lab-1$/m);
    assert.match(readFileSync(file, 'utf8'), /^ {2}ForwardAgent yes$/m, 'home untouched');
    const removed = await runCli(['remove', 'work', '--config', file, '--yes'], { home });
    assert.equal(removed.code, 0, removed.stderr);
  });

  test('edit of that set names the hand-made line and keeps it, as an --ssh-option line', async () => {
    const { home, file } = await twoSets(addForwardAgent);
    const line = lineOf(file, '  ForwardAgent yes');
    const run = await runCli(['edit', 'home', '--user', 'bob', '--config', file, '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`^tunnel set "home" was edited by hand: line ${line} \\(\`ForwardAgent yes\`\\); its settings are kept \\(lines of your own as --ssh-option lines\\), comments in the block are not$`, 'm'));
    assert.match(readFileSync(file, 'utf8'), /^Host home-\*\n {2}ProxyCommand .*\n {2}User bob\n {2}ForwardAgent yes\n {2}ServerAliveInterval 10\n/m);
    const list = await runCli(['list', '--config', file], { home });
    assert.equal(list.stderr, '', 'no longer marked: the block is as tunnel-config writes it');
    assert.match(list.stdout, /^home  /m);
  });

  test('remove of that set gives back the file without it', async () => {
    const { home, file } = await twoSets(addForwardAgent);
    const run = await runCli(['remove', 'home', '--config', file, '--yes'], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(withoutBlocks(readFileSync(file, 'utf8')), USER_CONFIG);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /ForwardAgent yes/);
  });
});

describe('a line tunnel-config cannot keep (HostName) added by hand', () => {
  const addHostName = (block: string): string => block.replace('  ServerAliveCountMax 3\n', '  ServerAliveCountMax 3\n  HostName 10.0.0.1\n');

  test('list still lists, marking it "!" with why; the others stay editable; edit of it says which line; remove works', async () => {
    const { home, file } = await twoSets(addHostName);
    const line = lineOf(file, '  HostName 10.0.0.1');
    const why = `${file}: tunnel-config block "home" \\(lines \\d+-\\d+\\), line ${line} \\(\`HostName 10\\.0\\.0\\.1\`\\): HostName would change the name the proxy looks up on the jumphost \\(%h\\); fix the block by hand or remove it and add the set again`;
    const list = await runCli(['list', '--config', file], { home });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^home! +\? +\? +\?\nwork +me@jump\.example\.com +\/home\/host +work-\*\n$/m);
    assert.match(list.stderr, new RegExp(`^! ${why}\\n$`));
    const json = JSON.parse((await runCli(['list', '--json', '--config', file], { home })).stdout) as Array<{ name: string; problem?: string }>;
    assert.match(json[0]?.problem ?? '', new RegExp(`^${why}$`));

    assert.equal((await runCli(['edit', 'work', '--hosts', 'lab-1', '--config', file, '--yes'], { home })).code, 0);
    assertOneErrorLine(await runCli(['edit', 'home', '--hosts', 'pi', '--config', file, '--yes'], { home }), new RegExp(`^tunnel-config: ${why}\\n$`));
    const removed = await runCli(['remove', 'home', '--config', file, '--yes'], { home });
    assert.equal(removed.code, 0, removed.stderr);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /tunnel-config home|HostName 10\.0\.0\.1/);
  });
});

describe('a set whose jumps the flags cannot say (an alias and a described jump, written by hand)', () => {
  /** home's ProxyCommand given a second jump by hand: the user's alias myjump, with its own socket directory. */
  const addAliasJump = (block: string): string => block.replace(/ --socket-dir \/home\/host /, ' --socket-dir /home/host --jump myjump --socket-dir /srv/tunnels ');

  test('list shows both jumps; edit of another answer keeps them as they are; edit of the jumps replaces them', async () => {
    const { home, file } = await twoSets(addAliasJump);
    const table = await runCli(['list', '--config', file], { home });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /\nhome +me@jump\.example\.com,myjump +\/home\/host,\/srv\/tunnels +home-\*/);
    const edited = await runCli(['edit', 'home', '--yes', '--config', file, '--hosts', 'home-*,pi'], { home });
    assert.equal(edited.code, 0, edited.stderr);
    const text = readFileSync(file, 'utf8');
    assert.match(text, / proxy --jump tunnel-config-home-jump --socket-dir \/home\/host --jump myjump --socket-dir \/srv\/tunnels -F \S+ -- %h\n/);
    assert.match(text, /\nHost home-\* pi\n/);
    const replaced = await runCli(['edit', 'home', '--yes', '--config', file, '--jump-alias', 'myjump'], { home });
    assert.equal(replaced.code, 0, replaced.stderr);
    // myjump keeps its own directory.
    assert.match(readFileSync(file, 'utf8'), / proxy --jump myjump --socket-dir \/srv\/tunnels -F \S+ -- %h\n/);
  });
});

describe('a line of your own in the jump section tunnel-config wrote (ConnectTimeout 5, for a faster failover)', () => {
  const addConnectTimeout = (block: string): string => block.replace('  User me\n', '  User me\n  ConnectTimeout 5\n');

  test('the set stays readable and unmarked; edit keeps the line, also when the jump host changes', async () => {
    const { home, file } = await twoSets(addConnectTimeout);
    const list = await runCli(['list', '--json', '--config', file], { home });
    assert.equal(list.code, 0, list.stderr);
    const [homeSet] = JSON.parse(list.stdout) as Array<{ name: string; jump: { options?: string[] }; handEdited?: unknown }>;
    assert.deepEqual([homeSet?.name, homeSet?.jump.options, homeSet?.handEdited], ['home', ['ConnectTimeout 5'], undefined]);
    const kept = await runCli(['edit', 'home', '--yes', '--config', file, '--hosts', 'home-*,pi'], { home });
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(readFileSync(file, 'utf8'), /\nHost tunnel-config-home-jump\n {2}HostName jump\.example\.com\n {2}User me\n {2}ConnectTimeout 5\n/);
    const second = await runCli(['edit', 'home', '--yes', '--config', file, '--jump-host', 'jump.example.com,jump2.example.com'], { home });
    assert.equal(second.code, 0, second.stderr);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /\nHost tunnel-config-home-jump\n {2}HostName jump\.example\.com\n {2}User me\n {2}ConnectTimeout 5\nHost tunnel-config-home-jump2\n {2}HostName jump2\.example\.com\n {2}User me\nHost /);
  });
});
