import type { ApiClient } from '#libs/contract';
import { seededRandom, type Credentials } from '../driver/credentials.model.js';
import { mapLimit } from './bench.lanes.js';
import type { InvariantResult } from './bench.summary.js';

const PAGE = 20;

/**
 * After a run has drained, reads the first page of a sample of users under pull (the SQL join, the definition of a
 * correct timeline) and under push and hybrid, and counts the users whose pages differ.
 */
export async function checkInvariant(
  api: ApiClient,
  credentials: Credentials,
  users: number,
  seed: number,
): Promise<InvariantResult> {
  const random = seededRandom(seed);
  const pool = [...credentials.users];
  const sample = Array.from({ length: Math.min(users, pool.length) }, () => {
    const i = Math.floor(random() * pool.length);
    return pool.splice(i, 1)[0]!;
  });
  const result: InvariantResult = { users: sample.length, mismatches: 0, sources: {}, examples: [] };
  await mapLimit(sample, 8, async (user) => {
    const expected = (await api.timeline(user.token, 'pull', PAGE)).items.map((i) => i.id).join(',');
    let differs = false;
    for (const strategy of ['push', 'hybrid'] as const) {
      const page = await api.timeline(user.token, strategy, PAGE);
      const key = `${strategy}/${page.source}`;
      result.sources[key] = (result.sources[key] ?? 0) + 1;
      if (page.items.map((i) => i.id).join(',') !== expected) {
        differs = true;
        if (result.examples.length < 5) result.examples.push(`user ${user.id} under ${strategy} differs from pull`);
      }
    }
    if (differs) result.mismatches += 1;
  });
  return result;
}
