import type { BenchSummary } from '../bench/bench.summary.js';
import {
  achievedChart,
  followingChart,
  lagChart,
  ladderChart,
  spectrumChart,
  throughputChart,
  writesChart,
} from './report.charts.js';
import { scenariosOf } from './report.data.js';
import { renderMarkdown } from './report.markdown.js';
import { scalingChart } from './report.scaling.js';
import { escapeXml } from './svg.chart.js';

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
svg .mark { stroke: #d62728; stroke-dasharray: 4 3; } svg .value { font-size: 11px; fill: #1d2329; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .5rem .8rem; max-width: 60rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .86rem; } th, td { border: 1px solid #dde3e8; padding: .25rem .55rem; text-align: left; }
th { background: #f2f5f7; } td:not(:first-child) { font-variant-numeric: tabular-nums; }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; } code { background: #f2f5f7; padding: 0 .25rem; border-radius: 3px; }
details { margin-top: 2rem; } summary { cursor: pointer; font-weight: 600; }
`;

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
      if (block.startsWith('> ')) return `<p class="warning">${inline(block.replace(/^> /gm, ''))}</p>`;
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
    ...scenariosOf(summary).flatMap((s) => [ladderChart(summary, s), achievedChart(summary, s)]),
    followingChart(summary),
    ...scenariosOf(summary)
      .filter((s) => s === 'read' || s === 'celebrity-storm')
      .map((s) => spectrumChart(summary, s)),
    lagChart(summary),
    writesChart(summary),
    throughputChart(summary),
    scalingChart(summary),
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
