import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
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

/**
 * Response headers every answer carries, from well-kept plugins:
 * - @fastify/helmet: `X-Content-Type-Options: nosniff`, no framing, and a Content-Security-Policy that lets a browser
 *   run, load or submit nothing from these answers (JSON needs nothing; API_CSP_DIRECTIVES); only the /docs page
 *   gets more, see docsContentSecurityPolicy;
 * - @fastify/cors: browsers on CORS_ORIGINS may call the API (any origin by default: authentication is a bearer
 *   token, never a cookie, so a page elsewhere gains nothing it could not do with the token itself), preflights
 *   answered, and the headers a client needs to read (Retry-After, the rate-limit counters) exposed.
 */
export async function secureHeaders(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: API_CSP_DIRECTIVES,
    },
  });
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
