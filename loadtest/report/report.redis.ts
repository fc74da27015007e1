import { SERIES } from '#libs/contract';
import type { BenchSummary, FanoutThroughput } from '../bench/bench.summary.js';
import { count, ms } from './report.data.js';
import { table } from './report.table.js';
import { zaddWhen } from './report.captions.js';

// The report's Redis sections: the fan-out drain against the pipelined ZADD limit, what Redis spent per mailbox
// write, and memory per mailbox entry and per user.

export function fanout(s: BenchSummary): string {
  const f = s.fanout;
  if (!f) return '';
  const stage = (name: string) =>
    f.server.series.find((x) => x.name === SERIES.stage('batch_write') && x.labels.detail === name);
  const write = stage('deliver');
  return [
    '## Fan-out throughput',
    `With the queue paused, the ${count(f.authors)} most followed authors wrote ${count(f.posts)} posts ` +
      `(${count(f.expectedWrites)} mailbox writes); then the queue was resumed. The ${workers(f)}` +
      `${f.fanoutConcurrency ? ` (concurrency ${f.fanoutConcurrency})` : ''} drained ${count(f.writes)} mailbox writes in ` +
      `${f.seconds.toFixed(2)} s: **${count(f.writesPerSec)} writes/s**${perMasterText(f)}. redis-benchmark ` +
      `\`ZADD -P 64\` on ${f.zaddOn ?? 'the same Redis'}, ${zaddWhen(f)}: ` +
      `${f.zaddPerSec === null ? 'not measured' : `${count(f.zaddPerSec)}/s`}` +
      `${f.ratioToZadd === null ? '' : ` (the fan-out reached ${f.ratioToZadd.toFixed(2)}x of it${manyMasters(f) ? ' per master' : ''})`}.`,
    write
      ? `Mailbox write per batch job (one script call per slot of followers, all in one round trip): p50 ${ms(write.p50Ms)} ms, p99 ${ms(write.p99Ms)} ms over ${count(write.count)} batches.`
      : '',
    redisCost(f),
    machineCost(f),
  ]
    .filter(Boolean)
    .join('\n\n');
}

const manyMasters = (f: FanoutThroughput) => (f.masters ?? 1) > 1;
const workers = (f: FanoutThroughput) => ((f.perWorker?.length ?? 1) > 1 ? `${f.perWorker!.length} workers` : 'worker');
const perMasterText = (f: FanoutThroughput) =>
  manyMasters(f) ? ` (${count(Math.round(f.writesPerSec / f.masters!))}/s per master of ${f.masters})` : '';

export function memory(s: BenchSummary): string {
  const m = s.memory;
  if (!m) return '';
  return [
    '## Redis memory',
    `Measured after the mailboxes were built (MEMORY USAGE over ${m.sampledUsers} users` +
      `${(m.masters ?? 1) > 1 ? `; used_memory and keys of the ${m.masters} masters added, replicas not counted` : ''}):`,
    table(
      [
        'per mailbox entry',
        'entries per mailbox',
        'per user (mailbox, following set, state, followed pull-mode authors)',
        'per cached post',
        'server used_memory',
        'keys',
      ],
      [
        [
          `${m.bytesPerMailboxEntry ?? '–'} B`,
          count(m.entriesPerMailbox),
          `${count(m.bytesPerUser)} B`,
          `${m.bytesPerCachedPost ?? '–'} B`,
          `${(m.usedMemoryBytes / 2 ** 20).toFixed(0)} MiB`,
          count(m.keys),
        ],
      ],
    ),
  ].join('\n\n');
}

/** Redis time per mailbox write over the drain: the CPU in all, then by command (a script's time includes its calls). */
function redisCost(f: FanoutThroughput): string {
  const c = f.redisCost;
  if (!c) return '';
  const limitMicros = f.zaddPerSec ? `${(1e6 / f.zaddPerSec).toFixed(2)} µs per ZADD at the pipelined limit` : '';
  return [
    `Redis spent **${c.cpuMicrosPerEntry} µs of CPU per mailbox write** over the drain (main thread, INFO cpu` +
      `${manyMasters(f) ? `, ${f.masters} masters added` : ''})` +
      `${limitMicros ? `, against ${limitMicros}` : ''}. By command (INFO commandstats; EVALSHA's time includes the ` +
      'commands its script calls, which are listed too, so the column adds up to more than the CPU):',
    table(
      ['command', 'calls', 'calls per write', 'µs per write'],
      c.byCommand.slice(0, 12).map((r) => [r.command, count(r.calls), r.callsPerEntry, r.microsPerEntry]),
    ),
  ].join('\n\n');
}

/**
 * The drain's CPU per write on every process it needs: the ZADD reference needs one Redis and its client, the drain
 * also a worker and PostgreSQL, all on the same cores; what they add up to bounds the writes per second here.
 */
function machineCost(f: FanoutThroughput): string {
  const c = f.cpuPerWrite;
  if (!c) return '';
  const total = c.redisMicros + c.workerMicros + c.postgresMicros;
  return (
    `CPU per mailbox write over the drain, by process: Redis ${c.redisMicros} µs, the ${workers(f)} ` +
    `${c.workerMicros} µs, PostgreSQL ${c.postgresMicros} µs: ${total.toFixed(3)} µs in all. At that cost the ` +
    `machine's ${c.cores} cores, doing nothing else, could drain at most **${count(c.coresBound)} writes/s** ` +
    `(${f.zaddPerSec ? `${(c.coresBound / f.zaddPerSec).toFixed(2)}x the ZADD limit` : 'no ZADD limit measured'}); ` +
    'the ZADD reference runs only Redis and its client.'
  );
}
