import type { Strategy, TimelineFlags } from '#libs/config';

/** Does a post by an author with this many followers go to their followers' mailboxes? */
export function fansOut(flags: Pick<TimelineFlags, 'strategy' | 'celebrityThreshold'>, followers: number): boolean {
  if (flags.strategy === 'pull') return false;
  if (flags.strategy === 'push') return true;
  return followers < flags.celebrityThreshold;
}

export function isCelebrity(flags: Pick<TimelineFlags, 'celebrityThreshold'>, followers: number): boolean {
  return followers >= flags.celebrityThreshold;
}

/**
 * Mailboxes miss every post made while the strategy is pull (nothing fans out), so entering or leaving pull
 * starts a new mailbox epoch: mailboxes of older epochs are bypassed and rebuilt before they are trusted again.
 */
export function nextEpoch(current: number, from: Strategy, to: Strategy): number {
  return from !== to && (from === 'pull' || to === 'pull') ? current + 1 : current;
}
