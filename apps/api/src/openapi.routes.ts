import { RequestMethod, type Type } from '@nestjs/common';
import { GUARDS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import type { z } from 'zod';
import { AdminGuard, UserGuard } from '#libs/auth';
import { handlerDoc, type ApiDocOptions, type HandlerDoc } from './api-doc.decorators.js';

// Every route the API serves, as the OpenAPI document and the end-to-end tests see it: read from the controllers'
// metadata, and from the descriptors of the routes registered on Fastify directly.

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Auth = 'none' | 'user' | 'admin';

export interface RouteDoc extends Omit<HandlerDoc, 'returns'> {
  method: HttpMethod;
  /** OpenAPI style: `/v1/users/{id}`. */
  path: string;
  auth: Auth;
  /** Success status and its body (null: no body). */
  ok: [number, z.ZodType | null];
}

/** A route registered on Fastify directly: what Nest's metadata would say of a handler, and its ApiDoc. */
export interface DirectRoute {
  method: Uppercase<HttpMethod>;
  url: string;
  auth: Auth;
  query?: z.ZodType;
  doc: ApiDocOptions;
}

export function controllerRoutes(controller: Type): RouteDoc[] {
  const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
  const proto = controller.prototype as Record<string, object>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => typeof proto[name] === 'function' && Reflect.hasMetadata(METHOD_METADATA, proto[name]!))
    .map((name) => {
      const handler = proto[name]!;
      const doc = handlerDoc(handler);
      if (!doc) throw new Error(`${controller.name}.${name} serves a route without @ApiDoc`);
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const { returns, ...rest } = doc;
      return {
        ...rest,
        method: method.toLowerCase() as HttpMethod,
        path: openApiPath(base, Reflect.getMetadata(PATH_METADATA, handler) as string),
        auth: authOf([...guardsOf(controller), ...guardsOf(handler)]),
        // Nest answers 201 to a POST and 200 to the rest unless @HttpCode says otherwise.
        ok: [(Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number) ?? (method === 'POST' ? 201 : 200), returns],
      };
    });
}

export function directRouteDoc(route: DirectRoute): RouteDoc {
  const { returns, ...rest } = route.doc;
  return {
    ...rest,
    method: route.method.toLowerCase() as HttpMethod,
    path: openApiPath(route.url),
    auth: route.auth,
    ...(route.query && { query: route.query }),
    // Fastify answers 200 unless the handler says otherwise.
    ok: [200, returns],
  };
}

/** `v1/users`, `:id/posts` → `/v1/users/{id}/posts`. */
function openApiPath(...parts: string[]): string {
  const path = parts.flatMap((part) => part.split('/')).filter(Boolean);
  return '/' + path.map((segment) => segment.replace(/^:(\w+)$/, '{$1}')).join('/');
}

function guardsOf(target: object): unknown[] {
  return (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];
}

function authOf(guards: unknown[]): Auth {
  if (guards.includes(AdminGuard)) return 'admin';
  return guards.includes(UserGuard) ? 'user' : 'none';
}
