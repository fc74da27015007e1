import { Controller, Get, Header, Inject } from '@nestjs/common';
import { z } from 'zod';
import { ApiDoc } from './api-doc.decorators.js';
import { renderDocsPage } from './docs.page.js';
import type { OpenApiDocument } from './openapi.document.js';

/** Provided by ApiModule, which builds it from the controllers (this one included). */
export const OPENAPI_DOCUMENT = Symbol('OpenApiDocument');

@Controller('docs')
export class DocsController {
  private readonly page: string;

  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenApiDocument) {
    this.page = renderDocsPage(document);
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiDoc({ tag: 'docs', summary: 'This reference, as a page', returns: z.string(), contentType: 'text/html' })
  html() {
    return this.page;
  }

  @Get('openapi.json')
  @ApiDoc({
    tag: 'docs',
    summary: 'This reference, as OpenAPI 3.1',
    returns: z.object({ openapi: z.string() }).loose(),
  })
  json() {
    return this.document;
  }
}
