import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationFailedError } from '#libs/errors';
import { checkPostBody, MAX_POST_LENGTH, PostBody, postBodyProblem } from './post.rules.js';

describe('post body rules', () => {
  it('count code points: 280 emoji pass, 281 characters are POST_TOO_LONG', () => {
    expect(postBodyProblem('🙂'.repeat(MAX_POST_LENGTH))).toBeUndefined();
    expect(postBodyProblem('x'.repeat(MAX_POST_LENGTH + 1))?.code).toBe('POST_TOO_LONG');
  });

  it('refuse empty, blank and NUL bodies as VALIDATION_FAILED, NUL first', () => {
    for (const body of ['', ' \t\n\u00a0', 'a\u0000b', '\u0000'.repeat(MAX_POST_LENGTH + 1)]) {
      expect(postBodyProblem(body)?.code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
    }
  });

  it('refuse bodies nobody can see: invisible, filler, blank Braille and combining marks alone', () => {
    const invisible = [
      '\u200b',
      '\u200b\u200c\u200d\u2060\ufeff',
      '\u3164',
      '\uffa0 \u3164',
      '\u2800\u2800',
      '\u0301'.repeat(280),
    ];
    for (const body of invisible) expect(postBodyProblem(body)?.code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
    // One visible character among them is enough; so are marks on a base letter, emoji and other scripts.
    for (const body of ['\u200bhi', 'e\u0301', '🙂', '한국어', '\u2801', 'a\tb\r\nc']) {
      expect(postBodyProblem(body), JSON.stringify(body)).toBeUndefined();
    }
  });

  it('refuse control characters (ANSI escapes) and lone surrogates, keep tab and line breaks', () => {
    for (const body of [
      '\u001b[31mred\u001b[0m',
      'bell\u0007',
      'c1\u0085',
      'half \ud83d',
      '\ude42 half',
      'x\udc00\ud800',
    ]) {
      expect(postBodyProblem(body)?.code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
    }
    expect(postBodyProblem('line one\nline two\ttabbed')).toBeUndefined();
  });

  it('throw the domain error with the same code', () => {
    expect(() => checkPostBody('x'.repeat(MAX_POST_LENGTH + 1))).toThrow(
      expect.objectContaining({ code: 'POST_TOO_LONG', status: 400 }),
    );
    expect(() => checkPostBody('  ')).toThrow(ValidationFailedError);
  });

  it('give the request field the same rules, and JSON Schema what it can express of them', () => {
    const issue = PostBody.safeParse('x'.repeat(MAX_POST_LENGTH + 1)).error?.issues[0];
    expect(issue).toMatchObject({ code: 'custom', params: { code: 'POST_TOO_LONG' } });
    expect(PostBody.safeParse(7).success).toBe(false);
    expect(z.toJSONSchema(PostBody, { io: 'input' })).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: MAX_POST_LENGTH,
      pattern: '\\S',
    });
  });
});
