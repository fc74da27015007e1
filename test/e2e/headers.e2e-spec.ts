import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProduct, type Service } from '#libs/contract';
import { freePort } from '../support/processes.js';
import { ADMIN_TOKEN as ADMIN, envOf, testConfig } from '../support/test-config.js';

// What a browser and a security scanner see of the API: protective headers on every answer, the two pages (/docs and
// the queue dashboard) allowed only their own scripts, CORS preflights answered.

let api: Service;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  api = await startProduct('api', {
    ...envOf(testConfig()),
    PORT: String(port),
    HOST: '127.0.0.1',
    REQUEST_TIMEOUT_MS: '2000',
  });
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => api?.stop());

describe('response headers', () => {
  it('protect JSON answers, errors included; the pages run only their own scripts', async () => {
    const pages = ['/docs/', '/admin/queues'];
    for (const path of ['/health/live', '/v1/users/1/posts?limit=0x10', '/docs/openapi.json', ...pages]) {
      const response = await fetch(base + path, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      if (pages.includes(path)) {
        expect(response.status, path).toBe(200);
        // Swagger UI and bull-board: scripts from this origin only, nothing inline, nothing evaluated.
        expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      } else {
        expect(csp, path).not.toContain('script-src');
      }
    }
  });

  it('answer a CORS preflight, with the headers a client sends and reads', async () => {
    const preflight = await fetch(`${base}/v1/posts`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    const read = await fetch(`${base}/health/live`, { headers: { origin: 'https://app.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBe('*');
    expect(read.headers.get('access-control-expose-headers')).toContain('retry-after');
  });
});

describe('requests the router cannot take', () => {
  it('answer a wrong method on an existing path with 405 and Allow, an unknown path with 404', async () => {
    const timeline = await fetch(`${base}/v1/me/timeline`, { method: 'DELETE' });
    expect(timeline.status).toBe(405);
    expect(timeline.headers.get('allow')).toBe('GET, HEAD');
    expect(await timeline.json()).toMatchObject({ statusCode: 405, code: 'METHOD_NOT_ALLOWED' });
    const posts = await fetch(`${base}/v1/posts`, { method: 'GET' });
    expect(posts.status).toBe(405);
    expect(posts.headers.get('allow')).toBe('POST');
    const nowhere = await fetch(`${base}/v1/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answer a malformed URL and oversized headers with the API error body', async () => {
    const malformed = await fetch(`${base}/v1/users/%E0%A4%A`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const huge = await fetch(`${base}/health/live`, { headers: { 'x-padding': 'x'.repeat(20_000) } });
    expect(huge.status).toBe(431);
    expect(await huge.json()).toMatchObject({ statusCode: 431, code: 'BAD_REQUEST' });
  });
});

describe('a request trickled in', () => {
  it('is cut off with 408 and the API error body once REQUEST_TIMEOUT_MS has passed', async () => {
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const closed = once(socket, 'close');
    const started = performance.now();
    socket.write(
      'POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    // One byte a second, as a slow-loris client sends it.
    const trickle = setInterval(() => socket.writable && socket.write(' '), 1000);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    clearInterval(trickle);
    socket.destroy();
    expect(performance.now() - started).toBeLessThan(6000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
      statusCode: 408,
      code: 'BAD_REQUEST',
    });
  });
});
