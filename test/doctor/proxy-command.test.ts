import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readProxyCommand } from '../../src/doctor/proxy-command.js';

const BIN = '/usr/bin/node /usr/local/lib/node_modules/tunnel-config/bin/tunnel-config.js proxy';

test('a ProxyCommand read as tunnel-config proxy takes it: the jumps in order, each with its socket directory', () => {
  const cases: Array<[string, ReturnType<typeof readProxyCommand>]> = [
    [`${BIN} --jump gw -- %h`, { kind: 'ours', routes: [{ jump: 'gw', socketDir: '/home/host' }], configFile: undefined }],
    [`${BIN} --jump gw --socket-dir /s -F /c --persist 0 -- %h`, { kind: 'ours', routes: [{ jump: 'gw', socketDir: '/s' }], configFile: '/c' }],
    ['/usr/local/bin/tunnel-config proxy --jump a --jump b -- %h', { kind: 'ours', routes: [{ jump: 'a', socketDir: '/home/host' }, { jump: 'b', socketDir: '/home/host' }], configFile: undefined }],
    [`${BIN} --jump a --jump b --socket-dir /s -- %h`, { kind: 'ours', routes: [{ jump: 'a', socketDir: '/s' }, { jump: 'b', socketDir: '/s' }], configFile: undefined }],
    [`${BIN} --jump a --socket-dir /1 --jump b --socket-dir /2 -- %h`, { kind: 'ours', routes: [{ jump: 'a', socketDir: '/1' }, { jump: 'b', socketDir: '/2' }], configFile: undefined }],
    [`${BIN} --jump a --jump b --jump c --socket-dir /1 --socket-dir /2 -- %h`, { kind: 'broken', problem: 'proxy got 3 --jump and 2 --socket-dir: give one --socket-dir for every jump, or one per jump in the same order' }],
    [`${BIN} --socket-dir /s -- %h`, { kind: 'broken', problem: 'proxy needs --jump JUMP' }],
    [`${BIN} --jump gw`, { kind: 'broken', problem: 'it passes 0 hosts, not one (%h)' }],
    [`${BIN} --jump gw --jump gw -- %h`, { kind: 'broken', problem: 'proxy got --jump gw twice with the same socket directory: name each jump once' }],
    [`"/opt/my tools/tunnel-config" proxy --jump gw -- %h`, { kind: 'ours', routes: [{ jump: 'gw', socketDir: '/home/host' }], configFile: undefined }],
    ['ssh -F /c jump nc -U /home/host/%h.sock', { kind: 'not-ours' }],
    ['ssh -W %h:%p bastion', { kind: 'not-ours' }],
    ['/usr/bin/proxy --jump gw -- %h', { kind: 'not-ours' }],
    ['sh -c "unclosed', { kind: 'not-ours' }],
  ];
  for (const [command, expected] of cases) assert.deepEqual(readProxyCommand(command), expected, command);
  const unknown = readProxyCommand(`${BIN} --jump gw --frobnicate -- %h`);
  assert.equal(unknown.kind, 'broken');
  assert.match(unknown.kind === 'broken' ? unknown.problem : '', /Unknown option '--frobnicate'/);
});
