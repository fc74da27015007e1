import { Controller, Get, Inject } from '@nestjs/common';
import { z } from 'zod';
import { ApiDoc } from './api-doc.decorators.js';
import type { OpenApiDocument } from './openapi.document.js';
import { EXAMPLES } from './openapi.examples.js';

/** Provided by ApiModule, which builds it from the controllers (this one included). */
export const OPENAPI_DOCUMENT = Symbol('OpenApiDocument');

/** The document for tools; the page at /docs itself is Swagger UI, registered on Fastify by docs.ui.ts. */
@Controller('docs')
export class DocsController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenApiDocument) {}

  @Get('openapi.json')
  @ApiDoc({
    tag: 'docs',
    summary: 'This reference, as OpenAPI 3.1',
    description:
      'Public. The document the interactive reference at /docs shows, for code generators and API tools. It is ' +
      'built from the schemas that validate requests and the ones real answers are tested against.',
    returns: z.object({ openapi: z.string() }).loose(),
    example: EXAMPLES.openApi,
  })
  json() {
    return this.document;
  }
}
