/**
 * `node watchdog.js OWNER_PID WORLD_DIR`: started detached next to every world. If the test
 * process dies without cleaning up (SIGKILL, a blocked event loop), it kills every process
 * recorded in WORLD_DIR/pids (lines of `PID STARTTIME`) with their trees and removes the dir. Exits once the dir is gone.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, killTree, startTime } from './process.js';

function recordedRoots(dir: string): number[] {
  let text = '';
  try {
    text = readFileSync(join(dir, 'pids'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([pid, start]) => {
      // a live pid with another start time was reused: the kernel only reuses a pid once its group is empty
      const now = startTime(Number(pid));
      return Number(pid) > 0 && (now === undefined || now === start);
    })
    .map(([pid]) => Number(pid));
}

const [ownerArg, dir] = process.argv.slice(2);
const owner = Number(ownerArg);

if (dir !== undefined && owner > 0) {
  const timer = setInterval(() => {
    if (!existsSync(dir)) {
      clearInterval(timer);
      return;
    }
    if (isAlive(owner)) return;
    clearInterval(timer);
    killTree(recordedRoots(dir));
    rmSync(dir, { recursive: true, force: true });
  }, 500);
}
