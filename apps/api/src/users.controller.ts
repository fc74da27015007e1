import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { parseId } from '#libs/paging';
import { PostsService } from '#libs/posts';
import { UsersService } from '#libs/social';
import { ApiDoc, ValidBody, ValidQuery } from './api-doc.decorators.js';
import { CreateUserDto, PageQueryDto, type PageQuery } from './api.dto.js';
import { CreatedUserResponse, PostPageResponse, ProfileResponse, UserPageResponse } from '#libs/contract';

@Controller('v1')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly posts: PostsService,
  ) {}

  @Post('users')
  @HttpCode(201)
  @ApiDoc({
    tag: 'users',
    summary: 'Create a user; the answer carries its bearer token, once',
    returns: CreatedUserResponse,
    errors: ['CONFLICT'],
  })
  create(@ValidBody(CreateUserDto) body: { handle: string; displayName?: string }) {
    return this.users.create(body.handle, body.displayName);
  }

  @Get('me')
  @UseGuards(UserGuard)
  @ApiDoc({ tag: 'users', summary: 'Your profile', returns: ProfileResponse })
  me(@CurrentUserId() userId: string) {
    return this.users.profile(userId);
  }

  @Get('users/:id')
  @ApiDoc({ tag: 'users', summary: "A user's profile", returns: ProfileResponse, errors: ['NOT_FOUND'] })
  profile(@Param('id') id: string) {
    return this.users.profile(parseId(id));
  }

  @Get('users/:id/followers')
  @ApiDoc({
    tag: 'users',
    summary: "A user's followers, newest first",
    returns: UserPageResponse,
    errors: ['NOT_FOUND', 'INVALID_CURSOR'],
  })
  followers(@Param('id') id: string, @ValidQuery(PageQueryDto) query: PageQuery) {
    return this.users.followers(parseId(id), query.cursor, query.limit);
  }

  @Get('users/:id/following')
  @ApiDoc({
    tag: 'users',
    summary: 'Who a user follows, newest first',
    returns: UserPageResponse,
    errors: ['NOT_FOUND', 'INVALID_CURSOR'],
  })
  following(@Param('id') id: string, @ValidQuery(PageQueryDto) query: PageQuery) {
    return this.users.following(parseId(id), query.cursor, query.limit);
  }

  @Get('users/:id/posts')
  @ApiDoc({
    tag: 'posts',
    summary: "A user's own posts (author timeline), newest first",
    returns: PostPageResponse,
    errors: ['NOT_FOUND', 'INVALID_CURSOR'],
  })
  async authorPosts(@Param('id') id: string, @ValidQuery(PageQueryDto) query: PageQuery) {
    await this.users.requireExists(parseId(id));
    return this.posts.byAuthor(id, query.cursor, query.limit);
  }
}
