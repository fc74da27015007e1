import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type Service, startProduct, STRATEGIES } from '#libs/contract';
import { freePort } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// The compose observability profile (deploy/) is only as good as what it asks for: a dashboard query naming a metric,
// a label or a label value the processes do not export draws an empty panel, silently. So every query of the
// dashboard is checked against the real API and worker once a little traffic went through them, scraped the way
// deploy/prometheus/prometheus.yml scrapes them; and the compose health checks are run against the same processes.

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const DASHBOARD = JSON.parse(read('deploy/grafana/dashboards/fanout-lab.json')) as {
  panels: { type: string; title: string; targets?: { expr?: string }[] }[];
  templating: { list: unknown[] };
};

interface Matcher {
  label: string;
  op: string;
  value: string;
}
interface Query {
  expr: string;
  selectors: { metric: string; matchers: Matcher[] }[];
  /** Labels of `by (…)`, `without (…)`, `on (…)`, `ignoring (…)`, `group_left (…)`: each must exist on the series. */
  grouping: string[];
}
type Series = Record<string, string>;

const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OPERATORS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);
const TOKENS =
  /"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|[A-Za-z_:][\w:]*|\$\w+|(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*)+|\S/gi;
const MATCHERS = /([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;
/** Added by Prometheus to every scraped series; the processes cannot export them. */
const TARGET_LABELS = new Set(['job', 'instance']);

/** The metric selectors and grouping labels of one PromQL expression (enough PromQL for dashboard queries). */
function parseQuery(expr: string): Query {
  const tokens = expr.match(TOKENS) ?? [];
  const query: Query = { expr, selectors: [], grouping: [] };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.startsWith('{')) throw new Error(`a selector without a metric name is not checked: ${expr}`);
    if (!/^[A-Za-z_:]/.test(token) || OPERATORS.has(token)) continue;
    if (GROUPING.has(token)) {
      if (next !== '(') continue; // `group_left` may come without labels
      for (i += 2; i < tokens.length && tokens[i] !== ')'; i++) if (tokens[i] !== ',') query.grouping.push(tokens[i]!);
      continue;
    }
    if (next === '(' || GROUPING.has(next!)) continue; // a function, or an aggregation (`sum by (…) (…)` too)
    const matchers = next?.startsWith('{')
      ? [...next.matchAll(MATCHERS)].map(([, label, op, value]) => ({ label, op, value }))
      : [];
    if (matchers.length > 0) i++;
    query.selectors.push({ metric: token, matchers: matchers as Matcher[] });
  }
  return query;
}

function matches({ label, op, value }: Matcher, series: Series): boolean {
  const actual = series[label] ?? '';
  if (op === '=') return actual === value;
  if (op === '!=') return actual !== value;
  const full = new RegExp(`^(?:${value})$`).test(actual);
  return op === '=~' ? full : !full;
}

/** Everything the query asks for that the scraped series do not have; empty when its panel can show data. */
function problemsOf(query: Query, scraped: Map<string, Series[]>): string[] {
  const problems: string[] = [];
  const selected: Series[] = [];
  for (const { metric, matchers } of query.selectors) {
    const series = scraped.get(metric) ?? [];
    if (series.length === 0) problems.push(`${metric} is not exported`);
    for (const { label } of matchers) {
      if (series.length > 0 && !series.some((s) => label in s)) problems.push(`${metric} has no label ${label}`);
    }
    const matching = series.filter((s) => matchers.every((m) => matches(m, s)));
    if (series.length > 0 && matching.length === 0) problems.push(`no series of ${metric} matches its selector`);
    selected.push(...matching);
  }
  for (const label of query.grouping) {
    if (!TARGET_LABELS.has(label) && !selected.some((s) => label in s)) problems.push(`no series has label ${label}`);
  }
  return problems.map((problem) => `${query.expr}: ${problem}`);
}

/** Prometheus text format → series by sample name (histograms' `_bucket`, `_sum` and `_count` as they are sent). */
function addSamples(text: string, into: Map<string, Series[]>): void {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels = [...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]);
    into.set(sample[1]!, [...(into.get(sample[1]!) ?? []), Object.fromEntries(labels) as Series]);
  }
}

describe('reading PromQL', () => {
  it('finds metric names, matchers and grouping labels, not functions, keywords or durations', () => {
    const query = parseQuery(
      'histogram_quantile(0.99, sum by (le, detail) (rate(a_bucket{stage="x", b=~"1|2"}[$__rate_interval]))) / on (le) group_left max without (c) (b_total offset 5m) > bool 1e-3',
    );
    expect(query.selectors).toEqual([
      {
        metric: 'a_bucket',
        matchers: [
          { label: 'stage', op: '=', value: 'x' },
          { label: 'b', op: '=~', value: '1|2' },
        ],
      },
      { metric: 'b_total', matchers: [] },
    ]);
    expect(query.grouping).toEqual(['le', 'detail', 'le', 'c']);
  });
});

