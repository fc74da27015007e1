import 'reflect-metadata';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '#libs/config';
import { CreatedUserResponse, ErrorResponse, TimelineResponse } from '#libs/contract';
import { ApiModule } from './api.module.js';
import { API_ROUTES } from './api.routes.js';
import { renderDocsPage } from './docs.page.js';
import { openApiDocument } from './openapi.document.js';
import { TIMELINE_ROUTE } from './timeline.route.js';

// forRoot only assembles the module description; nothing connects.
const config = { redisUrl: 'redis://127.0.0.1:6379', redisPrefix: 'spec' } as AppConfig;

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

  it('renders a page with every operation, escaped', () => {
    const doc = openApiDocument(API_ROUTES);
    const page = renderDocsPage(doc);
    expect(page).toContain('<code>/v1/me/timeline</code>');
    expect(page.match(/<section>/g)).toHaveLength(API_ROUTES.length);
    const hostile = structuredClone(doc);
    hostile.paths['/v1/posts']!.post!.summary = '<script>alert("x")</script>';
    const escaped = renderDocsPage(hostile);
    expect(escaped).not.toContain('<script>');
    expect(escaped).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
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
