import { Body, Query, SetMetadata } from '@nestjs/common';
import type { z } from 'zod';
import type { DomainErrorCode } from '#libs/contract';
import { ZodPipe } from './zod.pipe.js';

// The handlers describe themselves: the OpenAPI document is read from these and from Nest's own route metadata (path,
// method, @HttpCode, guards), so it cannot list a route the app does not serve or miss one it does.

/** What a handler's documentation adds to what Nest already knows about it. */
export interface ApiDocOptions {
  tag: string;
  summary: string;
  /** What the reference says under the summary: what the operation does, and what a caller should know. */
  description: string;
  /** The success answer's body; null for none (204). Its status is the handler's @HttpCode or Nest's default. */
  returns: z.ZodType | null;
  /** A success answer `returns` accepts (a unit test parses it), shown in the reference; absent when it has none. */
  example?: unknown;
  /** A @ValidBody handler's body, in words and as an example its schema accepts (a unit test checks it). */
  requestBody?: { description: string; example: unknown };
  /** Request headers the handler reads besides Authorization, described in openapi.params.ts. */
  headers?: readonly string[];
  /** Parameter examples where the shared ones (openapi.params.ts) do not fit this route, e.g. a cursor's shape. */
  paramExamples?: Record<string, string | number>;
  /** For a handler that authenticates by itself rather than with a guard: the requirements it enforces. */
  security?: Record<string, string[]>[];
  /** The success answer's media type when it is not JSON. */
  contentType?: 'text/plain' | 'text/html';
  /** Error codes besides the ones the route's auth and input imply. */
  errors?: readonly DomainErrorCode[];
}

/** A handler's ApiDoc, with the schemas its @ValidBody and @ValidQuery parameters validate with. */
export interface HandlerDoc extends ApiDocOptions {
  body?: z.ZodType;
  query?: z.ZodType;
}

const API_DOC = 'fanout:api-doc';
const BODY = 'fanout:api-doc:body';
const QUERY = 'fanout:api-doc:query';

export const ApiDoc = (doc: ApiDocOptions): MethodDecorator => SetMetadata(API_DOC, doc);

/** `@Body()` validated with the schema (400 on failure), which the document shows as the request body. */
export function ValidBody(schema: z.ZodType): ParameterDecorator {
  return recorded(BODY, schema, Body(new ZodPipe(schema)));
}

/** `@Query()` validated with the schema (400 on failure), whose properties the document lists as parameters. */
export function ValidQuery(schema: z.ZodType): ParameterDecorator {
  return recorded(QUERY, schema, Query(new ZodPipe(schema)));
}

function recorded(key: string, schema: z.ZodType, nest: ParameterDecorator): ParameterDecorator {
  return (target, method, index) => {
    // Kept on the handler function itself, where SetMetadata (and so @ApiDoc) keeps its metadata too.
    Reflect.defineMetadata(key, schema, (target as Record<string | symbol, object>)[method!]!);
    nest(target, method, index);
  };
}

/** undefined: the handler has no @ApiDoc. */
export function handlerDoc(handler: object): HandlerDoc | undefined {
  const doc = Reflect.getMetadata(API_DOC, handler) as ApiDocOptions | undefined;
  if (!doc) return undefined;
  const body = Reflect.getMetadata(BODY, handler) as z.ZodType | undefined;
  const query = Reflect.getMetadata(QUERY, handler) as z.ZodType | undefined;
  return { ...doc, ...(body && { body }), ...(query && { query }) };
}
