import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HostRow, renderHostRows } from '../../src/fleet/hosts.js';
import { renderTable } from '../../src/ui/table.js';

const host = (name: string, fields: Partial<HostRow> = {}): HostRow => ({
  name,
  set: 'home',
  jump: 'jump',
  socketPath: `/home/host/${name}.sock`,
  state: 'connected',
  banner: null,
  rttMs: null,
  ...fields,
});

const cases: Array<{ name: string; rows: HostRow[]; expected: string }> = [
  {
    name: 'without a probe: connected, no banner or time',
    rows: [host('host-1'), host('pi', { set: 'lab' })],
    expected: ['NAME    SET   STATE      BANNER  RTT', 'host-1  home  connected', 'pi      lab   connected'].join('\n'),
  },
  {
    name: 'probed: the banner and round trip of each',
    rows: [host('host-1', { state: 'live', banner: 'SSH-2.0-OpenSSH_9.2p1', rttMs: 4 }), host('host-3', { state: 'stale', rttMs: 12 })],
    expected: ['NAME    SET   STATE  BANNER                 RTT', 'host-1  home  live   SSH-2.0-OpenSSH_9.2p1  4 ms', 'host-3  home  stale                         12 ms'].join('\n'),
  },
  {
    name: 'an explicit jump: the JUMP column instead of SET',
    rows: [host('h0001', { set: null, jump: 'me@jump.example.com:2222' })],
    expected: ['NAME   JUMP                      STATE      BANNER  RTT', 'h0001  me@jump.example.com:2222  connected'].join('\n'),
  },
];

for (const { name, rows, expected } of cases) {
  test(`renderHostRows: ${name}`, () => {
    assert.equal(renderTable(renderHostRows(rows)), `${expected}\n`);
  });
}
