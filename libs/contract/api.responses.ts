import { z } from 'zod';
import { STRATEGIES } from './timeline.strategies.js';
import { ERROR_CODE_NAMES } from './error.codes.js';

// What the API answers, as zod schemas, each with its inferred type under the same name. They are not used to
// serialise (the services' types do that); they describe the responses in the OpenAPI document, the end-to-end tests
// parse real responses with them, strictly, so the document cannot drift from what the API sends, and the API client
// (api.client.ts) is typed with them.

const id = z.string().regex(/^\d+$/).describe('a 64-bit id, as a string');
const timestamp = z.iso.datetime();
const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
  });

export const ErrorResponse = z.strictObject({
  statusCode: z.number().int(),
  code: z.enum(ERROR_CODE_NAMES).describe("stable; each operation's error answers say what its codes mean"),
  message: z.string(),
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
  followersCount: z.number().int(),
  followingCount: z.number().int(),
  postsCount: z.number().int(),
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
  celebrityThreshold: z.number().int(),
  mailboxSize: z.number().int(),
  fanoutBatchSize: z.number().int(),
  mailboxEpoch: z.number().int(),
  version: z.number().int(),
  pullModeAuthors: z.number().int().describe('authors whose posts are merged at read time'),
});

const deliveryCounts = {
  accepted: z.number().int(),
  delivered: z.number().int(),
  pending: z.number().int(),
  failed: z.number().int(),
};

export const FanoutStatusResponse = z.strictObject({
  ...deliveryCounts,
  ok: z.boolean(),
  idle: z.boolean().describe('nothing pending and no job queued: mailboxes reflect every accepted change'),
  byType: z.record(z.string(), z.strictObject(deliveryCounts)),
  queue: z.record(z.string(), z.number().int()),
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
