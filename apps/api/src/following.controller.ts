import { Controller, Delete, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { parseId } from '#libs/paging';
import { FollowsService } from '#libs/social';
import { ApiDoc } from './api-doc.decorators.js';
import { RequestId } from './request.log.js';

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
    description:
      'Following someone already followed changes nothing and is still 204. Their recent posts reach your ' +
      'timeline once the fan-out queue has delivered the follow (at once under pull). Following more accounts than ' +
      'MAX_FOLLOWING allows is 409 FOLLOW_LIMIT.',
    returns: null,
    errors: ['SELF_FOLLOW', 'NOT_FOUND', 'FOLLOW_LIMIT'],
  })
  async follow(@CurrentUserId() me: string, @Param('userId') userId: string, @RequestId() requestId: string) {
    await this.follows.follow(me, parseId(userId, 'userId'), requestId);
  }

  @Delete(':userId')
  @HttpCode(204)
  @ApiDoc({
    tag: 'following',
    summary: 'Unfollow a user (idempotent); their posts leave your timeline',
    description:
      'Unfollowing someone not followed changes nothing and is still 204. Their posts leave your timeline once ' +
      'the fan-out queue has delivered the unfollow (at once under pull).',
    returns: null,
    errors: ['SELF_FOLLOW', 'NOT_FOUND'],
  })
  async unfollow(@CurrentUserId() me: string, @Param('userId') userId: string, @RequestId() requestId: string) {
    await this.follows.unfollow(me, parseId(userId, 'userId'), requestId);
  }
}
