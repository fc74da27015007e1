import { z } from 'zod';
import { STRATEGIES } from '#libs/config';
import { DEFAULT_LIMIT, MAX_LIMIT } from '#libs/paging';
import { ValidationFailedError } from '#libs/errors';
import { PostBody } from '#libs/posts';

// PostgreSQL cannot store U+0000 in text; refuse it here rather than fail in the database.
const noNul = (value: string) => !value.includes('\u0000');
const NO_NUL = 'must not contain the NUL character (U+0000)';

export const CreateUserDto = z.strictObject({
  handle: z.string().regex(/^[a-z0-9_]{1,30}$/, 'must be 1 to 30 of a-z, 0-9 and "_"'),
  displayName: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .refine(noNul, NO_NUL)
    .optional(),
});

export const CreatePostDto = z.strictObject({ body: PostBody });

export const PageQueryDto = z.strictObject({
  // Decimal digits only: a number coerced the JavaScript way would take 0x10, 1e2 or " 5 " as well.
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, `must be a whole number from 1 to ${MAX_LIMIT}`)
    .transform(Number)
    .pipe(z.number().min(1, `must be 1 to ${MAX_LIMIT}`).max(MAX_LIMIT, `must be 1 to ${MAX_LIMIT}`))
    .default(DEFAULT_LIMIT),
  cursor: z.string().min(1).optional(),
});
export type PageQuery = z.infer<typeof PageQueryDto>;

export const TimelineQueryDto = PageQueryDto.extend({
  strategy: z.enum(STRATEGIES, { error: 'must be push, pull or hybrid' }).optional(),
});

export const MetricsQueryDto = z.strictObject({
  raw: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
});

export const PatchFlagsDto = z
  .strictObject({
    strategy: z.enum(STRATEGIES, { error: 'must be push, pull or hybrid' }),
    celebrityThreshold: z.number().int().min(1).max(1_000_000_000),
    mailboxSize: z.number().int().min(10).max(100_000),
    fanoutBatchSize: z.number().int().min(10).max(100_000),
  })
  .partial()
  .refine(
    (patch) => Object.keys(patch).length > 0,
    'send at least one of strategy, celebrityThreshold, mailboxSize, fanoutBatchSize',
  )
  // What the refine checks, said in JSON Schema for the OpenAPI document.
  .meta({ minProperties: 1 });

/**
 * The Idempotency-Key header of a post (the IETF draft's name): 1 to 100 printable ASCII characters, a UUID say.
 * Absent means no key.
 */
export function parseIdempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!/^[\x21-\x7e]{1,100}$/.test(header)) {
    throw new ValidationFailedError('Idempotency-Key: must be 1 to 100 printable ASCII characters without spaces.');
  }
  return header;
}
