import { generateTokens, type GraphPlan } from './graph.generate.js';
import type { GraphParams } from './graph.params.js';

/** The credentials file the load scripts read. Ids are strings, as everywhere in the API. */
export interface GraphCredentials {
  seed: number;
  params: GraphParams;
  users: { id: string; token: string; followers: number; following: number; activity: number }[];
  /** Accounts with followers >= params.celebrityThreshold, most followed first. */
  celebrities: string[];
  topFollowers: number;
}

export function buildCredentials(plan: GraphPlan, followers: Int32Array, following: Int32Array): GraphCredentials {
  const users: GraphCredentials['users'] = [];
  let i = 0;
  for (const token of generateTokens(plan.params)) {
    users.push({
      id: String(i + 1),
      token,
      followers: followers[i],
      following: following[i],
      // Four significant digits keep the file small; the load scripts only need relative weights.
      activity: Number(plan.activity[i].toPrecision(4)),
    });
    i++;
  }
  const celebrities = users
    .filter((u) => u.followers >= plan.params.celebrityThreshold)
    .sort((a, b) => b.followers - a.followers || Number(a.id) - Number(b.id))
    .map((u) => u.id);
  let topFollowers = 0;
  for (const n of followers) if (n > topFollowers) topFollowers = n;
  return { seed: plan.params.seed, params: plan.params, users, celebrities, topFollowers };
}

export interface FollowerSummary {
  top10: { id: string; followers: number }[];
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function followerSummary(followers: Int32Array): FollowerSummary {
  const sorted = Int32Array.from(followers).sort();
  const order = Array.from(followers.keys())
    .sort((a, b) => followers[b] - followers[a] || a - b)
    .slice(0, 10);
  let sum = 0;
  for (const n of followers) sum += n;
  return {
    top10: order.map((i) => ({ id: String(i + 1), followers: followers[i] })),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : 0,
    mean: followers.length ? sum / followers.length : 0,
  };
}
