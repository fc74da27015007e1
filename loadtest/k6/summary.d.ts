// Types for summary.js, so the TypeScript unit tests can import the very file k6 runs.
import type { Scenario } from '../driver/scenario.model.js';
import type { RunSummary } from '../driver/summary.js';

export declare const SUMMARY_FORMAT: 'fanout-lab.loadtest-summary/1';
/** The parts of k6's handleSummary data this mapping reads. */
export interface K6SummaryData {
  metrics: Record<string, { type?: string; contains?: string; values: Record<string, number> }>;
  state?: { testRunDurationMs?: number };
}
export declare function fromK6(
  data: K6SummaryData,
  ctx: { scenario: Scenario; baseUrl: string; finishedAt?: Date },
): RunSummary;
export declare function renderText(s: RunSummary): string;
