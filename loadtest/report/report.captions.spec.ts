import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capacityOf, capacityText, type BenchSummary } from '../bench/bench.summary.js';
import { renderHtml } from './report.html.js';
import { renderMarkdown } from './report.markdown.js';

// Every caption of report.html held against the tables of report.md rendered from the same summary: a caption may
// only state figures the tables state, and its claims about capacity, sustained rates and mailbox writes must be the
// tables' own cells. Run on the committed 10k run, and on the same run with push's celebrity storm pushed over its
// limit at every step (the case where a caption once claimed every strategy met its limit while the table said none).

const committed = () =>
  JSON.parse(
    readFileSync(new URL('../../docs/benchmarks/2026-11-30-10k/summary.json', import.meta.url), 'utf8'),
  ) as BenchSummary;

/**
 * The committed run as the first deployment of --compare-cluster, and a cluster beside it with figures of its own:
 * its fan-out drain slower, across 3 masters, and its push read ladder pushed over the limit from 1,000/s on.
 */
function comparedWithACluster(): BenchSummary {
  const s = committed();
  const single = { redis: 'single' as const, masters: 1, replicasPerMaster: 0, shards: 1, apis: 1, workers: 1 };
  const cluster = { ...single, redis: 'cluster' as const, masters: 3, replicasPerMaster: 1, shards: 16, apis: 2 };
  const read = structuredClone(
    s.runs.find((r) => r.scenario === 'read' && r.strategy === 'push' && r.target === 'api')!,
  );
  for (const step of read.client.steps) {
    if (step.targetRate >= 1000) for (const tag of step.tags) tag.p99Ms = 2 * read.capacity.p99LimitMs;
  }
  read.capacity = capacityOf(read.client, read.capacity.p99LimitMs);
  const f = s.fanout!;
  const writesPerSec = Math.round(f.writesPerSec * 0.61);
  const perMaster = [0.3, 0.33, 0.37].map((share, i) => ({
    node: `127.0.0.1:700${i + 1}`,
    writes: Math.round(f.writes * share),
    writesPerSec: Math.round(writesPerSec * share),
    cpuMicros: Math.round(f.writes * share * (7.5 + i)),
    cpuMicrosPerWrite: 7.5 + i,
    writesPerCpuSecond: Math.round(1e6 / (7.5 + i)),
    busy: 0.41 + i / 10,
  }));
  const fanout = { ...f, writesPerSec, masters: 3, perMaster, zaddOn: 'one master of 3 (127.0.0.1:7001), alone' };
  s.scaling = {
    deployments: [
      { shape: single, runs: [], fanout: f, memory: s.memory, warmSeconds: 10 },
      { shape: cluster, runs: [read], fanout, memory: s.memory, warmSeconds: 12 },
    ],
  };
  return s;
}

function stormPushOverItsLimit(): BenchSummary {
  const s = committed();
  const run = s.runs.find((r) => r.scenario === 'celebrity-storm' && r.strategy === 'push')!;
  for (const step of run.client.steps) for (const tag of step.tags) tag.p99Ms = 10 * run.capacity.p99LimitMs;
  run.capacity = capacityOf(run.client, run.capacity.p99LimitMs);
  expect(run.capacity.rate).toBeNull();
  return s;
}

const unescape = (t: string) =>
  t
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

function figures(html: string): { title: string; caption: string }[] {
  return [...html.matchAll(/<figure>.*?aria-label="([^"]*)".*?<figcaption>(.*?)<\/figcaption><\/figure>/gs)].map(
    (m) => ({ title: unescape(m[1]!), caption: unescape(m[2]!) }),
  );
}

