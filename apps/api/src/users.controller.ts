import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { parseId } from '#libs/paging';
import { PostsService } from '#libs/posts';
import { UsersService } from '#libs/social';
import { CreateUserDto, PageQueryDto, type PageQuery } from './api.dto.js';
import { ZodPipe } from './zod.pipe.js';

@Controller('v1')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly posts: PostsService,
  ) {}

  @Post('users')
  @HttpCode(201)
  create(@Body(new ZodPipe(CreateUserDto)) body: { handle: string; displayName?: string }) {
    return this.users.create(body.handle, body.displayName);
  }

  @Get('me')
  @UseGuards(UserGuard)
  me(@CurrentUserId() userId: string) {
    return this.users.profile(userId);
  }

  @Get('users/:id')
  profile(@Param('id') id: string) {
    return this.users.profile(parseId(id));
  }

  @Get('users/:id/followers')
  followers(@Param('id') id: string, @Query(new ZodPipe(PageQueryDto)) query: PageQuery) {
    return this.users.followers(parseId(id), query.cursor, query.limit);
  }

  @Get('users/:id/following')
  following(@Param('id') id: string, @Query(new ZodPipe(PageQueryDto)) query: PageQuery) {
    return this.users.following(parseId(id), query.cursor, query.limit);
  }

  @Get('users/:id/posts')
  async authorPosts(@Param('id') id: string, @Query(new ZodPipe(PageQueryDto)) query: PageQuery) {
    await this.users.requireExists(parseId(id));
    return this.posts.byAuthor(id, query.cursor, query.limit);
  }
}
