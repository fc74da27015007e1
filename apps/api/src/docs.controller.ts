import { Controller, Get, Header } from '@nestjs/common';
import { renderDocsPage } from './docs.page.js';
import { openApiDocument } from './openapi.document.js';

@Controller('docs')
export class DocsController {
  private readonly document = openApiDocument();
  private readonly page = renderDocsPage(this.document);

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  html() {
    return this.page;
  }

  @Get('openapi.json')
  json() {
    return this.document;
  }
}
