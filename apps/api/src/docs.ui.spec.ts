import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from './api.routes.js';
import { registerDocsUi } from './docs.ui.js';
import { addHelmetHeaders, docsContentSecurityPolicy } from './http.headers.js';
import { openApiDocument } from './openapi.document.js';

// The page's wiring without the rest of the API: helmet's policy as the API sets it, then Swagger UI over the real
// document. The end-to-end test (test/e2e/docs-ui.e2e-spec.ts) opens the page in Chromium.

const API_POLICY = "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'";
const document = openApiDocument(API_ROUTES);
let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  addHelmetHeaders(app);
  await registerDocsUi(app, document);
  app.get('/health/live', () => ({ status: 'ok' }));
  await app.ready();
});
afterAll(() => app?.close());

describe('the docs page policy', () => {
  it("widens the API's policy only with this origin and data: images", () => {
    const policy = docsContentSecurityPolicy(API_POLICY);
    expect(policy.split('; ').sort()).toEqual(
      [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
      ].sort(),
    );
    expect(docsContentSecurityPolicy("default-src 'none'; script-src 'none'")).toContain("script-src 'self'");
    expect(policy).not.toMatch(/unsafe|https?:|\*/);
  });
});

describe('Swagger UI at /docs', () => {
  it('serves its page and assets from npm under the widened policy, other answers under the strict one', async () => {
    const page = await app.inject('/docs');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/docs/static/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/src="https?:|href="https?:/);
    expect(page.headers['content-security-policy']).toBe(docsContentSecurityPolicy(API_POLICY));
    const bundle = await app.inject('/docs/static/swagger-ui-bundle.js');
    expect(bundle.statusCode).toBe(200);
    const live = await app.inject('/health/live');
    expect(live.headers['content-security-policy']).toBe(API_POLICY);
  });

  it('shows the same document, with no validator badge', async () => {
    expect((await app.inject('/docs/json')).json()).toEqual(JSON.parse(JSON.stringify(document)));
    const initializer = (await app.inject('/docs/static/swagger-initializer.js')).body;
    expect(initializer).toMatch(/"validatorUrl":\s*null/);
    expect(initializer).not.toContain('validator.swagger.io');
  });
});
