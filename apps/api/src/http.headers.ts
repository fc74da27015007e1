import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '#libs/config';

/** The policy of every answer but the /docs page's: a browser may run, load, frame or submit nothing from it. */
export const API_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/**
 * What the /docs page (Swagger UI, docs.ui.ts) may do beyond the API's policy, all from this origin: run the
 * Swagger UI scripts @fastify/swagger-ui serves from npm, apply their stylesheets, show the data: images their CSS
 * and logo use, and fetch the document and the "Try it out" requests. No other host, inline script or eval.
 */
const DOCS_ALLOWANCES: Record<string, string[]> = {
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
};

/** The /docs page's policy: the API's own, as helmet wrote it, with DOCS_ALLOWANCES added. */
export function docsContentSecurityPolicy(apiPolicy: string): string {
  const directives = new Map<string, string[]>();
  for (const directive of apiPolicy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  for (const [name, sources] of Object.entries(DOCS_ALLOWANCES)) {
    const had = (directives.get(name) ?? []).filter((source) => source !== "'none'");
    directives.set(name, [...new Set([...had, ...sources])]);
  }
  return [...directives].map(([name, sources]) => [name, ...sources].join(' ')).join('; ');
}

/** What helmet does to a response: headers to set, and headers to remove. */
export interface HelmetHeaders {
  set: [string, string][];
  removed: string[];
}

/**
 * helmet's headers under the API's policy, worked out once. @fastify/helmet builds helmet's middleware anew on every
 * request (about 17 µs of the ~360 µs a push read costs the API, profiled); with no CSP nonces none of helmet's
 * headers depends on the request, so its middleware runs once, against a response that only records, and every
 * answer gets the result.
 */
export function helmetHeaders(): HelmetHeaders {
  const recorded: HelmetHeaders = { set: [], removed: [] };
  const recorder = {
    setHeader: (name: string, value: string | number) => void recorded.set.push([name, String(value)]),
    removeHeader: (name: string) => void recorded.removed.push(name),
  };
  const middleware = helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES } });
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return recorded;
}

/** helmet's headers on every answer, set as helmet would set them: first, on the raw response. */
export function addHelmetHeaders(fastify: FastifyInstance): void {
  const { set, removed } = helmetHeaders();
  fastify.addHook('onRequest', (_request, reply, done) => {
    const raw = reply.raw;
    for (const name of removed) raw.removeHeader(name);
    for (const [name, value] of set) raw.setHeader(name, value);
    done();
  });
}

/**
 * Response headers every answer carries, from well-kept libraries:
 * - helmet: `X-Content-Type-Options: nosniff`, no framing, and a Content-Security-Policy that lets a browser run, load
 *   or submit nothing from these answers (JSON needs nothing; API_CSP_DIRECTIVES); only the /docs page gets more,
 *   see docsContentSecurityPolicy; computed once (helmetHeaders);
 * - @fastify/cors: browsers on CORS_ORIGINS may call the API (any origin by default: authentication is a bearer
 *   token, never a cookie, so a page elsewhere gains nothing it could not do with the token itself), preflights
 *   answered, and the headers a client needs to read (Retry-After, the rate-limit counters) exposed.
 */
export async function secureHeaders(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  addHelmetHeaders(app.getHttpAdapter().getInstance());
  await app.register(cors, {
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
    exposedHeaders: ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
    maxAge: 600,
    // An OPTIONS without the preflight headers is answered like one with them, not with the plugin's plain-text 400
    // (every error of this API has a code).
    strictPreflight: false,
  });
}
