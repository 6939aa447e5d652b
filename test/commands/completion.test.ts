import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, tempDir, tunnelConfigBin } from './harness.js';

const temp = tempDir('tc-completion-');
after(temp.remove);
const home = join(temp.dir, 'home');
const bin = join(temp.dir, 'bin');
const config = join(temp.dir, 'ssh_config');
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';

const has = (shell: string): boolean => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const env = (): NodeJS.ProcessEnv => ({ ...process.env, HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}`, XDG_CACHE_HOME: join(home, '.cache') });
const scripts: Record<string, string> = {};

before(async () => {
  mkdirSync(home);
  mkdirSync(bin);
  // The scripts call `tunnel-config` as an installed one is called: by name, on PATH.
  writeFileSync(join(bin, 'tunnel-config'), `#!/bin/sh\nexec '${process.execPath}' '${tunnelConfigBin}' "$@"\n`);
  chmodSync(join(bin, 'tunnel-config'), 0o755);
  const added = await runCli(['add', '--yes', '--config', config, '--name', 'home', '--jump-host', 'j.example.com', '--hosts', 'pi,nas'], { home });
  assert.equal(added.code, 0, added.stderr);
  // The last `hosts` listing, as that command leaves it.
  mkdirSync(join(home, '.cache', 'tunnel-config'), { recursive: true });
  writeFileSync(join(home, '.cache', 'tunnel-config', 'hosts.txt'), 'nas\nlab-1\n');
  for (const shell of ['bash', 'zsh', 'fish']) {
    const run = await runCli(['completion', shell], { home });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    scripts[shell] = join(temp.dir, `completion.${shell}`);
    writeFileSync(scripts[shell], run.stdout);
  }
});

/** Sources the bash script in a bare bash, completes WORDS (the last one is the word being completed) as bash would, prints COMPREPLY. */
function complete(words: string[], options: { setup?: string; then?: string } = {}): string[] {
  const quoted = words.map((word) => `'${word}'`).join(' ');
  const fn = words[0] === 'tunnel-config' ? '_tunnel_config' : '_tunnel_config_ssh_hosts';
  const script = `${options.setup ?? ''}
source '${scripts.bash}'
COMP_WORDS=(${quoted}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}
${fn} "\${COMP_WORDS[0]}" "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"
${options.then ?? ''}`;
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script], { env: env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((line) => line !== '');
}

describe('completion bash|zsh|fish: the script is valid in its shell', () => {
  for (const [shell, check] of [['bash', ['-n']], ['zsh', ['-n']], ['fish', ['-n']]] as const) {
    const skip = has(shell) ? false : `${shell} is not installed (apt-get install -y ${shell})`;
    test(`${shell} ${check.join(' ')}`, { skip }, () => {
      const run = spawnSync(shell, [...check, scripts[shell] as string], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, '');
    });
  }

  test('bash: sourcing it registers tunnel-config, ssh, scp, sftp and rsync', () => {
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `source '${scripts.bash}' && complete -p tunnel-config ssh scp sftp rsync`], { env: env(), encoding: 'utf8' });
    assert.deepEqual(out.trim().split('\n'), [
      'complete -F _tunnel_config tunnel-config',
      'complete -F _tunnel_config_ssh_hosts ssh',
      'complete -F _tunnel_config_ssh_hosts scp',
      'complete -F _tunnel_config_ssh_hosts sftp',
      'complete -F _tunnel_config_ssh_hosts rsync',
    ]);
  });
});

