import { z } from 'zod';
import { ERROR_CODE_NAMES, ERROR_CODES, ErrorResponse, statusOf, type DomainErrorCode } from '#libs/contract';
import { ID_PATTERN } from '#libs/paging';
import { BODY_LIMIT_BYTES } from './api.limits.js';
import type { HttpMethod, RouteDoc } from './openapi.routes.js';

// The OpenAPI 3.1 document served at /docs/openapi.json, built from the routes the controllers declare (see
// openapi.routes.ts): the zod schemas that validate requests, and the response schemas the end-to-end tests check real
// responses against. Error answers come from the error catalogue.

export interface Operation {
  tags: string[];
  summary: string;
  operationId: string;
  security?: Record<string, string[]>[];
  parameters: { name: string; in: 'path' | 'query'; required: boolean; schema: unknown }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  components: Record<string, unknown>;
  paths: Record<string, Partial<Record<HttpMethod, Operation>>>;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

function parameters(route: RouteDoc): Operation['parameters'] {
  const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path' as const,
    required: true,
    schema: { type: 'string', pattern: ID_PATTERN.source, description: 'a positive 64-bit id' },
  }));
  if (!route.query) return inPath;
  const query = jsonSchema(route.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query' as const,
    required: query.required?.includes(name) ?? false,
    schema,
  }));
  return [...inPath, ...inQuery];
}

function responses(route: RouteDoc): Operation['responses'] {
  const [status, schema] = route.ok;
  return {
    [status]: schema
      ? {
          description: 'OK',
          content: { [route.contentType ?? 'application/json']: { schema: jsonSchema(schema, 'output') } },
        }
      : { description: 'No content' },
    ...errorResponses(route),
  };
}

/** One answer per error status, naming every code the route can answer with there and what it means. */
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
    out[status] = {
      description: here.map((code) => `${code}: ${ERROR_CODES[code].meaning}`).join('; '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

export function openApiDocument(routes: readonly RouteDoc[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const body = route.body && jsonSchema(route.body, 'input');
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      tags: [route.tag],
      summary: route.summary,
      operationId: `${route.method}${route.path.replace(/[^a-zA-Z0-9]+(\w)?/g, (_, c: string = '') => c.toUpperCase())}`,
      ...(route.auth === 'user' && { security: [{ userToken: [] }] }),
      ...(route.auth === 'admin' && { security: [{ adminToken: [] }] }),
      parameters: parameters(route),
      ...(body && { requestBody: { required: true, content: { 'application/json': { schema: body } } } }),
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
        `{statusCode, code, message} with a stable code. Request bodies are JSON of at most ${BODY_LIMIT_BYTES / 1024} KiB.`,
    },
    components: {
      securitySchemes: {
        userToken: { type: 'http', scheme: 'bearer', description: 'the token POST /v1/users returned' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'the ADMIN_TOKEN of the deployment' },
      },
      schemas: { Error: jsonSchema(ErrorResponse, 'output') },
    },
    paths,
  };
}
