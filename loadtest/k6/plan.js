// Pure helpers for timeline.js: scenario checks, -e overrides, k6 options and metric keys. No k6 imports, so the unit
// tests (loadtest/k6/plan.spec.ts) run this very file under Node. Written in plain ES2017+ modules without optional
// chaining or `??` so every k6 >= 0.50 runtime parses it.
//
// The full validator with the same rules is loadtest/driver/scenario.model.ts; this one repeats the checks that
// matter to k6 so a bad file fails at init with a readable message instead of a k6 stack trace.

export const STRATEGIES = ['push', 'pull', 'hybrid'];
export const ENDPOINTS = ['timeline', 'post'];
export const WHO = ['readers-by-activity', 'authors-uniform', 'celebrities', 'celebrity-followers'];
const KEYS = [
  'name',
  'description',
  'strategy',
  'rates',
  'stepSeconds',
  'warmupSeconds',
  'limit',
  'mix',
  'thresholds',
  'maxInFlight',
];

const isInt = (v, min) => Number.isInteger(v) && v >= min;

export function checkScenario(s, source) {
  const problems = [];
  if (typeof s !== 'object' || s === null || Array.isArray(s))
    throw new Error('Invalid scenario (' + source + '): not a JSON object');
  Object.keys(s).forEach((k) => {
    if (KEYS.indexOf(k) < 0) problems.push(k + ': unknown key');
  });
  if (typeof s.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(s.name))
    problems.push('name: lower-case letters, digits and dashes');
  if (typeof s.description !== 'string') problems.push('description: must be a string');
  if (STRATEGIES.indexOf(s.strategy) < 0) problems.push('strategy: one of ' + STRATEGIES.join(', '));
  if (!Array.isArray(s.rates) || s.rates.length === 0 || !s.rates.every((r) => isInt(r, 1))) {
    problems.push('rates: non-empty array of whole arrivals per second >= 1');
  }
  if (!isInt(s.stepSeconds, 1)) problems.push('stepSeconds: whole number >= 1');
  if (!isInt(s.warmupSeconds, 0)) problems.push('warmupSeconds: whole number >= 0');
  if (!isInt(s.limit, 1) || s.limit > 100) problems.push('limit: whole number 1..100');
  if (!isInt(s.maxInFlight, 1)) problems.push('maxInFlight: whole number >= 1');
  if (typeof s.thresholds !== 'object' || s.thresholds === null || !(s.thresholds.p99Ms > 0))
    problems.push('thresholds.p99Ms: number > 0');
  if (!Array.isArray(s.mix) || s.mix.length === 0) {
    problems.push('mix: non-empty array of {endpoint, weight, who}');
  } else {
    s.mix.forEach((m, i) => {
      if (typeof m !== 'object' || m === null) return problems.push('mix[' + i + ']: must be an object');
      if (ENDPOINTS.indexOf(m.endpoint) < 0) problems.push('mix[' + i + '].endpoint: one of ' + ENDPOINTS.join(', '));
      if (!(typeof m.weight === 'number' && m.weight > 0 && isFinite(m.weight)))
        problems.push('mix[' + i + '].weight: number > 0');
      if (WHO.indexOf(m.who) < 0) problems.push('mix[' + i + '].who: one of ' + WHO.join(', '));
    });
  }
  if (problems.length > 0) throw new Error('Invalid scenario (' + source + '):\n  - ' + problems.join('\n  - '));
  return s;
}

/** -e RATES=500,1000 -e STEP_SECONDS=10 -e WARMUP_SECONDS=5 -e STRATEGY=push -e MAX_IN_FLIGHT=256 -e LIMIT=20 */
export function applyEnv(scenario, env) {
  const out = Object.assign({}, scenario);
  const num = (name) => (env[name] === undefined || env[name] === '' ? undefined : Number(env[name]));
  if (env.RATES)
    out.rates = String(env.RATES)
      .split(',')
      .map((r) => Number(r.trim()));
  if (num('STEP_SECONDS') !== undefined) out.stepSeconds = num('STEP_SECONDS');
  if (num('WARMUP_SECONDS') !== undefined) out.warmupSeconds = num('WARMUP_SECONDS');
  if (num('MAX_IN_FLIGHT') !== undefined) out.maxInFlight = num('MAX_IN_FLIGHT');
  if (num('LIMIT') !== undefined) out.limit = num('LIMIT');
  if (env.STRATEGY) out.strategy = env.STRATEGY;
  return checkScenario(out, 'scenario with -e overrides');
}

/** k6's sub-metric name, written the way thresholds declare it and handleSummary reports it. */
export function subKey(metric, tags) {
  return (
    metric +
    '{' +
    Object.keys(tags)
      .map((k) => k + ':' + tags[k])
      .join(',') +
    '}'
  );
}

export const stepName = (step) => 'step_' + step;

export function endpointsOf(scenario) {
  return ENDPOINTS.filter((e) => scenario.mix.some((m) => m.endpoint === e));
}

/**
 * One constant-arrival-rate scenario per ladder step (plus the warm-up), back to back through startTime. Separate
 * scenarios rather than one ramping-arrival-rate because k6 tags dropped_iterations only with the scenario name: this
 * way every step gets its own dropped count, and its own sub-metrics through the `scenario` tag.
 */
