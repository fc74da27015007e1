import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import helmet from 'helmet';
import { afterAll, describe, expect, it } from 'vitest';
import { addHelmetHeaders, API_CSP_DIRECTIVES, helmetHeaders } from './http.headers.js';

// helmet's headers are worked out once (http.headers.ts); an answer must carry exactly what helmet's middleware, run
// on that very request as @fastify/helmet did, would have given it.

const reference = http.createServer((req, res) =>
  helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES } })(req, res, () =>
    res.end('{}'),
  ),
);
const app = Fastify();
addHelmetHeaders(app);
app.get('/x', () => ({}));
afterAll(async () => {
  reference.close();
  await app.close();
});

/** An answer's headers, without those that differ by server or by moment. */
function protective(headers: Record<string, unknown>): Record<string, string> {
  const skip = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type', 'transfer-encoding']);
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => !skip.has(name))
      .map(([k, v]) => [k, String(v)]),
  );
}

describe('helmet headers', () => {
  it("are helmet's own, set on every answer", async () => {
    reference.listen(0, '127.0.0.1');
    await once(reference, 'listening');
    const port = (reference.address() as AddressInfo).port;
    const expected = protective(Object.fromEntries((await fetch(`http://127.0.0.1:${port}/x`)).headers));
    expect(expected['content-security-policy']).toContain("default-src 'none'");
    expect(Object.keys(expected).length).toBeGreaterThan(8);
    for (const path of ['/x', '/missing']) {
      const answer = await app.inject(path);
      expect(protective(answer.headers), path).toEqual(expected);
    }
  });

  it('records what helmet removes, too', () => {
    expect(helmetHeaders().removed).toEqual(['X-Powered-By']);
  });
});
