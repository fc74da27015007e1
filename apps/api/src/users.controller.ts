import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { encodeCursor, parseId } from '#libs/paging';
import { PostsService } from '#libs/posts';
import { UsersService } from '#libs/social';
import { ApiDoc, ValidBody, ValidQuery } from './api-doc.decorators.js';
import { CreateUserDto, PageQueryDto, type PageQuery } from './api.dto.js';
import { CreatedUserResponse, PostPageResponse, ProfileResponse, UserPageResponse } from '#libs/contract';
import { EXAMPLES } from './openapi.examples.js';

/** A follower list's cursor is (followedAt in ms, user id), unlike the post lists' (post id). */
const FOLLOW_CURSOR = { cursor: encodeCursor([Date.parse('2026-11-23T10:52:38.517Z'), '2']) };

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
    description:
      'Open to anyone, no token needed. The answer is the only time the token is shown (only its hash is ' +
      'stored): keep it, and send it as `Authorization: Bearer <token>` on the calls that act as this user. The ' +
      'id is what the other users use to follow this one.',
    returns: CreatedUserResponse,
    example: EXAMPLES.createdUser,
    requestBody: {
      description:
        '`handle`: 1 to 30 of a-z, 0-9 and `_`, unique (a taken one is 409 CONFLICT). `displayName`: optional, ' +
        '1 to 100 characters once trimmed; the handle when absent. Unknown fields are refused.',
      example: { handle: 'alice', displayName: 'Alice' },
    },
    errors: ['CONFLICT'],
  })
  create(@ValidBody(CreateUserDto) body: { handle: string; displayName?: string }) {
    return this.users.create(body.handle, body.displayName);
  }

  @Get('me')
  @UseGuards(UserGuard)
  @ApiDoc({
    tag: 'users',
    summary: 'Your profile',
    description: "The profile of the token's user, with its follower, following and post counts.",
    returns: ProfileResponse,
    example: EXAMPLES.profile,
  })
  me(@CurrentUserId() userId: string) {
    return this.users.profile(userId);
  }

  @Get('users/:id')
  @ApiDoc({
    tag: 'users',
    summary: "A user's profile",
    description:
      "Public: any user's profile and counts. `celebrity` says whether, under hybrid, their posts are merged " +
      'into timelines at read time instead of being fanned out.',
    returns: ProfileResponse,
    example: EXAMPLES.profile,
    errors: ['NOT_FOUND'],
  })
  profile(@Param('id') id: string) {
    return this.users.profile(parseId(id));
  }

  @Get('users/:id/followers')
  @ApiDoc({
    tag: 'users',
    summary: "A user's followers, newest first",
    description: 'Public. Who follows the user, the latest follow first, one page at a time (see `cursor`).',
    returns: UserPageResponse,
    example: EXAMPLES.userPage,
    paramExamples: FOLLOW_CURSOR,
    errors: ['NOT_FOUND', 'INVALID_CURSOR'],
  })
  followers(@Param('id') id: string, @ValidQuery(PageQueryDto) query: PageQuery) {
    return this.users.followers(parseId(id), query.cursor, query.limit);
  }

  @Get('users/:id/following')
  @ApiDoc({
    tag: 'users',
    summary: 'Who a user follows, newest first',
    description: 'Public. The accounts the user follows, the latest follow first, one page at a time.',
    returns: UserPageResponse,
    example: EXAMPLES.userPage,
    paramExamples: FOLLOW_CURSOR,
    errors: ['NOT_FOUND', 'INVALID_CURSOR'],
  })
  following(@Param('id') id: string, @ValidQuery(PageQueryDto) query: PageQuery) {
    return this.users.following(parseId(id), query.cursor, query.limit);
  }

  @Get('users/:id/posts')
  @ApiDoc({
    tag: 'posts',
    summary: "A user's own posts (author timeline), newest first",
    description:
      'Public. Read from PostgreSQL whatever the strategy; deleted posts are left out. Newest first means largest ' +
      'id first: post ids are time-ordered.',
    returns: PostPageResponse,
    example: EXAMPLES.postPage,
    errors: ['NOT_FOUND', 'INVALID_CURSOR'],
  })
  async authorPosts(@Param('id') id: string, @ValidQuery(PageQueryDto) query: PageQuery) {
    await this.users.requireExists(parseId(id));
    return this.posts.byAuthor(id, query.cursor, query.limit);
  }
}
