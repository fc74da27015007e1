// k6 runner for the scenario files in loadtest/scenarios (the same files the Node driver reads). Open model: one
// constant-arrival-rate scenario per ladder step, so requests start at the arrival rate whatever the server does.
//
//   k6 run -e SCENARIO=$PWD/loadtest/scenarios/read.json -e CREDENTIALS=$PWD/loadtest/out/credentials.json \
//          -e BASE_URL=http://127.0.0.1:3000 -e OUT_DIR=loadtest/out/k6-read loadtest/k6/timeline.js
//
// Optional -e: RATES=500,1000 STEP_SECONDS WARMUP_SECONDS STRATEGY MAX_IN_FLIGHT LIMIT REQUEST_TIMEOUT=10s
// PRE_ALLOCATED_VUS. See loadtest/k6/README.md.

import { SharedArray } from 'k6/data';
import http from 'k6/http';
import { applyEnv, buildOptions, checkScenario, cumulative, pickIndex, poolOf } from './plan.js';
import { fromK6, renderText } from './summary.js';

if (!__ENV.SCENARIO || !__ENV.CREDENTIALS) {
  throw new Error('Set -e SCENARIO=<scenario.json> and -e CREDENTIALS=<credentials.json> (absolute paths are safest)');
}

const scenario = applyEnv(checkScenario(JSON.parse(open(__ENV.SCENARIO)), __ENV.SCENARIO), __ENV);
const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const TIMEOUT = __ENV.REQUEST_TIMEOUT || '10s';
const TIMELINE_URL = BASE_URL + '/v1/me/timeline?limit=' + scenario.limit + '&strategy=' + scenario.strategy;

// Typed as k6's own Options (tsc -p loadtest/k6, with @types/k6): the scenarios and thresholds are checked against
// k6's documented option shapes, not just against plan.js's declaration of them.
/** @type {import('k6/options').Options} */
export const options = buildOptions(scenario, __ENV);

// Only 2xx counts as success, as in the Node driver (k6's default also accepts 3xx).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }));

// The credentials file can hold many users: it is parsed once, in the first VU's init, and shared read-only by every
// VU through SharedArray. One pool per `who`, each element {t: token, c: cumulative weight}.
let credentials = null;
const loadCredentials = () => credentials || (credentials = JSON.parse(open(__ENV.CREDENTIALS)));
const pools = {};
scenario.mix.forEach((m) => {
  if (!pools[m.who]) pools[m.who] = new SharedArray('pool:' + m.who, () => poolOf(m.who, loadCredentials()));
});
const poolTotals = {};
Object.keys(pools).forEach((who) => (poolTotals[who] = pools[who][pools[who].length - 1].c));
const mixCumulative = cumulative(scenario.mix.map((m) => m.weight));
const mixTotal = mixCumulative[mixCumulative.length - 1];

export function setup() {
  // Fail in seconds, not after a whole ladder of connection errors.
  const res = http.get(BASE_URL + '/health/live', { tags: { endpoint: 'health' }, timeout: '5s' });
  if (res.status !== 200)
    throw new Error('API not reachable at ' + BASE_URL + '/health/live (status ' + res.status + ')');
}

export default function () {
  const entry = scenario.mix[pickIndex(mixCumulative.length, (i) => mixCumulative[i], mixTotal, Math.random())];
  const pool = pools[entry.who];
  const user = pool[pickIndex(pool.length, (i) => pool[i].c, poolTotals[entry.who], Math.random())];
  const headers = { Authorization: 'Bearer ' + user.t };
  if (entry.endpoint === 'timeline') {
    http.get(TIMELINE_URL, {
      headers: headers,
      tags: { endpoint: 'timeline', strategy: scenario.strategy, name: 'GET /v1/me/timeline' },
      timeout: TIMEOUT,
    });
  } else {
    headers['Content-Type'] = 'application/json';
    const body = JSON.stringify({
      body: 'load ' + scenario.name + ' vu' + __VU + ' #' + __ITER + ' (' + scenario.strategy + ')',
    });
    http.post(BASE_URL + '/v1/posts', body, {
      headers: headers,
      tags: { endpoint: 'post', strategy: scenario.strategy, name: 'POST /v1/posts' },
      timeout: TIMEOUT,
    });
  }
}

export function handleSummary(data) {
  const summary = fromK6(data, { scenario: scenario, baseUrl: BASE_URL, finishedAt: new Date() });
  const text = renderText(summary);
  // k6 does not create directories: make OUT_DIR first (mkdir -p), see README.md.
  const dir = (__ENV.OUT_DIR || 'loadtest/out').replace(/\/$/, '');
  const out = { stdout: text };
  out[dir + '/summary.json'] = JSON.stringify(summary, null, 2) + '\n';
  out[dir + '/summary.txt'] = text;
  return out;
}
