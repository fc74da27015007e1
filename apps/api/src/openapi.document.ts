import { z } from 'zod';
import * as R from '#libs/contract';
import { MAX_POST_LENGTH } from '#libs/posts';
import { ID_PATTERN } from '#libs/paging';
import {
  CreatePostDto,
  CreateUserDto,
  MetricsQueryDto,
  PageQueryDto,
  PatchFlagsDto,
  TimelineQueryDto,
} from './api.dto.js';
import { BODY_LIMIT_BYTES } from './api.limits.js';

// The OpenAPI 3.1 document served at /docs/openapi.json, built from the same zod schemas that validate requests (and
// the response schemas the end-to-end tests check real responses against). A unit test checks that every route the
// app registers is listed here and nothing else is.

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Auth = 'none' | 'user' | 'admin';

export interface RouteDoc {
  method: HttpMethod;
  /** OpenAPI style: `/v1/users/{id}`. */
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success status and its body (null: no body). */
  ok: [number, z.ZodType | null];
  /** Error statuses besides the ones auth and input imply. */
  errors?: number[];
}

const NO_CONTENT = null;

export const API_ROUTES: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/users',
    tag: 'users',
    summary: 'Create a user; the answer carries its bearer token, once',
    auth: 'none',
    body: CreateUserDto,
    ok: [201, R.CreatedUserResponse],
    errors: [409],
  },
  { method: 'get', path: '/v1/me', tag: 'users', summary: 'Your profile', auth: 'user', ok: [200, R.ProfileResponse] },
  {
    method: 'get',
    path: '/v1/users/{id}',
    tag: 'users',
    summary: "A user's profile",
    auth: 'none',
    ok: [200, R.ProfileResponse],
    errors: [404],
  },
  ...(['followers', 'following'] as const).map((list): RouteDoc => ({
    method: 'get',
    path: `/v1/users/{id}/${list}`,
    tag: 'users',
    summary: list === 'followers' ? "A user's followers, newest first" : 'Who a user follows, newest first',
    auth: 'none',
    query: PageQueryDto,
    ok: [200, R.UserPageResponse],
    errors: [404],
  })),
  {
    method: 'get',
    path: '/v1/users/{id}/posts',
    tag: 'posts',
    summary: "A user's own posts (author timeline), newest first",
    auth: 'none',
    query: PageQueryDto,
    ok: [200, R.PostPageResponse],
    errors: [404],
  },
  {
    method: 'put',
    path: '/v1/me/following/{userId}',
    tag: 'following',
    summary: 'Follow a user (idempotent); their recent posts are backfilled into your timeline',
    auth: 'user',
    ok: [204, NO_CONTENT],
    errors: [404],
  },
  {
    method: 'delete',
    path: '/v1/me/following/{userId}',
    tag: 'following',
    summary: 'Unfollow a user (idempotent); their posts leave your timeline',
    auth: 'user',
    ok: [204, NO_CONTENT],
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/posts',
    tag: 'posts',
    summary: `Post (1 to ${MAX_POST_LENGTH} Unicode code points); fan-out to followers happens after the answer`,
    auth: 'user',
    body: CreatePostDto,
    ok: [201, R.PostResponse],
  },
  {
    method: 'get',
    path: '/v1/posts/{id}',
    tag: 'posts',
    summary: 'A post',
    auth: 'none',
    ok: [200, R.PostResponse],
    errors: [404],
  },
  {
    method: 'delete',
    path: '/v1/posts/{id}',
    tag: 'posts',
    summary: 'Delete your post; it leaves every timeline',
    auth: 'user',
    ok: [204, NO_CONTENT],
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/v1/me/timeline',
    tag: 'timeline',
    summary: 'Your home timeline, newest first, under the configured strategy or ?strategy=',
    auth: 'user',
    query: TimelineQueryDto,
    ok: [200, R.TimelineResponse],
  },
  {
    method: 'get',
    path: '/v1/admin/config',
    tag: 'admin',
    summary: 'The run-time flags',
    auth: 'admin',
    ok: [200, R.FlagsResponse],
  },
  {
    method: 'patch',
    path: '/v1/admin/config',
    tag: 'admin',
    summary:
      'Change run-time flags (strategy, celebrity threshold, mailbox size, fan-out batch size); every process follows',
    auth: 'admin',
    body: PatchFlagsDto,
    ok: [200, R.FlagsResponse],
  },
  {
    method: 'get',
    path: '/v1/admin/fanout',
    tag: 'admin',
    summary: 'Fan-out progress: accepted = delivered + pending + failed, and queue depths',
    auth: 'admin',
    ok: [200, R.FanoutStatusResponse],
  },
  {
    method: 'post',
    path: '/v1/admin/mailboxes/rebuild',
    tag: 'admin',
    summary: 'Rebuild every mailbox from PostgreSQL (asynchronous)',
    auth: 'admin',
    ok: [202, R.RebuildResponse],
  },
  {
    method: 'get',
    path: '/v1/admin/metrics',
    tag: 'admin',
    summary: "Every process's HDR latency histograms, added (?raw=true: each process's cumulative snapshot)",
    auth: 'admin',
    query: MetricsQueryDto,
    ok: [200, z.object({ collectedAt: z.iso.datetime() }).loose()],
  },
  { method: 'get', path: '/health/live', tag: 'health', summary: 'Liveness', auth: 'none', ok: [200, R.LiveResponse] },
  {
    method: 'get',
    path: '/health/ready',
    tag: 'health',
    summary: 'Readiness: PostgreSQL and Redis answer',
    auth: 'none',
    ok: [200, R.ReadyResponse],
    errors: [503],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'health',
    summary: "This process's Prometheus metrics (text format)",
    auth: 'none',
    ok: [200, z.string()],
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'docs',
    summary: 'This reference, as a page',
    auth: 'none',
    ok: [200, z.string()],
  },
  {
    method: 'get',
    path: '/docs/openapi.json',
    tag: 'docs',
    summary: 'This reference, as OpenAPI 3.1',
    auth: 'none',
    ok: [200, z.object({ openapi: z.string() }).loose()],
  },
];

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

