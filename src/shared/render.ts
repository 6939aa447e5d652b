import { renderTable } from '../ui/table.js';
import type { SharedStatus } from './protocol.js';

function age(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `tunnel-config shared status` as a table, one row per shared connection. */
export function renderStatusTable(statuses: readonly SharedStatus[], now: number): string {
  const rows = [
    ['JUMP', 'TARGET', 'PID', 'AGE', 'CHANNELS', 'IN', 'OUT', 'IDLE TIMEOUT'],
    ...statuses.map((s) => [
      s.jump,
      s.target,
      String(s.pid),
      age(Math.max(0, Math.round((now - s.startedAt) / 1000))),
      `${s.channelsOpen} open, ${s.channelsTotal} total`,
      bytes(s.bytesIn),
      bytes(s.bytesOut),
      age(s.idleTimeoutSeconds),
    ]),
  ];
  return renderTable(rows);
}
