import { z } from 'zod';
import { STRATEGIES } from './timeline.strategies.js';
import { ERROR_CODE_NAMES } from './error.codes.js';

// What the API answers, as zod schemas, each with its inferred type under the same name. They are not used to
// serialise (the services' types do that); they describe the responses in the OpenAPI document, the end-to-end tests
// parse real responses with them, strictly, so the document cannot drift from what the API sends, and the API client
// (api.client.ts) is typed with them.

// Ids are PostgreSQL bigints, but the ones the API issues stay below 2^53 (post ids are time-ordered 53-bit values,
// user ids count up from 1): exact as a JavaScript number and as a Redis sorted-set score. Sent as strings anyway.
const id = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/)
  .describe('a positive integer id below 2^53 (a JavaScript safe integer), as a decimal string');
/** Counts and queue depths. */
const count = z.number().int().min(0);
const timestamp = z.iso.datetime();
const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
  });

export const ErrorResponse = z.strictObject({
  statusCode: z.number().int().min(400).max(599).describe('the HTTP status, repeated'),
  code: z.enum(ERROR_CODE_NAMES).describe("stable; each operation's error answers say what its codes mean"),
  message: z.string().describe('for people: what was wrong and, for a 400, which field'),
});

export const CreatedUserResponse = z.strictObject({
  id,
  handle: z.string(),
  displayName: z.string(),
  token: z.string().describe('the bearer token; shown once, stored only as a hash'),
});

export const ProfileResponse = z.strictObject({
  id,
  handle: z.string(),
  displayName: z.string(),
  followersCount: count,
  followingCount: count,
  postsCount: count.describe('posts not deleted'),
  celebrity: z.boolean().describe('has at least celebrityThreshold followers (merged at read time under hybrid)'),
  createdAt: timestamp,
});

export const UserPageResponse = pageOf(
  z.strictObject({ id, handle: z.string(), displayName: z.string(), followedAt: timestamp }),
);

export const PostResponse = z.strictObject({
  id,
  author: z.strictObject({ id, handle: z.string() }),
  body: z.string(),
  createdAt: timestamp,
});

export const PostPageResponse = pageOf(PostResponse);

export const TimelineResponse = pageOf(PostResponse).extend({
  strategy: z.enum(STRATEGIES),
  source: z.enum(['mailbox', 'database']).describe('where the page came from'),
});

export const FlagsResponse = z.strictObject({
  strategy: z.enum(STRATEGIES),
  celebrityThreshold: z.number().int().min(1),
  mailboxSize: z.number().int().min(1),
  fanoutBatchSize: z.number().int().min(1),
  mailboxEpoch: count.describe('bumped when mailboxes stop being trusted (they missed posts made under pull)'),
  version: count.describe('bumped by every change; processes reload the flags when it moves'),
  pullModeAuthors: count.describe('authors whose posts are merged at read time'),
});

const deliveryCounts = {
  accepted: count,
  delivered: count,
  pending: count,
  failed: count,
};

export const FanoutStatusResponse = z.strictObject({
  ...deliveryCounts,
  ok: z.boolean(),
  idle: z.boolean().describe('nothing pending and no job queued: mailboxes reflect every accepted change'),
  byType: z.record(z.string(), z.strictObject(deliveryCounts)).describe('the same counts by event type'),
  queue: z.record(z.string(), count).describe('BullMQ jobs by state'),
});

export const RebuildResponse = z.strictObject({ accepted: z.literal(true), requestedAt: timestamp });

export const LiveResponse = z.strictObject({ status: z.literal('ok') });

export const ReadyResponse = z.strictObject({ status: z.literal('ok'), postgres: z.string(), redis: z.string() });

export type ErrorResponse = z.infer<typeof ErrorResponse>;
export type CreatedUserResponse = z.infer<typeof CreatedUserResponse>;
export type ProfileResponse = z.infer<typeof ProfileResponse>;
export type UserPageResponse = z.infer<typeof UserPageResponse>;
export type PostResponse = z.infer<typeof PostResponse>;
export type PostPageResponse = z.infer<typeof PostPageResponse>;
export type TimelineResponse = z.infer<typeof TimelineResponse>;
export type FlagsResponse = z.infer<typeof FlagsResponse>;
export type FanoutStatusResponse = z.infer<typeof FanoutStatusResponse>;
export type RebuildResponse = z.infer<typeof RebuildResponse>;
export type LiveResponse = z.infer<typeof LiveResponse>;
export type ReadyResponse = z.infer<typeof ReadyResponse>;
