import { READ, READ_KEYS } from '#libs/contract';
import { DONE, FollowSyncHandler } from '#libs/fanout';
import type { FollowPayload } from '#libs/jobs';
import { RedisService } from '#libs/redis';
import { FINISH_BUILD, SET_FOLLOWEES } from '../../libs/mailbox/mailbox.scripts.js';
import type { Profile } from './race.history.js';
import type { Services } from './services.harness.js';

/** A deliberate bug planted in the running product; `plant` returns what takes it out again. */
export interface Mutant {
  name: string;
  /** Whether the bug can show when every job runs alone, or only when jobs interleave. */
  shows: 'sequentially' | 'only under a race';
  /** The race family (property) whose histories meet it. */
  family: Profile;
  plant(services: Services): () => void;
}

interface ScriptEdit {
  command: string;
  lua: string;
  numberOfKeys: number;
  from: string;
  to: string;
}

/**
 * Redefines mailbox scripts under the product's own command names (ioredis gives every later call and pipeline the new
 * script), so the product's code runs the broken copy unchanged. Throws when an edit no longer applies: the mutant
 * would silently be the product itself.
 */
function scriptEdits(...edits: ScriptEdit[]) {
  return (services: Services) => {
    const client = services.get(RedisService).client;
    for (const { command, lua, numberOfKeys, from, to } of edits) {
      if (!lua.includes(from)) throw new Error(`${command} no longer contains ${from}: the mutant would not apply`);
      client.defineCommand(command, { lua: lua.replace(from, to), numberOfKeys });
    }
    return () => {
      for (const { command, lua, numberOfKeys } of edits) client.defineCommand(command, { lua, numberOfKeys });
    };
  };
}

/** FollowSyncHandler's private parts that the mutant reuses. */
interface FollowSyncInternals {
  sync(payload: FollowPayload): Promise<unknown>;
  follows: { state(follower: string, followee: string): Promise<{ following: boolean; followeePullMode: boolean }> };
  mailbox: { retractAuthor(owner: string, author: string): Promise<void> };
  backfill(follower: string, followee: string, pullMode: boolean): Promise<void>;
}

/** How READ ends: the page's members, the recent part added, all filtered by the following set. */
const READ_TAIL = `for _, m in ipairs(redis.call('LRANGE', mb, sorted, -1)) do page[#page + 1] = m end
local followees, versions = redis.call('SMEMBERS', pf), {}
if ARGV[7] == '1' then versions = redis.call('HMGET', KEYS[6], ARGV[4], unpack(followees)) end
return {st[3] or '0', edge, followedOnly(fw, ARGV[4], page), followees, versions, n, left}`;

export const MUTANTS: Mutant[] = [
  {
    // A delivery that lands after the unfollow's retraction (its batch read the followers before the unfollow) stays
    // in the mailbox, and settles into its sorted part: only the read's filter keeps it out of the page.
    name: 'the read does not filter by the following set',
    shows: 'only under a race',
    family: 'delivery',
    plant: scriptEdits({
      command: 'mailboxRead',
      lua: READ,
      numberOfKeys: READ_KEYS,
      from: 'followedOnly(fw, ARGV[4], page)',
      to: 'page',
    }),
  },
  {
    // The same, for the sorted part alone: the way reads were when settles dropped such deliveries.
    name: 'the read filters only the recent deliveries, not the sorted part',
    shows: 'only under a race',
    family: 'delivery',
    plant: scriptEdits({
      command: 'mailboxRead',
      lua: READ,
      numberOfKeys: READ_KEYS,
      from: READ_TAIL,
      to: READ_TAIL.replace(
        "redis.call('LRANGE', mb, sorted, -1)",
        "followedOnly(fw, ARGV[4], redis.call('LRANGE', mb, sorted, -1))",
      ).replace('followedOnly(fw, ARGV[4], page)', 'page'),
    }),
  },
  {
    // A follow or unfollow during a rebuild leaves the following set it wrote stale: the rebuild must start over.
    name: 'a rebuild does not start over when a follow or unfollow marked it dirty',
    shows: 'only under a race',
    family: 'rebuild',
    plant: scriptEdits(
      {
        command: 'mailboxSetFollowees',
        lua: SET_FOLLOWEES,
        numberOfKeys: 4,
        from: "if st[1] ~= ARGV[1] or st[2] == '1' then return 0 end",
        to: 'if st[1] ~= ARGV[1] then return 0 end',
      },
      {
        command: 'mailboxFinishBuild',
        lua: FINISH_BUILD,
        numberOfKeys: 3,
        from: "if st[1] ~= ARGV[1] or st[2] == '1' or not st[3] then return 0 end",
        to: 'if st[1] ~= ARGV[1] or not st[3] then return 0 end',
      },
    ),
  },
  {
    // Follow and unfollow events of one pair run in any order; each applies what PostgreSQL says, and must check again
    // afterwards (a sync that read "following" may write after the unfollow's sync retracted).
    name: 'a follow sync applies the state it read once, without checking again',
    shows: 'only under a race',
    family: 'delivery',
    plant: (services) => {
      const handler = services.get(FollowSyncHandler) as unknown as FollowSyncInternals;
      const original = handler.sync;
      handler.sync = async function (this: FollowSyncInternals, { followerId, followeeId }) {
        const state = await this.follows.state(followerId, followeeId);
        if (state.following) await this.backfill(followerId, followeeId, state.followeePullMode);
        else await this.mailbox.retractAuthor(followerId, followeeId);
        return DONE;
      };
      return () => {
        handler.sync = original;
      };
    },
  },
  {
    // Reads filter by the following set a rebuild writes: an empty one hides every followee's posts.
    name: 'a rebuild writes an empty following set',
    shows: 'sequentially',
    family: 'rebuild',
    plant: scriptEdits({
      command: 'mailboxSetFollowees',
      lua: SET_FOLLOWEES,
      numberOfKeys: 4,
      from: 'for i = 3, 2 + n, 1000 do',
      to: 'for i = 3, 2, 1000 do',
    }),
  },
];
