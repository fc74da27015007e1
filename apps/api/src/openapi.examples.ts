import { EXAMPLE_POST_ID } from './openapi.params.js';

// Example answers for the reference, taken from the README's walkthrough (alice posts, bob follows her). The
// OpenAPI document's unit test parses each one with the response schema it illustrates, so they cannot drift.

const alice = { id: '1', handle: 'alice' };
const post = {
  id: EXAMPLE_POST_ID,
  author: alice,
  body: 'second post',
  createdAt: '2026-11-23T10:52:45.015Z',
};

export const EXAMPLES = {
  createdUser: { ...alice, displayName: 'Alice', token: 'flt_Rq175ygINuE4ROgcfM7Nc7tRgeQAP-EgIRkAUiDs7F0' },
  profile: {
    ...alice,
    displayName: 'Alice',
    followersCount: 1,
    followingCount: 0,
    postsCount: 2,
    celebrity: false,
    createdAt: '2026-11-23T10:52:31.204Z',
  },
  userPage: {
    items: [{ id: '2', handle: 'bob', displayName: 'bob', followedAt: '2026-11-23T10:52:38.517Z' }],
    nextCursor: null,
  },
  post,
  postPage: { items: [post], nextCursor: null },
  timeline: { items: [post], nextCursor: null, strategy: 'hybrid', source: 'mailbox' },
  flags: {
    strategy: 'hybrid',
    celebrityThreshold: 1000,
    mailboxSize: 800,
    fanoutBatchSize: 2000,
    mailboxEpoch: 1,
    version: 3,
    pullModeAuthors: 0,
  },
  fanout: {
    accepted: 4,
    delivered: 4,
    pending: 0,
    failed: 0,
    ok: true,
    idle: true,
    byType: {
      'post.created': { accepted: 3, delivered: 3, pending: 0, failed: 0 },
      'follow.created': { accepted: 1, delivered: 1, pending: 0, failed: 0 },
    },
    queue: { waiting: 0, active: 0, delayed: 0, 'waiting-children': 0, failed: 0, prioritized: 0 },
  },
  rebuild: { accepted: true, requestedAt: '2026-11-23T11:02:00.000Z' },
  live: { status: 'ok' },
  ready: { status: 'ok', postgres: 'ok', redis: 'ok' },
  prometheus:
    '# HELP fanout_http_responses_total HTTP responses by route and status code (errors are 4xx and 5xx)\n' +
    '# TYPE fanout_http_responses_total counter\n' +
    'fanout_http_responses_total{method="GET",route="/v1/me/timeline",status="200",role="api"} 42\n',
  histograms: {
    collectedAt: '2026-11-23T11:00:00.000Z',
    processes: [
      {
        id: 'api-7f3a',
        role: 'api',
        pid: 4242,
        host: 'fanout-api-1',
        startedAt: '2026-11-23T10:50:00.000Z',
        takenAt: '2026-11-23T10:59:59.500Z',
      },
    ],
    series: [
      {
        name: 'http.request',
        labels: { method: 'GET', route: '/v1/me/timeline', strategy: 'hybrid' },
        count: 42,
        p50Ms: 1.2,
        p90Ms: 2.1,
        p99Ms: 4.8,
        p999Ms: 6.3,
        maxMs: 6.3,
        histogram: 'HISTFAAAACl4nJNpmSzMwMDAxQABzFCaEUzKzWb4YA8RgIlKMjEAAB7/BQM=',
      },
    ],
    counters: [{ name: 'fanout.mailbox_writes', labels: { detail: 'deliver' }, value: 3 }],
  },
  openApi: { openapi: '3.1.0', info: { title: 'fanout-lab', version: '1' }, paths: {} },
};
