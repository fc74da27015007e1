import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ERROR_CODE_NAMES, migrateDatabase, startProduct, type Service } from '#libs/contract';
import { dropDatabase } from '../support/global-setup.js';
import { freePort } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// Generated requests over every documented route (its paths from the API's own OpenAPI document): methods, path
// segments, queries, headers, content types and bodies of every kind. Whatever comes in, the API answers below 500,
// every error carries a code of the catalogue, and a refused request changes nothing in PostgreSQL.

const config = testConfig();
// A database of this file's own: the check "nothing changed" counts rows, which other files would change meanwhile.
const url = new URL(config.databaseUrl);
url.pathname = `${url.pathname}_fuzz`;
const databaseUrl = url.toString();

let api: Service;
let client: ApiClient;
let db: pg.Client;
/** Every documented operation: most generated requests use one, so they get past routing and authentication. */
let operations: { path: string; method: string }[];
let user: { id: string; token: string };

beforeAll(async () => {
  await migrateDatabase(databaseUrl);
  const port = await freePort();
  api = await startProduct('api', {
    ...envOf(config),
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  client = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
  user = await client.createUser(uniqueHandle('fuzz'));
  const document = (await client.call('GET', '/docs/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ path, method: method.toUpperCase() })),
  );
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
}, 60_000);
afterAll(async () => {
  await db?.end();
  await api?.stop();
  await dropDatabase(databaseUrl);
});

async function rowCounts(): Promise<string> {
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM posts) AS posts,
            (SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL) AS deleted, (SELECT count(*) FROM follows) AS follows,
            (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM tokens) AS tokens,
            (SELECT version FROM runtime_flags LIMIT 1) AS flags`,
  );
  return JSON.stringify(rows[0]);
}

const segment = fc.oneof(
  fc.constantFrom('1', '0', '-1', '9007199254740993', '1e3', '0x10', ' 1', '%00', '..', '%E0%A4%A', 'ａ', '💥'),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
);
const query = fc.dictionary(
  fc.constantFrom('limit', 'cursor', 'strategy', 'raw', 'x', '__proto__'),
  fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('0', '100', '101', '0x10', '1e2', 'push', 'pull', '')),
  { maxKeys: 3 },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.record({ body: fc.string({ maxLength: 300 }) }).map((b) => JSON.stringify(b)),
  fc
    .record({ handle: fc.string({ maxLength: 35 }), displayName: fc.string({ maxLength: 120 }) })
    .map((b) => JSON.stringify(b)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{"__proto__":{"x":1}}', '{"body":"\\ud800"}', '', 'null', '[]', '{"body":"a\\u0000"}'),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);
const request = fc.record({
  operation: fc.integer({ min: 0, max: 1000 }),
  /** Another method than the operation's, one time in five. */
  method: fc.option(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), { freq: 4 }),
  segments: fc.array(segment, { minLength: 2, maxLength: 2 }),
  query,
  auth: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('user', 'admin') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'garbage', 'malformed') },
  ),
  contentType: fc.oneof(
    { weight: 4, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/json; charset=latin1', 'x/y') },
  ),
  body,
});

describe('the API under generated requests', () => {
  it('never answers 5xx, always with a catalogued code, and changes nothing when it refuses', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const operation = operations[r.operation % operations.length]!;
        const method = r.method ?? operation.method;
        let i = 0;
        const path = operation.path.replace(/\{[^}]+\}/g, () => r.segments[i++ % 2]!);
        const search = new URLSearchParams(Object.entries(r.query)).toString();
        const headers: Record<string, string> = {};
        if (r.auth === 'user') headers.authorization = `Bearer ${user.token}`;
        if (r.auth === 'admin') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
        if (r.auth === 'garbage') headers.authorization = 'Bearer flt_not-a-token';
        if (r.auth === 'malformed') headers.authorization = 'Basic x';
        if (r.contentType) headers['content-type'] = r.contentType;
        const withBody = r.body !== undefined && method !== 'GET' && method !== 'HEAD';
        const before = await rowCounts();
        const response = await fetch(`${client.baseUrl}${path}${search ? `?${search}` : ''}`, {
          method,
          headers,
          body: withBody ? (r.body as string | Buffer) : undefined,
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const what = `${method} ${path}?${search} → ${response.status} ${text.slice(0, 200)}`;
        expect(response.status, what).toBeLessThan(500);
        if (response.status >= 400 && method !== 'HEAD') {
          expect(ERROR_CODE_NAMES, what).toContain(JSON.parse(text).code);
          expect(await rowCounts(), what).toBe(before);
        }
      }),
      { numRuns: 1500, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    // The generated requests reach the handlers, not only the guards: some succeed, some are refused on their input.
    const count = (from: number, to: number) =>
      [...statuses].filter(([status]) => status >= from && status < to).reduce((sum, [, n]) => sum + n, 0);
    expect(count(200, 300), JSON.stringify([...statuses])).toBeGreaterThan(100);
    expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(100);
  });
});
