import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitDirective } from '../../src/sshconfig/lines.js';
import { recognizeRecipe, type SeedRecipe } from '../../src/sshconfig/recipe.js';

const wordsOf = (line: string): string[] => splitDirective(`ProxyCommand ${line}`)?.args ?? [];

describe('recognizeRecipe: the seed recipe in its forms', () => {
  const recipes: Array<[string, SeedRecipe]> = [
    ['ssh jump nc -U /home/host/%h.sock', { jump: 'jump', socketDir: '/home/host', via: 'nc -U' }],
    ['ssh SERVER nc -U /home/host/%h.sock', { jump: 'SERVER', socketDir: '/home/host', via: 'nc -U' }],
    ['exec ssh -q jump exec nc -U /home/host/%h.sock', { jump: 'jump', socketDir: '/home/host', via: 'nc -U' }],
    ['/usr/bin/ssh -p 2222 -l host jump.example.com ncat -U /srv/t/%h.sock', { jump: '-p 2222 -l host jump.example.com', socketDir: '/srv/t', via: 'nc -U' }],
    ['ssh -p2222 -i ~/.ssh/k me@jump netcat -U /home/host/%h.sock', { jump: '-p 2222 -i ~/.ssh/k me@jump', socketDir: '/home/host', via: 'nc -U' }],
    ['ssh jump -T nc -U /home/host/%h.sock', { jump: 'jump', socketDir: '/home/host', via: 'nc -U' }],
    ['ssh -W /home/host/%h.sock jump', { jump: 'jump', socketDir: '/home/host', via: 'ssh -W' }],
    ['ssh -qW/home/host/%h.sock jump', { jump: 'jump', socketDir: '/home/host', via: 'ssh -W' }],
    ['ssh jump -W /srv/sockets/%h.sock', { jump: 'jump', socketDir: '/srv/sockets', via: 'ssh -W' }],
    ['ssh jump socat - UNIX-CONNECT:/home/host/%h.sock', { jump: 'jump', socketDir: '/home/host', via: 'socat' }],
    ['ssh jump socat STDIO UNIX-CLIENT:/home/host/%h.sock', { jump: 'jump', socketDir: '/home/host', via: 'socat' }],
    ['"ssh" jump nc -U "/home/host/%h.sock"', { jump: 'jump', socketDir: '/home/host', via: 'nc -U' }],
  ];
  for (const [line, recipe] of recipes) test(line, () => assert.deepEqual(recognizeRecipe(wordsOf(line)), recipe));
});

describe('recognizeRecipe: other ProxyCommands are not the recipe', () => {
  const others = [
    'ssh jump nc -U /home/host/%h',
    'ssh jump nc %h 22',
    'ssh -W %h:%p jump',
    'ssh jump -W /home/host/%h.sock nc -U /home/host/%h.sock',
    'ssh jump nc -U relative/%h.sock',
    'ssh jump socat UNIX-CONNECT:/home/host/%h.sock TCP:localhost:22',
    'nc -U /home/host/%h.sock',
    'sh -c "ssh jump nc -U /home/host/%h.sock"',
    '/usr/local/bin/tunnel-config proxy --jump jump --socket-dir /home/host -- %h',
    'ssh -p',
    'none',
  ];
  for (const line of others) test(line, () => assert.equal(recognizeRecipe(wordsOf(line)), undefined));
});
