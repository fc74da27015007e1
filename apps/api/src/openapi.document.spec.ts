import 'reflect-metadata';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '#libs/config';
import { CreatedUserResponse, ErrorResponse, ProfileResponse, TimelineResponse } from '#libs/contract';
import { isId } from '#libs/paging';
import { ApiModule } from './api.module.js';
import { API_ROUTES } from './api.routes.js';
import { openApiDocument, type Operation } from './openapi.document.js';
import { TIMELINE_ROUTE } from './timeline.route.js';

// forRoot only assembles the module description; nothing connects.
const config = {
  redisUrl: 'redis://127.0.0.1:6379',
  redisPrefix: 'spec',
  logLevel: 'warn',
  logFormat: 'json',
} as AppConfig;

const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/** `GET /v1/users/{id}` for every handler the API's controllers declare, plus the route registered on Fastify. */
function registeredRoutes(): string[] {
  const controllers = (ApiModule.forRoot(config).controllers ?? []) as Type[];
  const routes = controllers.flatMap((controller) => {
    const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
    const proto = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(proto)
      .map((name) => proto[name])
      .filter(
        (handler): handler is object => typeof handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, handler),
      )
      .map((handler) => {
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = join(base, Reflect.getMetadata(PATH_METADATA, handler) as string);
        return `${method} ${path.replace(/:(\w+)/g, '{$1}')}`;
      });
  });
  return [...routes, `${TIMELINE_ROUTE.method} ${TIMELINE_ROUTE.url}`].sort();
}

const CREATED_PROFILE = {
  id: String(2 ** 53 - 1),
  handle: 'a',
  displayName: 'a',
  followersCount: 0,
  followingCount: 0,
  postsCount: 0,
  celebrity: false,
  createdAt: new Date().toISOString(),
};

