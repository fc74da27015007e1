import { Controller, Delete, Get, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { parseId } from '#libs/paging';
import { MAX_POST_LENGTH, PostsService } from '#libs/posts';
import { ApiDoc, ValidBody } from './api-doc.decorators.js';
import { CreatePostDto, parseIdempotencyKey } from './api.dto.js';
import { PostResponse } from '#libs/contract';

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
    returns: PostResponse,
    errors: ['POST_TOO_LONG'],
  })
  create(
    @CurrentUserId() me: string,
    @ValidBody(CreatePostDto) body: { body: string },
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ) {
    return this.posts.create(me, body.body, parseIdempotencyKey(idempotencyKey));
  }

  @Get(':id')
  @ApiDoc({ tag: 'posts', summary: 'A post', returns: PostResponse, errors: ['NOT_FOUND'] })
  get(@Param('id') id: string) {
    return this.posts.get(parseId(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(UserGuard)
  @ApiDoc({
    tag: 'posts',
    summary: 'Delete your post; it leaves every timeline',
    returns: null,
    errors: ['FORBIDDEN', 'NOT_FOUND'],
  })
  async delete(@CurrentUserId() me: string, @Param('id') id: string): Promise<void> {
    await this.posts.delete(me, parseId(id));
  }
}