const ERROR_TEXT: Record<number, string> = {
  400: 'VALIDATION_FAILED (or POST_TOO_LONG, SELF_FOLLOW, INVALID_CURSOR): the input is not valid; nothing changed',
  401: 'UNAUTHORIZED: no valid bearer token',
  403: 'FORBIDDEN: not allowed',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: `PAYLOAD_TOO_LARGE: the body is over ${BODY_LIMIT_BYTES / 1024} KiB`,
  415: 'UNSUPPORTED_MEDIA_TYPE: send application/json',
  503: 'UNAVAILABLE: a dependency is down; try again',
};

const TEXT_ROUTES = new Set(['/metrics', '/docs']);

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

function bodySchema(route: RouteDoc): Record<string, unknown> | undefined {
  if (!route.body) return undefined;
  const schema = jsonSchema(route.body, 'input');
  // Rules the DTOs leave to a refine or to the service, which JSON Schema cannot see there. Post length is counted in
  // code points by the service, exactly as JSON Schema counts string length.
  if (route.body === CreatePostDto) {
    (schema.properties as Record<string, object>).body = {
      type: 'string',
      minLength: 1,
      maxLength: MAX_POST_LENGTH,
      pattern: '\\S',
      description: 'not only whitespace, no NUL character; over the limit is POST_TOO_LONG',
    };
  }
  if (route.body === PatchFlagsDto) schema.minProperties = 1;
  return schema;
}

function responses(route: RouteDoc): Operation['responses'] {
  const [status, schema] = route.ok;
  const type = TEXT_ROUTES.has(route.path) ? (route.path === '/docs' ? 'text/html' : 'text/plain') : 'application/json';
  const out: Operation['responses'] = {
    [status]: schema
      ? { description: 'OK', content: { [type]: { schema: jsonSchema(schema, 'output') } } }
      : { description: 'No content' },
  };
  const errors = new Set(route.errors ?? []);
  if (route.body || route.query || route.path.includes('{')) errors.add(400);
  if (route.body) [413, 415].forEach((code) => errors.add(code));
  if (route.auth !== 'none') errors.add(401);
  if (route.auth === 'admin') errors.add(403);
  for (const code of [...errors].sort((a, b) => a - b)) {
    out[code] = {
      description: ERROR_TEXT[code] ?? 'error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

export function openApiDocument(): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of API_ROUTES) {
    const body = bodySchema(route);
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
        '{statusCode, code, message} with a stable code.',
    },
    components: {
      securitySchemes: {
        userToken: { type: 'http', scheme: 'bearer', description: 'the token POST /v1/users returned' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'the ADMIN_TOKEN of the deployment' },
      },
      schemas: { Error: jsonSchema(R.ErrorResponse, 'output') },
    },
    paths,
  };
}