const METRICS_TOKEN = 'observability-scrape-token-0123';
const env = envOf(testConfig(), { METRICS_TOKEN, HOST: '127.0.0.1' });
const apiPort = await freePort();
const workerPort = await freePort();
const api = new ApiClient(`http://127.0.0.1:${apiPort}`, ADMIN_TOKEN);
const services: Service[] = [];
const scraped = new Map<string, Series[]>();

const scrape = (url: string, token?: string) =>
  fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

beforeAll(async () => {
  services.push(await startProduct('api', { ...env, PORT: String(apiPort) }));
  services.push(await startProduct('worker', { ...env, WORKER_METRICS_PORT: String(workerPort) }));
  // A little of everything the dashboard shows: writes and a fan-out (delivery lag, stages, mailbox writes), a read
  // under each strategy (latency by route and strategy), and an error (4xx by status).
  const author = await api.createUser(uniqueHandle('author'));
  const reader = await api.createUser(uniqueHandle('reader'));
  await api.call('PUT', `/v1/me/following/${author.id}`, { token: reader.token });
  await api.post(author.token, 'seen on the dashboard');
  await api.waitIdle();
  for (const strategy of STRATEGIES) expect((await api.timeline(reader.token, strategy, 10)).items).toHaveLength(1);
  expect((await api.call('GET', '/v1/me')).status).toBe(401);
  for (const port of [apiPort, workerPort]) {
    const response = await scrape(`http://127.0.0.1:${port}/metrics`, METRICS_TOKEN);
    expect(response.status).toBe(200);
    addSamples(await response.text(), scraped);
  }
});
afterAll(async () => Promise.all(services.map((s) => s.stop())));

describe('the Grafana dashboard', () => {
  const panels = DASHBOARD.panels.filter((p) => p.type !== 'row');
  const queries = panels.flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr ? [parseQuery(t.expr)] : [])));

  it('queries PromQL in every panel, each naming a metric; no variables (their queries would go unchecked)', () => {
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels)
      expect(
        panel.targets?.some((t) => t.expr),
        panel.title,
      ).toBe(true);
    for (const query of queries) expect(query.selectors.length, query.expr).toBeGreaterThan(0);
    expect(DASHBOARD.templating.list).toEqual([]);
  });

  it('asks only for metrics, labels and label values the API and the worker export', () => {
    expect(queries.flatMap((query) => problemsOf(query, scraped))).toEqual([]);
  });

  it('would be caught naming a metric, a label or a label value that does not exist', () => {
    for (const expr of [
      'sum(rate(fanout_http_requests_total[1m]))',
      'sum by (le) (rate(fanout_stage_duration_seconds_bucket{stage="delivery_lagg"}[1m]))',
      'sum by (rout) (rate(fanout_http_responses_total[1m]))',
      'max(fanout_queue_jobs{queue="fanout"})',
    ]) {
      expect(problemsOf(parseQuery(expr), scraped), expr).not.toEqual([]);
    }
  });

  it('needs the bearer token Prometheus is given when METRICS_TOKEN is set', async () => {
    for (const port of [apiPort, workerPort]) {
      expect((await scrape(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    }
  });
});

describe('the compose health checks', () => {
  // Each is a `node -e` line of docker-compose.yml (the runtime image has no curl), reading its port from the env.
  const checks = [...read('docker-compose.yml').matchAll(/^\s*- "(fetch\(.+)"$/gm)].map((m) => m[1]!);
  const run = (check: string, ports: { api: number; worker: number }) =>
    spawnSync(process.execPath, ['-e', check], {
      env: { PORT: String(ports.api), WORKER_METRICS_PORT: String(ports.worker) },
      timeout: 10_000,
    }).status;

  it('ask the API and the worker whether they are ready: yes from the running ones, no when nothing answers', async () => {
    // The default stack's API and worker, and the scale profile's (docker-compose.yml has both).
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(checks.every((c) => /\/health\/ready/.test(c))).toBe(true);
    expect(checks.some((c) => c.includes('process.env.PORT'))).toBe(true);
    expect(checks.some((c) => c.includes('process.env.WORKER_METRICS_PORT'))).toBe(true);
    for (const check of checks) expect(run(check, { api: apiPort, worker: workerPort }), check).toBe(0);
    const nobody = await freePort();
    for (const check of checks) expect(run(check, { api: nobody, worker: nobody }), check).toBe(1);
  });
});
