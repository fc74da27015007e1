import { FOLLOWER_BUCKETS, SERIES } from '#libs/contract';
import { FOLLOWING_BUCKETS } from '../driver/credentials.model.js';
import type { BenchRun, BenchSummary } from '../bench/bench.summary.js';
import {
  BUCKET_COLORS,
  colorOf,
  commonRates,
  counterOf,
  lighten,
  mainEndpoint,
  readsByFollowing,
  runLabel,
  runsOf,
  scenariosOf,
  seriesOf,
  spectrum,
  STRATEGY_COLORS,
  stepAtRate,
  tagOf,
} from './report.data.js';
import { renderMarkdown } from './report.markdown.js';
import { barChart, escapeXml, formatNines, lineChart, nines, NINES_AXIS_TICKS, type LineSeries } from './svg.chart.js';

// report.html: the charts first (what people look at), then every table of report.md, rendered from the same data.

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2329; max-width: 1400px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2.4rem; border-bottom: 1px solid #dde3e8; padding-bottom: .3rem; }
.lead { color: #4b5660; max-width: 60rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(600px, 1fr)); gap: 1.2rem; }
figure { margin: 0; background: #fafbfc; border: 1px solid #e4e8ec; border-radius: 8px; padding: .6rem .8rem; }
figcaption { color: #4b5660; font-size: .88rem; margin-top: .3rem; }
svg.chart { width: 100%; height: auto; }
svg .title { font-weight: 600; font-size: 14px; fill: #1d2329; } svg .tick, svg .legend { font-size: 11px; fill: #4b5660; }
svg .label { font-size: 12px; fill: #4b5660; } svg .grid { stroke: #e7ebee; } svg .plot { fill: none; stroke: #c9d1d8; }
svg .mark { stroke: #d62728; stroke-dasharray: 4 3; } svg .marklabel { font-size: 11px; fill: #d62728; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .86rem; } th, td { border: 1px solid #dde3e8; padding: .25rem .55rem; text-align: left; }
th { background: #f2f5f7; } td:not(:first-child) { font-variant-numeric: tabular-nums; }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; } code { background: #f2f5f7; padding: 0 .25rem; border-radius: 3px; }
details { margin-top: 2rem; } summary { cursor: pointer; font-weight: 600; }
`;

const figure = (svg: string, caption: string) =>
  `<figure>${svg}<figcaption>${escapeXml(caption)}</figcaption></figure>`;

/** p50 (dashed) and p99 against the offered rate, one colour per strategy. */
function ladderChart(summary: BenchSummary, scenario: string): string {
  const runs = runsOf(summary, scenario);
  const endpoint = mainEndpoint(runs[0]!);
  const series: LineSeries[] = [];
  for (const run of runs) {
    const points = (stat: 'p50Ms' | 'p99Ms') =>
      run.client.steps.flatMap((s): [number, number][] => {
        const v = tagOf(s, endpoint)?.[stat];
        return v === null || v === undefined ? [] : [[s.targetRate, v]];
      });
    series.push({ name: `${runLabel(run)} p99`, color: colorOf(run), points: points('p99Ms') });
    series.push({ name: `${runLabel(run)} p50`, color: colorOf(run), dashed: true, points: points('p50Ms') });
  }
  const limit = runs[0]!.capacity.p99LimitMs;
  return figure(
    lineChart({
      title: `${scenario}: ${endpoint} latency against offered load`,
      x: { label: 'offered rate (requests/s)', scale: 'linear', min: 0 },
      y: { label: 'latency (ms, log)', scale: 'log' },
      series,
      marks: [{ y: limit, label: `p99 limit ${limit} ms` }],
    }),
    "Open model: latency from each request's scheduled send time, so a saturated server shows as rising latency " +
      '(and dropped requests) rather than a lower rate. Solid: p99; dashed: p50.',
  );
}

/** The whole latency distribution of each strategy at one offered rate, HDR-style. */
function spectrumChart(summary: BenchSummary, scenario: string): string {
  const runs = runsOf(summary, scenario);
  const endpoint = mainEndpoint(runs[0]!);
  const rates = commonRates(runs);
  const rate = rates.filter((r) => runs.every((run) => (run.capacity.rate ?? 0) >= r)).at(-1) ?? rates[0];
  if (rate === undefined) return '';
  const series = runs.flatMap((run): LineSeries[] => {
    const encoded = tagOf(stepAtRate(run, rate)!, endpoint)?.histogram;
    if (!encoded) return [];
    return [{ name: runLabel(run), color: colorOf(run), points: spectrum(encoded).map(([p, v]) => [nines(p), v]) }];
  });
  return figure(
    lineChart({
      title: `${scenario}: ${endpoint} latency by percentile at ${rate}/s`,
      x: { label: 'percentile', scale: 'linear', ticks: NINES_AXIS_TICKS, format: formatNines, min: 0, max: 4 },
      y: { label: 'latency (ms, log)', scale: 'log' },
      series,
    }),
    `Every percentile, not just p50 and p99, at the highest rate all strategies sustained within their limit (${rate}/s).`,
  );
}

function followingChart(summary: BenchSummary): string {
  const { rate, rows } = readsByFollowing(summary);
  if (rows.length === 0) return '';
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const groups = strategies.flatMap((strategy) =>
    (['p50Ms', 'p99Ms'] as const).map((stat) => ({
      name: `${strategy} ${stat === 'p50Ms' ? 'p50' : 'p99'}`,
      color: stat === 'p50Ms' ? lighten(STRATEGY_COLORS[strategy] ?? '#555') : (STRATEGY_COLORS[strategy] ?? '#555'),
      values: FOLLOWING_BUCKETS.map(
        (b) => rows.find((r) => r.strategy === strategy && r.following === b)?.[stat] ?? null,
      ),
    })),
  );
  return figure(
    barChart({
      title: `Read latency by accounts followed (read, ${rate}/s)`,
      categories: FOLLOWING_BUCKETS.map((b) => `follows ${b}`),
      y: { label: 'latency (ms, log)', scale: 'log' },
      groups,
    }),
    'Pull joins the posts of every account the reader follows, so its cost grows with the following count; push reads ' +
      'one mailbox whatever the count; hybrid adds the celebrities the reader follows.',
  );
}

function lagChart(summary: BenchSummary): string {
  const runs = summary.runs.filter((r) => r.target === 'api' && seriesOf(r, SERIES.stage('delivery_lag')).length > 0);
  const run =
    runs.find((r) => r.scenario === 'mixed' && r.strategy === 'push') ??
    runs.find((r) => r.strategy === 'push') ??
    runs[0];
  if (!run) return '';
  const series = FOLLOWER_BUCKETS.flatMap((bucket, i): LineSeries[] => {
    const s = seriesOf(run, SERIES.stage('delivery_lag')).find((x) => x.labels.detail === bucket);
    return s
      ? [
          {
            name: `${bucket} followers (${s.count})`,
            color: BUCKET_COLORS[i]!,
            points: spectrum(s.histogram).map(([p, v]) => [nines(p), v]),
          },
        ]
      : [];
  });
  return figure(
    lineChart({
      title: `Fan-out delivery lag by author's followers (${run.scenario}, ${run.strategy})`,
      x: { label: 'percentile', scale: 'linear', ticks: NINES_AXIS_TICKS, format: formatNines, min: 0, max: 4 },
      y: { label: 'post committed → last mailbox written (ms, log)', scale: 'log' },
      series,
    }),
    'Push pays at write time in proportion to the followers: the more followers, the longer until the last one has the post.',
  );
}

function writesChart(summary: BenchSummary): string {
  const runs = summary.runs.filter((r) => r.target === 'api' && r.scenario === 'celebrity-storm');
  if (runs.length === 0) return '';
  const value = (run: BenchRun, detail: string) => counterOf(run, SERIES.mailboxWrites, detail);
  return figure(
    barChart({
      title: 'celebrity-storm: mailbox writes on the write path',
      categories: runs.map((r) => r.strategy),
      y: { label: 'mailbox writes', scale: 'linear' },
      groups: [{ name: 'mailbox writes', color: '#6a51a3', values: runs.map((r) => value(r, 'deliver')) }],
    }),
    "The largest accounts post while their followers read: push writes every follower's mailbox, hybrid leaves " +
      'celebrity posts to read time, pull writes nothing.',
  );
}

/** Markdown tables and paragraphs of report.md, as HTML (the subset report.markdown.ts writes). */
export function markdownToHtml(markdown: string): string {
  const inline = (text: string) =>
    escapeXml(text)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/✓/g, '<span class="ok">✓</span>')
      .replace(/✗/g, '<span class="bad">✗</span>');
  return markdown
    .trim()
    .split(/\n\n+/)
    .map((block) => {
      if (block.startsWith('### ')) return `<h3>${inline(block.slice(4))}</h3>`;
      if (block.startsWith('## ')) return `<h2>${inline(block.slice(3))}</h2>`;
      if (block.startsWith('# ')) return `<h1>${inline(block.slice(2))}</h1>`;
      if (block.startsWith('- '))
        return `<ul>${block
          .split('\n')
          .map((l) => `<li>${inline(l.slice(2))}</li>`)
          .join('')}</ul>`;
      if (block.startsWith('|')) {
        const rows = block
          .split('\n')
          .filter((l, i) => i !== 1)
          .map((l) =>
            l
              .slice(1, -1)
              .split(' | ')
              .map((c) => c.trim()),
          );
        const [head, ...body] = rows;
        return `<table><thead><tr>${head!.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;
      }
      return `<p>${inline(block)}</p>`;
    })
    .join('\n');
}

/** `markdown`: the report already rendered, when the caller has it (rendering decodes every histogram again). */
export function renderHtml(summary: BenchSummary, markdown = renderMarkdown(summary)): string {
  const [head, ...sections] = markdown.split(/\n(?=## )/);
  const charts = [
    ...scenariosOf(summary).map((s) => ladderChart(summary, s)),
    followingChart(summary),
    ...scenariosOf(summary)
      .filter((s) => s === 'read' || s === 'celebrity-storm')
      .map((s) => spectrumChart(summary, s)),
    lagChart(summary),
    writesChart(summary),
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fanout-lab benchmark ${escapeXml(summary.startedAt.slice(0, 10))}</title><style>${STYLE}</style></head>
<body>
${markdownToHtml(head!)}
<div class="charts">${charts.join('\n')}</div>
${sections.map((s) => markdownToHtml(s)).join('\n')}
</body></html>
`;
}
