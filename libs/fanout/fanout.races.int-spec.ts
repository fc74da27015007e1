import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PROFILES } from '../../test/support/race.history.js';
import { RaceWorld } from '../../test/support/race.world.js';

// The invariant of DESIGN.md under races: generated histories whose fan-out jobs run concurrently on the real
// handlers, PostgreSQL and Redis, fast-check's scheduler picking the order of their I/O steps (race.scheduler.ts).
// RACE_RUNS searches longer. A failure is reported as found, with its seed, path, history and interleaving: the
// scheduler's picks do not shrink, and a smaller history replays differently, so shrinking would only spend minutes.
const RUNS = Number(process.env.RACE_RUNS ?? 25);

let world: RaceWorld;

beforeAll(async () => {
  world = await RaceWorld.start();
});
afterAll(() => world?.close());

describe('once interleaved fan-out jobs drained, push and hybrid read every page as pull does', () => {
  it.each(PROFILES)('%s races', async (family) => {
    await fc.assert(world.property(family), { numRuns: RUNS, endOnFailure: true });
  });
});
