import type { ProcessTracker } from '../test/support/process.js';
import type { World } from '../test/world.js';
import { Session } from './session.js';

/** Answers each line in two writes 2 ms apart, as sftp-server answers a request (a bare echo hides the stall). */
const TWO_WRITE_ECHO = `perl -e '$| = 1; print "R\\n"; while (<STDIN>) { print "a"; select(undef, undef, undef, 0.002); print "b\\n" }'`;
const ROUND_TRIP_BOUND_MS = 5_000;

/**
 * `count` sequential round trips on one session per config, interleaved: one round trip on each session in
 * turn. Returns the ms of every round trip, per config.
 */
export async function roundTrips(world: World, tracker: ProcessTracker, configs: string[], count: number): Promise<number[][]> {
  const sessions = configs.map((config) => new Session(world, tracker, config, TWO_WRITE_ECHO));
  for (const session of sessions) await session.waitFor('R\n', 60_000);
  const times: number[][] = configs.map(() => []);
  for (let i = 0; i < count; i++) {
    for (const [index, session] of sessions.entries()) {
      const started = performance.now();
      await session.write('q\n');
      await session.waitFor('ab\n', ROUND_TRIP_BOUND_MS);
      times[index]?.push(performance.now() - started);
    }
  }
  for (const session of sessions) {
    const code = await session.close();
    if (code !== 0) throw new Error(`round trips: ssh exited ${code}: ${session.tracked.stderr()}`);
  }
  return times;
}
