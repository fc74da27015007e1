import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUTANTS } from '../../test/support/race.mutants.js';
import { SequentialScheduler } from '../../test/support/race.scheduler.js';
import { RaceWorld } from '../../test/support/race.world.js';

// The race properties must find planted bugs, or they prove nothing: each mutant runs against the property of the
// race family it breaks, which must fail. A run replays exactly from its seed (the driver lets fast-check pick only
// when every task is parked), so a fixed seed keeps this deterministic. With random seeds, searches of 100 runs found
// them after 1 to 95 runs (medians over 9 searches: 12, 33, 9, 23 and 1 runs, in the order of MUTANTS); one search of
// the second missed it (it needs a late delivery settled into the sorted part before the check). A bug
// claimed to need a race must pass the very history that found it when its jobs run one at a time; the other must
// be found with no interleaving at all.
const SEED = 12;
const RUNS = 100;

let world: RaceWorld;

beforeAll(async () => {
  world = await RaceWorld.start();
});
afterAll(() => world?.close());

describe.each(MUTANTS)('planted bug: $name', (mutant) => {
  it(`is found by the ${mutant.family} races, and shows ${mutant.shows}`, async () => {
    const restore = mutant.plant(world.services);
    try {
      const found = await fc.check(world.property(mutant.family), { seed: SEED, numRuns: RUNS, endOnFailure: true });
      expect(found.failed, `not found in ${RUNS} runs from seed ${SEED}`).toBe(true);
      console.info(`found at run ${found.numRuns} (seed ${SEED}, path ${found.counterexamplePath}): ${mutant.name}`);
      if (mutant.shows === 'only under a race') {
        const [history] = found.counterexample!;
        await world.run(history, new SequentialScheduler());
      } else {
        const sequential = world.sequentialProperty(mutant.family);
        expect((await fc.check(sequential, { seed: SEED, numRuns: 30, endOnFailure: true })).failed).toBe(true);
      }
    } finally {
      restore();
    }
  });
});
