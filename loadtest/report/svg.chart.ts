// Small, dependency-free SVG charts for the bench report: line charts with linear or log axes, and grouped bars.
// The report is one self-contained HTML file, so charts are inline SVG strings.

export type Scale = 'linear' | 'log';

export interface Axis {
  label: string;
  scale: Scale;
  /** Tick values; chosen automatically when absent. */
  ticks?: number[];
  format?: (value: number) => string;
  min?: number;
  max?: number;
}

export interface LineSeries {
  name: string;
  color: string;
  dashed?: boolean;
  /** A reference line (e.g. a diagonal): drawn without point markers. */
  reference?: boolean;
  points: [number, number][];
}

export interface LineChart {
  title: string;
  x: Axis;
  y: Axis;
  series: LineSeries[];
  /** Horizontal reference lines, e.g. a latency limit. */
  marks?: { y: number; label: string }[];
}

export interface BarChart {
  title: string;
  categories: string[];
  y: Axis;
  groups: { name: string; color: string; values: (number | null)[] }[];
  /** Each bar's value written above it (a bar of 0 still gets its "0"). */
  valueFormat?: (value: number) => string;
}

const M = { top: 34, bottom: 46, left: 64 };
const PLOT_W = 446;
const PLOT_H = 260;
const LEGEND_GAP = 14;
const LEGEND_ROW = 18;
/**
 * Width of a legend character at 11 px, taken wide (DejaVu Sans digits are 0.64 em): the legend's width is computed
 * from its longest label, so a long label widens the chart instead of being cut off at its edge.
 */
export const LEGEND_CHAR_PX = 7.2;

interface LegendItem {
  name: string;
  color: string;
  dashed?: boolean;
  bar?: boolean;
  mark?: boolean;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1_000_000) return `${trim(value / 1_000_000)}M`;
  if (abs >= 10_000) return `${trim(value / 1000)}k`;
  if (abs >= 100) return String(Math.round(value));
  if (abs >= 1) return trim(value);
  return String(Number(value.toPrecision(2)));
}

const trim = (v: number) => String(Math.round(v * 10) / 10);