export function buildScenarios(s, env) {
  const timeout = (env && env.REQUEST_TIMEOUT) || '10s';
  const preAllocated = (rate) =>
    env && env.PRE_ALLOCATED_VUS
      ? Math.min(Number(env.PRE_ALLOCATED_VUS), s.maxInFlight)
      : // Little's law: rate × 100 ms of latency; more VUs are started on demand, up to maxInFlight.
        Math.min(s.maxInFlight, Math.max(5, Math.ceil(rate / 10)));
  const scenarios = {};
  const phase = (name, rate, seconds, startSeconds, tags) => {
    scenarios[name] = {
      executor: 'constant-arrival-rate',
      rate: rate,
      timeUnit: '1s',
      duration: seconds + 's',
      startTime: startSeconds + 's',
      preAllocatedVUs: preAllocated(rate),
      // A send due while maxInFlight requests are outstanding is dropped (dropped_iterations), as in the Node driver.
      maxVUs: s.maxInFlight,
      gracefulStop: timeout,
      tags: tags,
    };
  };
  let start = 0;
  if (s.warmupSeconds > 0) {
    phase('warmup', s.rates[0], s.warmupSeconds, 0, { phase: 'warmup', step: '0' });
    start = s.warmupSeconds;
  }
  s.rates.forEach((rate, i) => {
    phase(stepName(i + 1), rate, s.stepSeconds, start + i * s.stepSeconds, { phase: 'measure', step: String(i + 1) });
  });
  return scenarios;
}

/**
 * Every threshold is one of the limits a ladder step is judged by (loadtest/bench, "Capacity"): p99 within the
 * scenario's limit, under 1 % failed, under 1 % of the step's sends dropped. They also keep the sub-metrics
 * handleSummary reads (per step, per endpoint, over the measured phase): k6 reports a tagged sub-metric only if a
 * threshold names it, and each one carries the limit that applies to it rather than a placeholder that cannot fail.
 * Request counts come from http_req_failed (its passes and fails), so http_reqs needs no sub-metric. A failed
 * threshold makes k6 exit 99, as expected at the top of a ladder that finds the knee.
 */
export function buildThresholds(s) {
  const t = {};
  const p99 = 'p(99)<' + s.thresholds.p99Ms;
  const judge = (tags) => {
    t[subKey('http_req_duration', tags)] = [p99];
    t[subKey('http_req_failed', tags)] = ['rate<0.01'];
  };
  // Under 1 % of the sends a phase schedules (rate × seconds) dropped.
  const dropped = (scenario, rate, seconds) => {
    t[subKey('dropped_iterations', { scenario: scenario })] = ['count<' + (rate * seconds) / 100];
  };
  const endpoints = endpointsOf(s);
  judge({ phase: 'measure' });
  endpoints.forEach((e) => judge({ phase: 'measure', endpoint: e }));
  s.rates.forEach((rate, i) => {
    const scenario = stepName(i + 1);
    judge({ scenario: scenario });
    endpoints.forEach((e) => judge({ scenario: scenario, endpoint: e }));
    dropped(scenario, rate, s.stepSeconds);
  });
  if (s.warmupSeconds > 0) dropped('warmup', s.rates[0], s.warmupSeconds);
  return t;
}

export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'p(99.9)'];

export function buildOptions(s, env) {
  return {
    scenarios: buildScenarios(s, env),
    thresholds: buildThresholds(s),
    summaryTrendStats: SUMMARY_TREND_STATS,
    // Bodies are read off the wire (so the latency includes them) but not kept: memory stays flat at high rates.
    discardResponseBodies: true,
    tags: { strategy: s.strategy },
  };
}

/** Cumulative weights, and a binary search over them; `at(i)` lets SharedArray-backed pools be searched in place. */
export function cumulative(weights) {
  const out = [];
  let sum = 0;
  weights.forEach((w) => out.push((sum += w)));
  return out;
}

export function pickIndex(length, at, total, random) {
  const target = random * total;
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Users for one `who`, as [{t: token, c: cumulative weight}]. celebrity-followers is the estimate documented in
 * loadtest/scenarios/README.md (there is no edge list): activity × (1 − (1 − s)^following), s = the celebrities'
 * share of all follows. Same arithmetic, in the same order, as loadtest/driver/credentials.model.ts (a unit test
 * compares them).
 */
export function poolOf(who, credentials) {
  const celebrities = {};
  credentials.celebrities.forEach((id) => (celebrities[id] = true));
  let celebrityFollowers = 0;
  let allFollowers = 0;
  credentials.users.forEach((u) => {
    allFollowers += u.followers;
    if (celebrities[u.id] === true) celebrityFollowers += u.followers;
  });
  const miss = 1 - (allFollowers === 0 ? 0 : Math.min(1, celebrityFollowers / allFollowers));
  const rules = {
    'readers-by-activity': [() => true, (u) => u.activity],
    'authors-uniform': [() => true, () => 1],
    celebrities: [(u) => celebrities[u.id] === true, () => 1],
    'celebrity-followers': [() => true, (u) => u.activity * (1 - Math.pow(miss, u.following))],
  };
  const rule = rules[who];
  const users = credentials.users.filter((u) => rule[0](u) && rule[1](u) > 0);
  if (users.length === 0) throw new Error('No user in the credentials can act as "' + who + '"');
  const c = cumulative(users.map(rule[1]));
  return users.map((u, i) => ({ t: u.token, c: c[i] }));
}
