import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchSummary } from '../bench/bench.summary.js';
import { renderHtml } from './report.html.js';
import { renderMarkdown } from './report.markdown.js';

export async function writeReports(summary: BenchSummary, dir: string): Promise<void> {
  const markdown = renderMarkdown(summary);
  await writeFile(join(dir, 'report.md'), markdown);
  await writeFile(join(dir, 'report.html'), renderHtml(summary, markdown));
}
