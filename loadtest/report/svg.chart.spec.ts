import { describe, expect, it } from 'vitest';
import { barChart, formatNines, lineChart, type LineSeries, nines, ninesTicks } from './svg.chart.js';

const width = (svg: string) => Number(/viewBox="0 0 ([\d.]+) /.exec(svg)![1]);
const legendTexts = (svg: string) =>
  [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" class="legend"[^>]*>([^<]*)<\/text>/g)].map((m) => ({
    x: Number(m[1]),
    text: m[2]!,
  }));
/** Wider than any 11 px system-ui face sets an average character (DejaVu Sans digits: 7.0 px). */
const CHAR_PX = 7;

const line = (name: string): LineSeries => ({
  name,
  color: '#123456',
  points: [
    [1, 5],
    [2, 50],
  ],
});

describe('lineChart', () => {
  it('widens itself for a long legend label instead of cutting it off', () => {
    for (const name of ['push', '0-100 followers (18,233 posts)', 'hybrid, threshold 120 p99 (the variant run)']) {
      const svg = lineChart({
        title: 't',
        x: { label: 'x', scale: 'linear' },
        y: { label: 'y', scale: 'log' },
        series: [line(name)],
      });
      for (const { x, text } of legendTexts(svg))
        expect(x + text.length * CHAR_PX, name).toBeLessThanOrEqual(width(svg));
    }
  });

  it('names a reference line in the legend, with no label drawn over the plot', () => {
    const svg = lineChart({
      title: 't',
      x: { label: 'x', scale: 'linear' },
      y: { label: 'y', scale: 'log' },
      series: [line('push p99')],
      marks: [{ y: 50, label: 'p99 limit 50 ms' }],
    });
    expect(legendTexts(svg).map((l) => l.text)).toEqual(['push p99', 'p99 limit 50 ms']);
    expect(svg.match(/p99 limit 50 ms/g)).toHaveLength(1);
  });

  it('grows taller when the legend has more rows than the plot is high', () => {
    const series = Array.from({ length: 20 }, (_, i) => line(`series ${i}`));
    const svg = lineChart({ title: 't', x: { label: 'x', scale: 'linear' }, y: { label: 'y', scale: 'log' }, series });
    const height = Number(/viewBox="0 0 [\d.]+ ([\d.]+)"/.exec(svg)![1]);
    const lastY = Math.max(...[...svg.matchAll(/y="([\d.]+)" class="legend"/g)].map((m) => Number(m[1])));
    expect(lastY).toBeLessThan(height);
  });
});

describe('barChart', () => {
  it('writes every value above its bar, a 0 included', () => {
    const svg = barChart({
      title: 't',
      categories: ['hybrid', 'push', 'pull'],
      y: { label: 'mailbox writes', scale: 'linear' },
      groups: [{ name: 'mailbox writes', color: '#6a51a3', values: [0, 3_512_964, 0] }],
      valueFormat: (v) => v.toLocaleString('en-US'),
    });
    expect([...svg.matchAll(/class="value"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['0', '3,512,964', '0']);
  });
});

describe('the percentile axis', () => {
  it('labels every tick in one format, without trailing zeros', () => {
    expect(ninesTicks(4).map(formatNines)).toEqual(['0%', '90%', '99%', '99.9%', '99.99%']);
    expect(formatNines(nines(99.95))).toBe('99.95%');
    expect(formatNines(nines(95))).toBe('95%');
  });
});