describe('bash: what the completion offers', () => {
  for (const [what, words, expected] of [
    ['the commands, from the CLI\'s table', ['tunnel-config', ''], ['proxy', 'add', 'list', 'hosts', 'edit', 'remove', 'host-setup', 'server-setup', 'shared', 'completion', 'help']],
    ['help COMMAND', ['tunnel-config', 'help', 'comp'], ['completion']],
    ['the flags of add, from its parser', ['tunnel-config', 'add', '--jump-'], ['--jump-host', '--jump-port', '--jump-user', '--jump-alias']],
    ['add\'s yes and dry-run', ['tunnel-config', 'add', '--d'], ['--dry-run']],
    ['set names for edit, from --config', ['tunnel-config', 'edit', '--config', config, ''], ['home']],
    ['set names for remove', ['tunnel-config', 'remove', '-F', config, 'h'], ['home']],
    ['nothing after a flag that takes a value', ['tunnel-config', 'edit', '--config', config, '--name', ''], []],
    ['the shells', ['tunnel-config', 'completion', ''], ['bash', 'zsh', 'fish']],
    ['shared\'s subcommands', ['tunnel-config', 'shared', 's'], ['status', 'stop']],
  ] as const) {
    test(what, () => {
      const got = complete([...words]);
      for (const word of expected) assert.ok(got.includes(word), `${word} in ${JSON.stringify(got)}`);
      if (expected.length === 0) assert.deepEqual(got, []);
    });
  }

  test('ssh: the managed host names, as host and as user@host', () => {
    const got = complete(['ssh', '-F', config, '']);
    assert.ok(got.includes('pi') && got.includes('nas'), JSON.stringify(got));
    assert.deepEqual(complete(['ssh', '-F', config, 'me@p']), ['me@pi']);
  });

  test('scp and rsync: host names with the colon of HOST:PATH; the cached listing\'s too', () => {
    assert.deepEqual(complete(['scp', '-F', config, 'n']).filter((word) => word.startsWith('n')), ['nas:']);
    assert.deepEqual(complete(['rsync', '-e', 'ssh', 'l']).filter((word) => word.endsWith(':')), ['lab-1:']);
  });

  test('ssh: no host names after the host, for an option\'s value, or for a path', () => {
    for (const words of [['ssh', '-F', config, 'pi', 'p'], ['ssh', '-F', config, '-i', 'p'], ['scp', '-F', config, './p']]) {
      assert.ok(!complete(words).some((word) => word.startsWith('pi')), words.join(' '));
    }
  });

  test('the completion ssh had still runs; our names are added to its answer, once each', () => {
    const setup = `_mine() { COMPREPLY=(theirs pi); }; complete -o nospace -F _mine ssh`;
    assert.deepEqual(complete(['ssh', '-F', config, ''], { setup }), ['theirs', 'pi', 'nas', 'lab-1']);
    const spec = execFileSync('bash', ['--norc', '--noprofile', '-c', `${setup}; source '${scripts.bash}'; complete -p ssh; echo "$_tunnel_config_original_ssh"`], { env: env(), encoding: 'utf8' });
    assert.equal(spec, 'complete -o nospace -F _tunnel_config_ssh_hosts ssh\n_mine\n');
  });

  test('a completion of another kind is left alone', () => {
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `complete -A hostname sftp; source '${scripts.bash}'; complete -p sftp`], { env: env(), encoding: 'utf8' });
    assert.equal(out, 'complete -A hostname sftp\n');
  });

  const skip = existsSync(BASH_COMPLETION) ? false : `bash-completion is not installed (${BASH_COMPLETION}; apt-get install -y bash-completion)`;
  test('with bash-completion: its ssh completion, loaded on first use, runs, and the names are added', { skip }, () => {
    const setup = `source ${BASH_COMPLETION}`;
    const got = complete(['ssh', '-F', config, 'p'], { setup, then: 'echo "original=$_tunnel_config_original_ssh"' });
    assert.ok(got.includes('pi'), JSON.stringify(got));
    assert.ok(got.includes('original=_ssh') || got.includes('original=_comp_cmd_ssh'), JSON.stringify(got));
  });
});

describe('completion --names: what the scripts call back, from local files only', () => {
  test('sets and hosts from --config; hosts add the cache of the last hosts listing', async () => {
    const sets = await runCli(['completion', '--names', 'sets', '--config', config], { home });
    const hosts = await runCli(['completion', '--names', 'hosts', '-F', config], { home, env: { XDG_CACHE_HOME: join(home, '.cache') } });
    assert.deepEqual([sets.code, sets.stdout, sets.stderr], [0, 'home\n', '']);
    assert.deepEqual([hosts.code, hosts.stdout, hosts.stderr], [0, 'pi\nnas\nlab-1\n', '']);
  });

  test('a missing config offers nothing, quietly', async () => {
    const run = await runCli(['completion', '--names', 'sets', '--config', join(temp.dir, 'none')], { home });
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, '', '']);
  });
});