describe('the OpenAPI document', () => {
  it('lists exactly the routes the API registers', () => {
    const documented = API_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(documented).toEqual(registeredRoutes());
    expect(registeredRoutes().length).toBeGreaterThan(15);
  });

  it('describes request bodies and queries from the validating schemas', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document walked by the assertions
    const doc = openApiDocument(API_ROUTES) as unknown as { paths: Record<string, Record<string, any>> };
    const createUser = doc.paths['/v1/users']!.post;
    expect(createUser.requestBody.content['application/json'].schema).toMatchObject({
      required: ['handle'],
      properties: { handle: { pattern: '^[a-z0-9_]{1,30}$' } },
      additionalProperties: false,
    });
    expect(createUser.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    const post = doc.paths['/v1/posts']!.post;
    expect(post.requestBody.content['application/json'].schema.properties.body).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 280,
      pattern: '\\S',
    });
    expect(post.security).toEqual([{ userToken: [] }]);
    const timeline = doc.paths['/v1/me/timeline']!.get;
    const names = timeline.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(['limit', 'cursor', 'strategy']);
    expect(doc.paths['/v1/admin/config']!.patch.responses).toHaveProperty('403');
    expect(doc.paths['/v1/admin/config']!.patch.requestBody.content['application/json'].schema.minProperties).toBe(1);
    expect(Object.keys(post.responses)).toEqual(['201', '400', '401', '413', '415']);
    expect(doc.paths['/v1/users/{id}']!.get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
  });

  it('describes every operation, parameter and request body, each with an example its schema accepts', () => {
    const doc = openApiDocument(API_ROUTES);
    for (const route of API_ROUTES) {
      const op = doc.paths[route.path]![route.method]!;
      const what = `${route.method.toUpperCase()} ${route.path}`;
      expect(op.summary, what).toMatch(/\S/);
      expect(op.description, what).toMatch(/\S{3}/);
      expect(
        doc.tags.map((t) => t.name),
        what,
      ).toContain(op.tags[0]);
      for (const p of op.parameters) {
        const param = `${what} ${p.in} ${p.name}`;
        expect(p.description, param).toMatch(/\S{3}/);
        expect(p.example, param).toBeDefined();
        if (p.in === 'path') expect(isId(String(p.example)), param).toBe(true);
        if (p.in === 'query') expect(route.query!.safeParse({ [p.name]: String(p.example) }).success, param).toBe(true);
        if (p.in === 'header')
          expect(String(p.example), param).toMatch(new RegExp((p.schema as { pattern: string }).pattern));
      }
      if (route.body) {
        const body = op.requestBody!;
        expect(body.description, what).toMatch(/\S{3}/);
        const parsed = route.body.safeParse(body.content['application/json']!.example);
        expect(parsed.success, `${what} body example: ${parsed.error?.message}`).toBe(true);
      } else expect(route.requestBody, what).toBeUndefined();
      const [status, schema] = route.ok;
      const success = op.responses[status]!;
      expect(success.description, what).toMatch(/\S/);
      if (schema) {
        const parsed = schema.safeParse(Object.values(success.content!)[0]!.example);
        expect(parsed.success, `${what} answer example: ${parsed.error?.message}`).toBe(true);
      } else expect(success.content, what).toBeUndefined();
      for (const [code, answer] of Object.entries(op.responses).filter(([s]) => Number(s) >= 400)) {
        const examples = Object.values(answer.content!['application/json']!.examples!);
        expect(examples.length, `${what} ${code}`).toBeGreaterThan(0);
        for (const { value } of examples) expect(ErrorResponse.safeParse(value).success, `${what} ${code}`).toBe(true);
      }
    }
  });

  it('says of every operation who may call it, as the controllers check it', () => {
    const doc = openApiDocument(API_ROUTES);
    const security = (method: string, path: string) => doc.paths[path]![method as 'get']!.security;
    // Public: no guard, and the handler reads no token.
    for (const [method, path] of [
      ['post', '/v1/users'],
      ['get', '/v1/users/{id}'],
      ['get', '/v1/users/{id}/followers'],
      ['get', '/v1/users/{id}/following'],
      ['get', '/v1/users/{id}/posts'],
      ['get', '/v1/posts/{id}'],
      ['get', '/health/live'],
      ['get', '/health/ready'],
      ['get', '/docs/openapi.json'],
    ] as const) {
      expect(security(method, path), `${method} ${path}`).toEqual([]);
    }
    for (const [method, path] of [
      ['get', '/v1/me'],
      ['get', '/v1/me/timeline'],
      ['post', '/v1/posts'],
      ['delete', '/v1/posts/{id}'],
      ['put', '/v1/me/following/{userId}'],
    ] as const) {
      expect(security(method, path), `${method} ${path}`).toEqual([{ userToken: [] }]);
    }
    expect(security('patch', '/v1/admin/config')).toEqual([{ adminToken: [] }]);
    expect(security('get', '/v1/admin/metrics')).toEqual([{ adminToken: [] }]);
    // A token only when the deployment sets METRICS_TOKEN: none, or that one.
    expect(security('get', '/metrics')).toEqual([{}, { metricsToken: [] }]);
    const schemes = Object.keys((doc.components.securitySchemes ?? {}) as object);
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods) as [string, Operation][]) {
        const what = `${method} ${path}`;
        expect(Array.isArray(op.security), what).toBe(true);
        for (const name of op.security.flatMap(Object.keys)) expect(schemes, what).toContain(name);
        // An operation that may need a token can answer 401; a public one never does.
        expect(op.security.length > 0, what).toBe('401' in op.responses);
      }
    }
  });

  it('bounds every integer: nothing the API counts or numbers can be negative', () => {
    const doc = openApiDocument(API_ROUTES);
    const integers: { at: string; schema: Record<string, unknown> }[] = [];
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      if (schema.type === 'integer' || (Array.isArray(schema.type) && schema.type.includes('integer'))) {
        integers.push({ at, schema });
      }
      for (const [key, value] of Object.entries(schema)) walk(value, `${at}/${key}`);
    };
    walk(doc, '#');
    expect(integers.length).toBeGreaterThan(20);
    for (const { at, schema } of integers) {
      expect(schema.minimum, at).toBeTypeOf('number');
      expect(schema.minimum as number, at).toBeGreaterThanOrEqual(0);
    }
    expect(JSON.stringify(doc)).not.toContain('-9007199254740991');
  });

  it('says what ids are, as the API issues them: positive integers below 2^53, as strings', () => {
    const doc = openApiDocument(API_ROUTES);
    expect(JSON.stringify(doc)).not.toMatch(/64-bit/);
    const profile = { ...CREATED_PROFILE };
    expect(ProfileResponse.safeParse(profile).success).toBe(true);
    for (const id of ['0', '01', '-1', String(2n ** 53n * 10n)]) {
      expect(ProfileResponse.safeParse({ ...profile, id }).success, id).toBe(false);
    }
    expect(ProfileResponse.safeParse({ ...profile, followersCount: -1 }).success).toBe(false);
  });

  it('names where it is served from, relative to the API', () => {
    expect(openApiDocument(API_ROUTES).servers).toEqual([{ url: '/', description: expect.any(String) }]);
  });

  it('response schemas are strict: an unexpected field fails', () => {
    const item = { id: '1', author: { id: '2', handle: 'a' }, body: 'x', createdAt: new Date().toISOString() };
    const page = { items: [item], nextCursor: null, strategy: 'push', source: 'mailbox' };
    expect(TimelineResponse.safeParse(page).success).toBe(true);
    expect(TimelineResponse.safeParse({ ...page, extra: 1 }).success).toBe(false);
    expect(CreatedUserResponse.safeParse({ id: 'x', handle: 'a', displayName: 'a', token: 't' }).success).toBe(false);
    expect(ErrorResponse.safeParse({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'm' }).success).toBe(true);
  });
});
