import { z } from 'zod';
import type { ValidationCode } from '#libs/contract';
import { ValidationFailedError } from '#libs/errors';

// What a post body may be, in one place: the request DTO validates with `PostBody`, the service checks with
// `checkPostBody`, and the OpenAPI document shows `PostBody`'s metadata. All three come from the constants below.

/** Counted in Unicode code points, which is also how JSON Schema's maxLength counts. */
export const MAX_POST_LENGTH = 280;
/** Something other than whitespace (JavaScript's whitespace, the same as String.prototype.trim removes). */
const NON_SPACE = /\S/;
/** PostgreSQL cannot store U+0000 in text; refuse it rather than fail in the database. */
const NUL = '\u0000';

export function postLength(body: string): number {
  return [...body].length;
}

export interface PostBodyProblem {
  code: ValidationCode;
  message: string;
}

/** The first rule a body breaks; only an over-long body is POST_TOO_LONG. */
export function postBodyProblem(body: string): PostBodyProblem | undefined {
  if (body.includes(NUL)) return { code: 'VALIDATION_FAILED', message: 'must not contain the NUL character (U+0000)' };
  const length = postLength(body);
  if (length > MAX_POST_LENGTH || !NON_SPACE.test(body)) {
    return {
      code: length > MAX_POST_LENGTH ? 'POST_TOO_LONG' : 'VALIDATION_FAILED',
      message: `must be 1 to ${MAX_POST_LENGTH} characters and not only spaces (got ${length})`,
    };
  }
  return undefined;
}

/** The domain's check, for every caller, not only HTTP. */
export function checkPostBody(body: string): void {
  const problem = postBodyProblem(body);
  if (problem) throw new ValidationFailedError(`body ${problem.message}.`, problem.code);
}

/**
 * The request field. The issue carries the problem's stable code (the API's zod pipe answers with it), and the
 * metadata is what JSON Schema can say of the same rules: zod copies `.meta()` into `z.toJSONSchema`'s output.
 */
export const PostBody = z
  .string({ error: 'must be a string' })
  .superRefine((body, ctx) => {
    const problem = postBodyProblem(body);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { code: problem.code } });
  })
  .meta({
    minLength: 1,
    maxLength: MAX_POST_LENGTH,
    pattern: NON_SPACE.source,
    description: 'not only whitespace, no NUL character; over the limit is POST_TOO_LONG',
  });