describe('completion: help and usage', () => {
  test('help completion and completion --help print the same usage', async () => {
    const asked = await runCli(['help', 'completion'], { home });
    const flag = await runCli(['completion', '--help'], { home });
    assert.equal(asked.code, 0);
    assert.match(asked.stdout, /^Usage: tunnel-config completion bash\|zsh\|fish\n/);
    assert.equal(asked.stdout, flag.stdout);
  });

  test('the overall usage lists it', async () => {
    const run = await runCli(['help'], { home });
    assert.match(run.stdout, /^ {2}completion {4}print a completion script for bash, zsh or fish$/m);
  });

  for (const args of [['completion'], ['completion', 'tcsh'], ['completion', 'bash', 'zsh'], ['completion', '--names', 'users']]) {
    test(`${args.join(' ')}: exit 2, one line on stderr`, async () => {
      const run = await runCli(args, { home });
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^tunnel-config: .*\(see tunnel-config completion --help\)\n$/);
    });
  }
});

describe('fish: what the completion offers (complete -C)', { skip: has('fish') ? false : 'fish is not installed (apt-get install -y fish)' }, () => {
  const fishComplete = (line: string): string[] =>
    execFileSync('fish', ['--no-config', '-c', `source '${scripts.fish}'; complete -C '${line}'`], { env: env(), encoding: 'utf8' })
      .split('\n').filter((row) => row !== '').map((row) => row.split('\t')[0] as string);

  for (const [line, expected] of [
    ['tunnel-config ', ['add', 'list', 'edit', 'remove', 'completion', 'help']],
    ['tunnel-config add --jump-', ['--jump-alias', '--jump-host', '--jump-port', '--jump-user']],
    [`tunnel-config edit --config ${config} `, ['home']],
    [`ssh -F ${config} `, ['pi', 'nas', 'lab-1']],
    [`scp -F ${config} p`, ['pi:']],
  ] as const) {
    test(line, () => {
      const got = fishComplete(line);
      for (const word of expected) assert.ok(got.includes(word), `${word} in ${JSON.stringify(got)}`);
    });
  }
});

describe('zsh: what the completion functions offer (compadd replaced by a function that prints)', { skip: has('zsh') ? false : 'zsh is not installed (apt-get install -y zsh)' }, () => {
  const zshComplete = (fn: string, words: string[]): string[] => {
    const script = `autoload -U compinit; compinit -u -d '${join(temp.dir, 'zcompdump')}'
source '${scripts.zsh}'
compadd() { local i=\${@[(i)--]}; print -l -- "\${@[i+1,-1]}"; }
compset() { PREFIX=\${PREFIX#*@}; }
_theirs() { print theirs; }
_tunnel_config_original[ssh]=_theirs
words=(${words.map((word) => `'${word}'`).join(' ')}); CURRENT=$#words; PREFIX=$words[-1]
${fn}`;
    return execFileSync('zsh', ['-f', '-c', script], { env: env(), encoding: 'utf8' }).split('\n').filter((line) => line !== '');
  };

  for (const [fn, words, expected] of [
    ['_tunnel_config', ['tunnel-config', ''], ['add', 'hosts', 'completion', 'help']],
    ['_tunnel_config', ['tunnel-config', 'add', '--jump-'], ['--jump-host', '--dry-run', '-F']],
    ['_tunnel_config', ['tunnel-config', 'edit', '--config', config, ''], ['home']],
    ['_tunnel_config_ssh_hosts', ['ssh', '-F', config, ''], ['theirs', 'pi', 'nas', 'lab-1']],
    ['_tunnel_config_ssh_hosts', ['ssh', '-F', config, 'pi', ''], ['theirs']],
  ] as const) {
    test(`${fn}: ${words.join(' ')}`, () => {
      const got = zshComplete(fn, [...words]);
      for (const word of expected) assert.ok(got.includes(word), `${word} in ${JSON.stringify(got)}`);
      if (words[3] === 'pi') assert.deepEqual(got, ['theirs'], 'no host names after the host');
    });
  }
});