/** The rows of the first Markdown table after a heading, as cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.slice(markdown.indexOf(`${heading}\n`)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

function check(summary: BenchSummary) {
  const markdown = renderMarkdown(summary);
  const html = renderHtml(summary, markdown);
  const capacity = new Map(tableAfter(markdown, '## Capacity').map((r) => [`${r[0]}|${r[1]}`, r]));
  expect(capacity.size).toBe(summary.runs.length);
  const writes = new Map(
    tableAfter(markdown, '### Hybrid keeps celebrity posts off the write path').map((r) => [`${r[0]}|${r[1]}`, r]),
  );
  const found = figures(html);
  expect(found.length).toBeGreaterThanOrEqual(10);
  for (const { title, caption } of found) {
    const scenario = title.split(':')[0]!;
    // Every figure of the caption is one the report states, with the same rounding.
    for (const [figure] of caption.matchAll(/\d+(?:,\d{3})*(?:\.\d+)?/g)) {
      const pattern = new RegExp(`(?<![\\d,.])${figure.replace(/[.,]/g, '\\$&')}(?![\\d,]|\\.\\d)`);
      expect(pattern.test(markdown), `"${figure}" of the caption of "${title}" is in no table`).toBe(true);
    }
    const claims = (after: string) =>
      caption
        .slice(caption.indexOf(after) + after.length)
        .split(/[.)]\s|\): /)[0]!
        .split('; ');
    const ofScenario = [...capacity.values()].filter((r) => r[0] === scenario);
    if (title.includes('latency against offered load')) {
      expect(claims('dropped or failed): '), title).toEqual(ofScenario.map((r) => `${r[1]} ${r[2]}`));
    }
    if (title.includes('by percentile at')) {
      const rate = Number(/at ([\d,]+)\/s$/.exec(title)![1]!.replace(/,/g, ''));
      const missed = ofScenario
        .filter((r) => !(Number(r[2]!.replace(/[,/s]/g, '')) >= rate))
        .map((r) => `${r[1]} ${r[2]}`);
      if (missed.length === 0) expect(caption, title).toMatch(/the highest rate at which every run met its limit/);
      else expect(claims('met its limit (capacity '), title).toEqual(missed);
    }
    if (title.includes('achieved against offered')) {
      const said = [...caption.matchAll(/(?:\. |; )([a-z][a-z ,0-9]*?) sustained (no step kept up|[\d,]+\/s)/g)];
      expect(
        said.map((m) => `${m[1]} ${m[2]}`),
        title,
      ).toEqual(ofScenario.map((r) => `${r[1]} ${r[5]}`));
    }
    if (title.startsWith('Scaling:')) {
      const rows = tableAfter(markdown, '### Fan-out backlog drain');
      const said = [...caption.matchAll(/(?:: |; )([a-zA-Z][a-zA-Z ,0-9]*?) ([\d,]+\/s) \(([\d,]+\/s) per master/g)];
      expect(
        said.map((m) => [m[1], m[2], m[3]]),
        title,
      ).toEqual(rows.map((r) => [r[0], r[1], r[2]]));
    }
    if (title.includes('mailbox writes on the write path')) {
      for (const [, strategy, n] of caption.matchAll(/(\w+) ([\d,]+) mailbox writes/g)) {
        expect(writes.get(`celebrity-storm|${strategy}`)?.[5], strategy).toBe(n);
      }
    }
  }
  return found;
}

describe('report captions', () => {
  it('state only what the tables state, on the committed run', () => {
    check(committed());
  });

  it('frame the fan-out by the ZADD runs just before and just after it, where the run measured both', () => {
    const summary = committed();
    const f = summary.fanout!;
    summary.fanout = { ...f, zaddPerSec: 350_000, zaddAround: { before: 300_000, after: 400_000 } };
    const found = check(summary);
    const said = 'the mean of just before (300,000/s) and just after (400,000/s): 350,000/s';
    expect(renderMarkdown(summary)).toContain(said);
    expect(found.map((x) => x.caption).join('\n')).toContain(said);
  });

  it('say of the Scaling chart what the Scaling tables say, one Redis beside a cluster', () => {
    const summary = comparedWithACluster();
    const found = check(summary);
    const chart = found.find((f) => f.title.startsWith('Scaling:'))!;
    expect(chart.caption).toMatch(/Cluster \/ one Redis: 0\.6\dx\.$/);
    const markdown = renderMarkdown(summary);
    expect(markdown).toContain('**cluster, 3 masters against one Redis, the same work:**');
    expect(tableAfter(markdown, '### Push read').map((r) => r.slice(0, 3))).toEqual([
      [
        'one Redis',
        '1',
        capacityText(summary.runs.find((r) => r.scenario === 'read' && r.strategy === 'push')!.capacity),
      ],
      ['cluster, 3 masters', '2', '500/s'],
    ]);
  });

  it('never claim a run met its limit where the capacity table says no step did', () => {
    const found = check(stormPushOverItsLimit());
    const storm = found.find((f) => f.title.startsWith('celebrity-storm: timeline latency by percentile'))!;
    expect(storm.caption).toContain('push no step met the limit');
    expect(storm.caption).not.toMatch(/the highest rate at which every run met its limit/);
  });
});
