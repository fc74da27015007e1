import { z } from 'zod';
import type { ValidationCode } from '#libs/contract';
import { ValidationFailedError } from '#libs/errors';

// What a post body may be, in one place: the request DTO validates with `PostBody`, the service checks with
// `checkPostBody`, and the OpenAPI document shows `PostBody`'s metadata. All three come from the constants below.

/** Counted in Unicode code points, which is also how JSON Schema's maxLength counts. */
export const MAX_POST_LENGTH = 280;
/** Something other than whitespace (JavaScript's whitespace, the same as String.prototype.trim removes). */
const NON_SPACE = /\S/;
/**
 * Something a reader can see: not whitespace, a control or format character (ZWSP, bidi marks), a combining mark
 * alone, a default-ignorable code point (the Hangul fillers U+3164 and U+FFA0) or the blank Braille pattern U+2800.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;
/**
 * Control characters other than tab and line breaks: NUL (PostgreSQL cannot store it in text), and ESC, which starts
 * the ANSI sequences that recolour or rewrite a terminal showing the post.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** In a `u` regex a surrogate matches only when it is not half of a pair: a string that is not valid Unicode. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function postLength(body: string): number {
  return [...body].length;
}

export interface PostBodyProblem {
  code: ValidationCode;
  message: string;
}

/** The first rule a body breaks; only an over-long body is POST_TOO_LONG. */
export function postBodyProblem(body: string): PostBodyProblem | undefined {
  if (LONE_SURROGATE.test(body))
    return { code: 'VALIDATION_FAILED', message: 'must be valid Unicode (a lone surrogate)' };
  if (CONTROL.test(body)) {
    return { code: 'VALIDATION_FAILED', message: 'must not contain control characters other than tab and line breaks' };
  }
  const length = postLength(body);
  if (length > MAX_POST_LENGTH || !VISIBLE.test(body)) {
    return {
      code: length > MAX_POST_LENGTH ? 'POST_TOO_LONG' : 'VALIDATION_FAILED',
      message: `must be 1 to ${MAX_POST_LENGTH} characters with at least one visible (got ${length})`,
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
    description:
      'at least one visible character (not only whitespace, invisible or combining characters); valid Unicode; no ' +
      'control characters but tab and line breaks; over the limit is POST_TOO_LONG',
  });
