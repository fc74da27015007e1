import { describe, expect, it } from 'vitest';
import { CreatePostDto } from './api.dto.js';
import { parseWith } from './zod.pipe.js';

const refusal = (value: unknown) => {
  try {
    parseWith(CreatePostDto, value);
  } catch (error) {
    return error;
  }
  throw new Error('accepted');
};

describe('parseWith', () => {
  it("answers a rule's narrower code when that rule is the only one broken", () => {
    expect(refusal({ body: 'x'.repeat(281) })).toMatchObject({ code: 'POST_TOO_LONG', status: 400 });
  });

  it('answers VALIDATION_FAILED, naming every problem, otherwise', () => {
    const error = refusal({ body: 'x'.repeat(281), more: 1 });
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect((error as Error).message).toMatch(/^body: must be 1 to 280 .*; Unrecognized key: "more"$/);
    expect(refusal({ body: '   ' })).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(refusal({ body: 7 })).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body: must be a string' });
  });
});
