import { performance } from 'node:perf_hooks';
import {
  followingBucket,
  poolFor,
  seededRandom,
  WeightedPool,
  type CredentialUser,
  type Credentials,
} from './credentials.model.js';
import type { OutRequest, Transport } from './http.transport.js';
import { dueMs, planPhases, type Phase } from './open-model.schedule.js';
import type { MixEntry, Scenario } from './scenario.model.js';
import { followingRecord, newStepRecord, tagRecord, type StepRecord } from './summary.js';

// Open-model load: every send has a due time fixed in advance (open-model.schedule.ts). A timer loop dispatches all
// sends that are due without waiting for earlier responses; latency = response end − due time, so queueing anywhere
// (server, sockets, this process's event loop) is counted. When maxInFlight requests are outstanding a due send is
// dropped and counted, never delayed: a delayed send would hide exactly the latency we are trying to measure.

export interface DriveParams {
  scenario: Scenario;
  credentials: Credentials;
  transport: Transport;
  /** Bounds the wait for the last responses; the transport times requests out at this too. */
  timeoutMs: number;
  seed?: number;
  log?: (line: string) => void;
  /**
   * Poll with setImmediate when the next send is due in under 1 ms (sub-millisecond dispatch, but one core busy).
   * Off by default: on a small machine that also runs the API, PostgreSQL and Redis, a spinning driver takes CPU
   * from the system under test; with timers each send leaves up to ~1-2 ms late, and that lateness is counted.
   */
  spin?: boolean;
  /** Milliseconds, monotonic. */
  clock?: () => number;
}

export interface DriveResult {
  records: StepRecord[];
  startedAt: Date;
  finishedAt: Date;
  warmup: { sent: number; dropped: number; errors: number };
  /** Requests still unanswered when the drain bound expired (not in the histograms). */
  abandoned: number;
}

interface Sender {
  entry: MixEntry;
  users: WeightedPool<CredentialUser>;
}

/** Lead time before t0 so that setting up the first tick does not make the first sends late. */
const START_LEAD_MS = 20;

export function drive(p: DriveParams): Promise<DriveResult> {
  const { scenario, transport, timeoutMs } = p;
  const clock = p.clock ?? (() => performance.now());
  const log = p.log ?? (() => {});
  const spin = p.spin ?? false;
  const random = seededRandom(p.seed ?? 1);
  const senders = new WeightedPool<Sender>(
    scenario.mix.map((entry) => ({ entry, users: poolFor(entry.who, p.credentials) })),
    scenario.mix.map((m) => m.weight),
  );
  const timelinePath = `/v1/me/timeline?limit=${scenario.limit}&strategy=${scenario.strategy}`;
  const phases = planPhases(scenario);
  const records = new Map<Phase, StepRecord>(
    phases.filter((ph) => ph.kind === 'step').map((ph) => [ph, newStepRecord(ph.step, ph.rate, ph.seconds)]),
  );
  const warmup = { sent: 0, dropped: 0, errors: 0 };
  let posts = 0;
  let inFlight = 0;

  const request = (entry: MixEntry, user: CredentialUser): OutRequest => {
    const authorization = `Bearer ${user.token}`;
    if (entry.endpoint === 'timeline') return { method: 'GET', path: timelinePath, headers: { authorization } };
    posts += 1;
    const body = JSON.stringify({ body: `load ${scenario.name} #${posts} (${scenario.strategy})` });
    return { method: 'POST', path: '/v1/posts', headers: { authorization, 'content-type': 'application/json' }, body };
  };

  return new Promise((resolve) => {
    const startedAt = new Date();
    const t0 = clock() + START_LEAD_MS;
    let phaseIndex = 0;
    let i = 0;
    let drainTimer: NodeJS.Timeout | undefined;
    let done = false;

    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(drainTimer);
      resolve({ records: [...records.values()], startedAt, finishedAt: new Date(), warmup, abandoned: inFlight });
    };

    const dispatch = (phase: Phase, due: number) => {
      const { entry, users } = senders.pick(random);
      const user = users.pick(random);
      const record = records.get(phase);
      const tag = record ? tagRecord(record, entry.endpoint, scenario.strategy) : undefined;
      const byFollowing =
        record && entry.endpoint === 'timeline' ? followingRecord(record, followingBucket(user.following)) : undefined;
      if (record) record.scheduled += 1;
      if (inFlight >= scenario.maxInFlight) {
        if (tag) tag.dropped += 1;
        else warmup.dropped += 1;
        return;
      }
      inFlight += 1;
      if (record) {
        record.sent += 1;
        record.lag.recordValue(Math.max(0, Math.round((clock() - due) * 1000)));
      } else warmup.sent += 1;
      const onDone = (status: number) => {
        inFlight -= 1;
        const failed = status < 200 || status > 299;
        if (tag) {
          const micros = Math.max(1, Math.round((clock() - due) * 1000));
          tag.latency.recordValue(micros);
          byFollowing?.recordValue(micros);
          if (failed) tag.errors += 1;
        } else if (failed) warmup.errors += 1;
        if (phaseIndex >= phases.length && inFlight === 0) finish();
      };
      try {
        transport.send(request(entry, user), onDone);
      } catch {
        onDone(0);
      }
    };

    const phaseScheduled = (phase: Phase) => {
      const r = records.get(phase);
      const label = phase.kind === 'warmup' ? 'warm-up' : `step ${phase.step}/${scenario.rates.length}`;
      const counts = r ? `scheduled ${r.scheduled}, sent ${r.sent}` : `sent ${warmup.sent}, dropped ${warmup.dropped}`;
      const dropped = r ? [...r.tags.values()].reduce((n, t) => n + t.dropped, 0) : 0;
      log(
        `${label} at ${phase.rate}/s for ${phase.seconds}s: ${counts}${r ? `, dropped ${dropped}` : ''}, in flight ${inFlight}`,
      );
    };

    const tick = () => {
      const now = clock();
      while (phaseIndex < phases.length) {
        const phase = phases[phaseIndex];
        if (i >= phase.sends) {
          phaseScheduled(phase);
          phaseIndex += 1;
          i = 0;
          continue;
        }
        const due = t0 + dueMs(phase, i);
        if (due > now) break;
        dispatch(phase, due);
        i += 1;
      }
      if (phaseIndex >= phases.length) {
        if (inFlight === 0) return finish();
        // Every request times out by timeoutMs; the extra second covers timer slack. Bounded either way.
        drainTimer = setTimeout(finish, timeoutMs + 1000);
        return;
      }
      const wait = t0 + dueMs(phases[phaseIndex], i) - clock();
      // Node timers have 1 ms granularity: each tick sends everything due by then, in a batch.
      if (spin && wait < 1) setImmediate(tick);
      else setTimeout(tick, Math.max(1, Math.floor(wait)));
    };

    setTimeout(tick, Math.max(0, Math.floor(t0 - clock())));
  });
}
