import type { BenchSummary } from '../bench/bench.summary.js';
import { count, deliveryLag, ms, readsByFollowing, writePath } from './report.data.js';
import { table } from './report.table.js';

// The report's case-study section: what the strategies' designs predict, each shown by a measurement of the run.

export function predictions(s: BenchSummary): string {
  const out = ['## What the case study predicts, measured'];
  const following = readsByFollowing(s);
  if (following.rows.length) {
    out.push(
      '### Pull reads cost more the more accounts the reader follows',
      `Read latency by the reader's following count, at ${following.rate}/s (the read ladder's first step):`,
      table(
        ['strategy', 'following', 'reads', 'p50 ms', 'p99 ms'],
        following.rows.map((r) => [r.strategy, r.following, count(r.count), ms(r.p50Ms), ms(r.p99Ms)]),
      ),
    );
  }
  const lag = deliveryLag(s);
  if (lag.length) {
    out.push(
      "### Push pays at write time, in proportion to the author's followers",
      "Delivery lag: a post committed → its last follower's mailbox written, by the author's follower count:",
      table(
        ['scenario', 'strategy', 'followers', 'posts', 'p50 ms', 'p99 ms', 'max ms'],
        lag.map((r) => [r.scenario, r.strategy, r.followers, count(r.count), ms(r.p50Ms), ms(r.p99Ms), ms(r.maxMs)]),
      ),
    );
  }
  const writes = writePath(s);
  if (writes.length) {
    out.push(
      '### Hybrid keeps celebrity posts off the write path',
      'Per run: posts fanned out (pushed) or left to read time (pulled), the mailbox writes they took, and the p99 of ' +
        'writes and reads meanwhile:',
      table(
        [
          'scenario',
          'strategy',
          'posts',
          'pushed',
          'pulled',
          'mailbox writes',
          'writes/post',
          'POST p99 ms',
          'read p99 ms',
          'drain s',
        ],
        writes.map((r) => [
          r.scenario,
          r.strategy,
          count(r.posts),
          count(r.pushed),
          count(r.pulled),
          count(r.mailboxWrites),
          count(r.writesPerPost),
          ms(r.postP99Ms),
          ms(r.timelineP99Ms),
          r.drainSeconds === null ? '–' : r.drainSeconds.toFixed(1),
        ]),
      ),
    );
  }
  return out.join('\n\n');
}
