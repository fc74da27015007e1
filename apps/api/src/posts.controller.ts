import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { parseId } from '#libs/paging';
import { PostsService } from '#libs/posts';
import { CreatePostDto } from './api.dto.js';
import { ZodPipe } from './zod.pipe.js';

@Controller('v1/posts')
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Post()
  @HttpCode(201)
  @UseGuards(UserGuard)
  create(@CurrentUserId() me: string, @Body(new ZodPipe(CreatePostDto)) body: { body: string }) {
    return this.posts.create(me, body.body);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.posts.get(parseId(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(UserGuard)
  async delete(@CurrentUserId() me: string, @Param('id') id: string): Promise<void> {
    await this.posts.delete(me, parseId(id));
  }
}
