import { Controller, Delete, Get, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { parseId } from '#libs/paging';
import { MAX_POST_LENGTH, PostsService } from '#libs/posts';
import { ApiDoc, ValidBody } from './api-doc.decorators.js';
import { CreatePostDto, parseIdempotencyKey } from './api.dto.js';
import { PostResponse } from '#libs/contract';
import { EXAMPLES } from './openapi.examples.js';
import { RequestId } from './request.log.js';

@Controller('v1/posts')
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Post()
  @HttpCode(201)
  @UseGuards(UserGuard)
  @ApiDoc({
    tag: 'posts',
    summary:
      `Post (1 to ${MAX_POST_LENGTH} Unicode code points); fan-out to followers happens after the answer. ` +
      'A retry with the same Idempotency-Key header gets the post made the first time',
    description:
      'The post is stored with its fan-out event in one transaction, so an accepted post always reaches its ' +
      "followers' timelines: under push and hybrid once the fan-out queue has delivered it (GET " +
      '/v1/admin/fanout shows the backlog), under pull at once.',
    returns: PostResponse,
    example: EXAMPLES.post,
    requestBody: {
      description:
        `\`body\`: 1 to ${MAX_POST_LENGTH} Unicode code points (longer is 400 POST_TOO_LONG), with at least one ` +
        'visible character and no control characters other than tab and line breaks.',
      example: { body: 'hello, world' },
    },
    headers: ['Idempotency-Key'],
    errors: ['POST_TOO_LONG'],
  })
  create(
    @CurrentUserId() me: string,
    @ValidBody(CreatePostDto) body: { body: string },
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @RequestId() requestId: string,
  ) {
    return this.posts.create(me, body.body, parseIdempotencyKey(idempotencyKey), requestId);
  }

  @Get(':id')
  @ApiDoc({
    tag: 'posts',
    summary: 'A post',
    description: 'Public. A deleted post is 404, as is one that never existed.',
    returns: PostResponse,
    example: EXAMPLES.post,
    errors: ['NOT_FOUND'],
  })
  get(@Param('id') id: string) {
    return this.posts.get(parseId(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(UserGuard)
  @ApiDoc({
    tag: 'posts',
    summary: 'Delete your post; it leaves every timeline',
    description:
      "Only the author may delete a post (anyone else's token is 403). Deleting it again is 204; after that, " +
      'the post is 404 to everyone else. It leaves every timeline at once: reads drop deleted posts, and the ' +
      "author's list no longer shows it.",
    returns: null,
    errors: ['FORBIDDEN', 'NOT_FOUND'],
  })
  async delete(@CurrentUserId() me: string, @Param('id') id: string, @RequestId() requestId: string): Promise<void> {
    await this.posts.delete(me, parseId(id), requestId);
  }
}
