#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { RunSummary } from './summary.js';
import { mergeSummaries } from './summary.merge.js';
import { renderText } from './summary.text.js';

// When one driver process cannot offer the rate alone (see the ceiling in loadtest/driver/README.md), run several
// at a share of the rate each and add their summaries here; histograms are added, not percentiles averaged:
//   node dist/loadtest/driver/merge.cli.js --out loadtest/out/read-push.json a.json b.json

const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
if (!values.out || positionals.length === 0) {
  console.error('usage: merge.cli.js --out merged.json part1.json part2.json ...');
  process.exit(2);
}
const parts = await Promise.all(positionals.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as RunSummary));
const merged = mergeSummaries(parts);
const text = renderText(merged);
await writeFile(values.out, JSON.stringify(merged, null, 2) + '\n');
await writeFile(values.out.replace(/\.json$/, '') + '.txt', text);
process.stdout.write(text);
