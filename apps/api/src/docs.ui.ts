import swagger, { type StaticDocumentSpec } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { OPENAPI_DOCUMENT } from './docs.controller.js';
import { docsContentSecurityPolicy } from './http.headers.js';
import type { OpenApiDocument } from './openapi.document.js';

// /docs as Swagger UI: the reference people read is interactive ("Try it out" against this very API) and shows the
// same document tools get at /docs/openapi.json, so neither can drift from the routes. Everything it loads comes from
// npm through @fastify/swagger-ui (no CDN, no web fonts, no validator badge), so it works offline and under a CSP
// that names no other host. Its own extra routes (/docs/json, /docs/yaml) serve that document too.

export const DOCS_PREFIX = '/docs';

/** Registers the page on the app's Fastify instance; after the hooks every route must run (headers, rate limits). */
export async function serveDocsUi(app: NestFastifyApplication): Promise<void> {
  await registerDocsUi(app.getHttpAdapter().getInstance(), app.get<OpenApiDocument>(OPENAPI_DOCUMENT));
}

export async function registerDocsUi(fastify: FastifyInstance, document: OpenApiDocument): Promise<void> {
  // Static mode: the document the controllers describe is the one shown, not one @fastify/swagger would rebuild
  // from Fastify's route schemas (this API validates with zod, so those are empty). Its types know OpenAPI 3.0.
  await fastify.register(swagger, {
    mode: 'static',
    specification: { document: document as unknown as StaticDocumentSpec['document'] },
  });
  await fastify.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    theme: { title: 'fanout-lab API reference' },
    uiConfig: {
      // Swagger UI would otherwise send the document to validator.swagger.io for a badge.
      validatorUrl: null,
      // Without the top bar: it only offers to load another document, and its inline SVG logo carries a <style>
      // element the page's policy (no inline styles) would refuse.
      layout: 'BaseLayout',
      deepLinking: true,
      displayRequestDuration: true,
      filter: true,
      // Tokens typed into Authorize stay in the tab's memory, never in localStorage.
      persistAuthorization: false,
    },
    // Applied to the plugin's own routes only: helmet's policy for the API, widened just enough for the page.
    transformStaticCSP: docsContentSecurityPolicy,
  });
}