function domain(values: number[], axis: Axis): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (axis.scale === 'linear' || v > 0));
  let lo = axis.min ?? (finite.length ? Math.min(...finite) : 1);
  let hi = axis.max ?? (finite.length ? Math.max(...finite) : 10);
  if (axis.scale === 'log') {
    lo = 10 ** Math.floor(Math.log10(Math.max(lo, 1e-6)));
    hi = 10 ** Math.ceil(Math.log10(Math.max(hi, lo * 10)));
  } else {
    if (axis.min === undefined) lo = Math.min(0, lo);
    if (hi === lo) hi = lo + 1;
    if (axis.max === undefined) hi = niceCeil(hi);
  }
  return [lo, hi];
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function scaler(axis: Axis, [lo, hi]: [number, number], length: number, invert: boolean) {
  const f =
    axis.scale === 'log'
      ? (v: number) => (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
      : (v: number) => (v - lo) / (hi - lo);
  return (v: number) => (invert ? length * (1 - f(v)) : length * f(v));
}

function ticksOf(axis: Axis, [lo, hi]: [number, number]): number[] {
  if (axis.ticks) return axis.ticks.filter((t) => t >= lo && t <= hi);
  if (axis.scale === 'log') {
    const out: number[] = [];
    for (let e = Math.round(Math.log10(lo)); 10 ** e <= hi * 1.0001; e++) out.push(10 ** e);
    return out;
  }
  const step = niceCeil((hi - lo) / 5);
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** The chart with its legend to the right of the plot, the whole sized to hold the legend's longest label. */
function frame(title: string, inner: string, items: LegendItem[]): string {
  const longest = Math.max(0, ...items.map((i) => i.name.length));
  const width = M.left + PLOT_W + LEGEND_GAP + 24 + Math.ceil(longest * LEGEND_CHAR_PX) + 10;
  const height = Math.max(M.top + PLOT_H + M.bottom, M.top + 8 + items.length * LEGEND_ROW + 10);
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${M.left}" y="20" class="title">${escapeXml(title)}</text>${inner}${legend(items)}</svg>`
  );
}

function axes(x: Axis, y: Axis, xs: (v: number) => number, ys: (v: number) => number, xt: number[], yt: number[]) {
  const fx = x.format ?? formatNumber;
  const fy = y.format ?? formatNumber;
  let out = `<g transform="translate(${M.left},${M.top})">`;
  for (const t of yt) {
    const py = ys(t).toFixed(1);
    out += `<line x1="0" x2="${PLOT_W}" y1="${py}" y2="${py}" class="grid"/>`;
    out += `<text x="-6" y="${py}" class="tick" text-anchor="end" dominant-baseline="middle">${escapeXml(fy(t))}</text>`;
  }
  for (const t of xt) {
    const px = xs(t).toFixed(1);
    out += `<line x1="${px}" x2="${px}" y1="0" y2="${PLOT_H}" class="grid"/>`;
    out += `<text x="${px}" y="${PLOT_H + 16}" class="tick" text-anchor="middle">${escapeXml(fx(t))}</text>`;
  }
  out += `<rect x="0" y="0" width="${PLOT_W}" height="${PLOT_H}" class="plot"/>`;
  out += `<text x="${PLOT_W / 2}" y="${PLOT_H + 38}" class="label" text-anchor="middle">${escapeXml(x.label)}</text>`;
  out += `<text transform="translate(-48,${PLOT_H / 2}) rotate(-90)" class="label" text-anchor="middle">${escapeXml(y.label)}</text>`;
  return out;
}

function legend(items: LegendItem[]): string {
  return items
    .map((item, i) => {
      const y = M.top + 8 + i * LEGEND_ROW;
      const x = M.left + PLOT_W + LEGEND_GAP;
      const mark = item.bar
        ? `<rect x="${x}" y="${y - 6}" width="18" height="10" fill="${item.color}"/>`
        : item.mark
          ? `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" class="mark"/>`
          : `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="2.5"${item.dashed ? ' stroke-dasharray="5 3"' : ''}/>`;
      return `${mark}<text x="${x + 24}" y="${y}" class="legend" dominant-baseline="middle">${escapeXml(item.name)}</text>`;
    })
    .join('');
}

export function lineChart(chart: LineChart): string {
  const all = chart.series.flatMap((s) => s.points);
  const marks = chart.marks ?? [];
  const xd = domain(
    all.map((p) => p[0]),
    chart.x,
  );
  const yd = domain([...all.map((p) => p[1]), ...marks.map((m) => m.y)], chart.y);
  const xs = scaler(chart.x, xd, PLOT_W, false);
  const ys = scaler(chart.y, yd, PLOT_H, true);
  let inner = axes(chart.x, chart.y, xs, ys, ticksOf(chart.x, xd), ticksOf(chart.y, yd));
  // A reference line is named in the legend, not by a label on the plot, where it would cover the data.
  for (const mark of marks) {
    const py = ys(mark.y).toFixed(1);
    inner += `<line x1="0" x2="${PLOT_W}" y1="${py}" y2="${py}" class="mark"/>`;
  }
  const fx = chart.x.format ?? formatNumber;
  for (const s of chart.series) {
    const pts = s.points.filter(
      ([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (chart.y.scale === 'linear' || y > 0),
    );
    if (pts.length === 0) continue;
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${xs(x).toFixed(1)},${ys(y).toFixed(1)}`).join('');
    inner += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`;
    for (const [x, y] of s.reference ? [] : pts) {
      inner += `<circle cx="${xs(x).toFixed(1)}" cy="${ys(y).toFixed(1)}" r="2.8" fill="${s.color}"><title>${escapeXml(`${s.name}: ${fx(x)} → ${formatNumber(y)}`)}</title></circle>`;
    }
  }
  inner += '</g>';
  const items: LegendItem[] = [...chart.series, ...marks.map((m) => ({ name: m.label, color: '', mark: true }))];
  return frame(chart.title, inner, items);
}

export function barChart(chart: BarChart): string {
  const values = chart.groups.flatMap((g) => g.values.filter((v): v is number => v !== null));
  // Room above the tallest bar for its value.
  const top = chart.valueFormat && chart.y.scale === 'linear' ? Math.max(0, ...values) * 1.15 : undefined;
  const yd = domain(top === undefined ? values : [...values, top], chart.y);
  const ys = scaler(chart.y, yd, PLOT_H, true);
  const band = PLOT_W / Math.max(1, chart.categories.length);
  const barW = (band * 0.8) / Math.max(1, chart.groups.length);
  const xAxis: Axis = { label: '', scale: 'linear' };
  let inner = axes(xAxis, chart.y, () => 0, ys, [], ticksOf(chart.y, yd));
  chart.categories.forEach((category, c) => {
    inner += `<text x="${(c + 0.5) * band}" y="${PLOT_H + 16}" class="tick" text-anchor="middle">${escapeXml(category)}</text>`;
    chart.groups.forEach((g, i) => {
      const v = g.values[c];
      if (v === null || v === undefined) return;
      const x = c * band + band * 0.1 + i * barW;
      const y = ys(v);
      inner += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(PLOT_H - y).toFixed(1)}" fill="${g.color}"><title>${escapeXml(`${g.name}, ${category}: ${formatNumber(v)}`)}</title></rect>`;
      if (chart.valueFormat) {
        inner += `<text x="${(x + (barW - 2) / 2).toFixed(1)}" y="${(y - 5).toFixed(1)}" class="value" text-anchor="middle">${escapeXml(chart.valueFormat(v))}</text>`;
      }
    });
  });
  inner += '</g>';
  return frame(
    chart.title,
    inner,
    chart.groups.map((g) => ({ name: g.name, color: g.color, bar: true })),
  );
}

/** x position of a percentile on a "nines" axis: 0 → 0, 90 → 1, 99 → 2, 99.9 → 3. */
export function nines(percentile: number): number {
  return -Math.log10(1 - Math.min(percentile, 99.9999) / 100);
}

/** Ticks of a nines axis up to `max` nines: 0 %, 90 %, 99 %, 99.9 % … */
export const ninesTicks = (max: number) => Array.from({ length: Math.max(1, Math.ceil(max)) + 1 }, (_, i) => i);

/**
 * A position on a nines axis as its percentile, every label in one format: as many decimals as the percentile needs
 * and no trailing zeros (0%, 90%, 99%, 99.9%, 99.99%; 99.95% between ticks).
 */
export function formatNines(x: number): string {
  const decimals = Math.min(4, Math.max(0, Math.ceil(x - 1e-9) - 2));
  const text = (100 * (1 - 10 ** -x)).toFixed(decimals);
  return `${decimals > 0 ? text.replace(/\.?0+$/, '') : text}%`;
}
