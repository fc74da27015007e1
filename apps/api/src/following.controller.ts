import { Controller, Delete, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { parseId } from '#libs/paging';
import { FollowsService } from '#libs/social';
import { ApiDoc } from './api-doc.decorators.js';

/** Follows are always the caller's own: the follower is the token's user, never a parameter. */
@Controller('v1/me/following')
@UseGuards(UserGuard)
export class FollowingController {
  constructor(private readonly follows: FollowsService) {}

  @Put(':userId')
  @HttpCode(204)
  @ApiDoc({
    tag: 'following',
    summary: 'Follow a user (idempotent); their recent posts are backfilled into your timeline',
    returns: null,
    errors: ['SELF_FOLLOW', 'NOT_FOUND'],
  })
  async follow(@CurrentUserId() me: string, @Param('userId') userId: string): Promise<void> {
    await this.follows.follow(me, parseId(userId, 'userId'));
  }

  @Delete(':userId')
  @HttpCode(204)
  @ApiDoc({
    tag: 'following',
    summary: 'Unfollow a user (idempotent); their posts leave your timeline',
    returns: null,
    errors: ['SELF_FOLLOW', 'NOT_FOUND'],
  })
  async unfollow(@CurrentUserId() me: string, @Param('userId') userId: string): Promise<void> {
    await this.follows.unfollow(me, parseId(userId, 'userId'));
  }
}
