import 'reflect-metadata';
import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AdminGuard } from '#libs/auth';
import { ApiDoc, ValidBody, ValidQuery } from './api-doc.decorators.js';
import { controllerRoutes } from './openapi.routes.js';
import { ZodPipe } from './zod.pipe.js';

const Body = z.strictObject({ name: z.string() });
const Query = z.strictObject({ page: z.string().optional() });

@Controller('v1/things')
@UseGuards(AdminGuard)
class ThingsController {
  @Post(':id')
  @ApiDoc({
    tag: 't',
    summary: 'make',
    description: 'makes',
    returns: Body,
    example: { name: 'n' },
    errors: ['CONFLICT'],
  })
  make(@ValidBody(Body) body: unknown) {
    return body;
  }

  @Get()
  @HttpCode(202)
  @ApiDoc({ tag: 't', summary: 'list', description: 'lists', returns: null })
  list(@ValidQuery(Query) query: unknown) {
    return query;
  }
}

@Controller('bare')
class UndocumentedController {
  @Get()
  bare() {}
}

describe('routes read from a controller', () => {
  it("take path, method, status and auth from Nest's metadata, and schemas from the parameters", () => {
    const [make, list] = controllerRoutes(ThingsController);
    expect(make).toEqual({
      tag: 't',
      summary: 'make',
      description: 'makes',
      example: { name: 'n' },
      errors: ['CONFLICT'],
      body: Body,
      method: 'post',
      path: '/v1/things/{id}',
      auth: 'admin',
      ok: [201, Body],
    });
    expect(list).toMatchObject({ method: 'get', path: '/v1/things', query: Query, ok: [202, null] });
  });

  it('validate with the same schema they document', () => {
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, ThingsController, 'make') as Record<
      string,
      { pipes: unknown[] }
    >;
    const [pipe] = Object.values(args)[0]!.pipes as ZodPipe<typeof Body>[];
    expect(pipe).toBeInstanceOf(ZodPipe);
    expect(() => pipe!.transform({ name: 1 })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('refuse a handler without @ApiDoc', () => {
    expect(() => controllerRoutes(UndocumentedController)).toThrow('UndocumentedController.bare');
  });
});
