// Types for plan.js, so the TypeScript unit tests can import the very file k6 runs.
import type { Strategy } from '#libs/contract';
import type { Endpoint, Scenario, Who } from '../driver/scenario.model.js';

export declare const STRATEGIES: readonly Strategy[];
export declare const ENDPOINTS: readonly Endpoint[];
export declare const WHO: readonly Who[];
export declare const SUMMARY_TREND_STATS: string[];
export type Env = Record<string, string | undefined>;
export declare function checkScenario(s: unknown, source: string): Scenario;
export declare function applyEnv(scenario: Scenario, env: Env): Scenario;
export declare function subKey(metric: string, tags: Record<string, string>): string;
export declare function stepName(step: number): string;
export declare function endpointsOf(scenario: Scenario): Endpoint[];
export interface K6Scenario {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnit: string;
  duration: string;
  startTime: string;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStop: string;
  tags: Record<string, string>;
}
export declare function buildScenarios(s: Scenario, env?: Env): Record<string, K6Scenario>;
export declare function buildThresholds(s: Scenario): Record<string, string[]>;
export declare function buildOptions(
  s: Scenario,
  env?: Env,
): {
  scenarios: Record<string, K6Scenario>;
  thresholds: Record<string, string[]>;
  summaryTrendStats: string[];
  discardResponseBodies: boolean;
  tags: Record<string, string>;
};
export declare function cumulative(weights: number[]): number[];
export declare function pickIndex(length: number, at: (i: number) => number, total: number, random: number): number;
export declare function poolOf(
  who: Who,
  credentials: {
    users: { id: string; token: string; followers: number; following: number; activity: number }[];
    celebrities: string[];
  },
): { t: string; c: number }[];
