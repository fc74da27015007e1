import { z } from 'zod';
import { ERROR_CODE_NAMES, ERROR_CODES, ErrorResponse, statusOf, type DomainErrorCode } from '#libs/contract';
import { ID_PATTERN } from '#libs/paging';
import { BODY_LIMIT_BYTES } from './api.limits.js';
import { headerParamDoc, pathParamDoc, queryParamDoc } from './openapi.params.js';
import type { Auth, HttpMethod, RouteDoc } from './openapi.routes.js';

// The OpenAPI 3.1 document served at /docs/openapi.json and shown by Swagger UI at /docs, built from the routes the
// controllers declare (see openapi.routes.ts): the zod schemas that validate requests, and the response schemas the
// end-to-end tests check real responses against. Error answers come from the error catalogue.

type Security = Record<string, string[]>[];

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  example?: unknown;
  schema: unknown;
}

interface MediaType {
  schema: unknown;
  example?: unknown;
  examples?: Record<string, { summary: string; value: unknown }>;
}

export interface Operation {
  tags: string[];
  summary: string;
  description: string;
  operationId: string;
  /** Always present: `[]` says the operation is public, rather than leaving it to a document-wide default. */
  security: Security;
  parameters: Parameter[];
  requestBody?: { description?: string; required: boolean; content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  components: Record<string, unknown>;
  paths: Record<string, Partial<Record<HttpMethod, Operation>>>;
}

/** The tags, in the order the reference lists them. */
const TAGS: OpenApiDocument['tags'] = [
  { name: 'users', description: 'Accounts, their bearer tokens and their follower lists' },
  { name: 'following', description: 'Whom you follow; this is what your home timeline is made of' },
  { name: 'posts', description: 'Posting, reading and deleting posts' },
  { name: 'timeline', description: 'Your home timeline, under push, pull or hybrid fan-out' },
  { name: 'admin', description: 'Run-time flags, fan-out progress and metrics (ADMIN_TOKEN)' },
  { name: 'health', description: 'Liveness, readiness and Prometheus metrics' },
  { name: 'docs', description: 'This reference' },
];

const SECURITY: Record<Auth, Security> = { none: [], user: [{ userToken: [] }], admin: [{ adminToken: [] }] };

const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

function parameters(route: RouteDoc): Parameter[] {
  const example = (name: string, fallback: unknown) => route.paramExamples?.[name] ?? fallback;
  const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const doc = pathParamDoc(route.path, name!);
    return {
      name: name!,
      in: 'path' as const,
      required: true,
      description: doc?.description,
      example: example(name!, doc?.example),
      schema: { type: 'string', pattern: ID_PATTERN.source },
    };
  });
  const inHeaders = (route.headers ?? []).map((name) => {
    const doc = headerParamDoc(name);
    const { schema, ...words } = doc ?? { schema: { type: 'string' } };
    return { name, in: 'header' as const, required: false, ...words, schema };
  });
  if (!route.query) return [...inPath, ...inHeaders];
  const query = jsonSchema(route.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => {
    const doc = queryParamDoc(name);
    return {
      name,
      in: 'query' as const,
      required: query.required?.includes(name) ?? false,
      description: doc?.description,
      example: example(name, doc?.example),
      schema: doc?.schema ?? schema,
    };
  });
  return [...inPath, ...inQuery, ...inHeaders];
}

function requestBody(route: RouteDoc): Operation['requestBody'] {
  if (!route.body) return undefined;
  const schema = jsonSchema(route.body, 'input');
  return {
    description: route.requestBody?.description,
    required: true,
    content: { 'application/json': { schema, example: route.requestBody?.example } },
  };
}

function responses(route: RouteDoc): Operation['responses'] {
  const [status, schema] = route.ok;
  const media = schema && { schema: jsonSchema(schema, 'output'), example: route.example };
  return {
    [status]: {
      description: SUCCESS[status] ?? 'Success',
      ...(media && { content: { [route.contentType ?? 'application/json']: media } }),
    },
    ...errorResponses(route),
  };
}

/** One answer per error status, naming every code the route can answer with there, each with an example body. */
function errorResponses(route: RouteDoc): Operation['responses'] {
  const codes = new Set<string>(route.errors);
  if (route.body || route.query || route.path.includes('{')) codes.add('VALIDATION_FAILED');
  if (route.body) codes.add('PAYLOAD_TOO_LARGE').add('UNSUPPORTED_MEDIA_TYPE');
  if (route.auth !== 'none') codes.add('UNAUTHORIZED');
  if (route.auth === 'admin') codes.add('FORBIDDEN');
  const listed = ERROR_CODE_NAMES.filter((code) => codes.has(code)) as DomainErrorCode[];
  const out: Operation['responses'] = {};
  for (const status of [...new Set(listed.map(statusOf))].sort((a, b) => a - b)) {
    const here = listed.filter((code) => statusOf(code) === status);
    const examples = Object.fromEntries(
      here.map((code) => {
        const { meaning } = ERROR_CODES[code];
        return [code, { summary: meaning, value: { statusCode: status, code, message: meaning } }];
      }),
    );
    out[status] = {
      description: here.map((code) => `${code}: ${ERROR_CODES[code].meaning}`).join('; '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, examples } },
    };
  }
  return out;
}

export function openApiDocument(routes: readonly RouteDoc[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const body = requestBody(route);
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      tags: [route.tag],
      summary: route.summary,
      description: route.description,
      operationId: `${route.method}${route.path.replace(/[^a-zA-Z0-9]+(\w)?/g, (_, c: string = '') => c.toUpperCase())}`,
      security: route.security ?? SECURITY[route.auth],
      parameters: parameters(route),
      ...(body && { requestBody: body }),
      responses: responses(route),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'fanout-lab',
      version: '1',
      description:
        'Home timelines under three strategies: push (fan-out on write to per-user Redis mailboxes), pull ' +
        '(fan-out on read from PostgreSQL) and hybrid (push, with celebrities merged at read time). Errors are ' +
        `{statusCode, code, message} with a stable code. Request bodies are JSON of at most ${BODY_LIMIT_BYTES / 1024} KiB. ` +
        'Ids are decimal strings. To try the authenticated calls here, create a user (its answer carries the ' +
        'token) and give the token to Authorize.',
    },
    // Relative: the API that serves this document, whatever host, port or proxy path it is reached by.
    servers: [{ url: '/', description: 'the API serving this document' }],
    tags: TAGS,
    components: {
      securitySchemes: {
        userToken: { type: 'http', scheme: 'bearer', description: 'the token POST /v1/users returned' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'the ADMIN_TOKEN of the deployment' },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'the METRICS_TOKEN, when the deployment sets one',
        },
      },
      schemas: { Error: jsonSchema(ErrorResponse, 'output') },
    },
    paths,
  };
}
