import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken, tokenDigest } from './auth.service.js';

describe('token digests', () => {
  it('are the SHA-256 the database stores, in base64 for the cache', () => {
    const token = 'flt_Zm9vYmFyYmF6cXV4LXRva2VuLWZvci10aGUtdGVzdA';
    const sha = createHash('sha256').update(token).digest();
    expect(hashToken(token).equals(sha)).toBe(true);
    expect(tokenDigest(token)).toBe(sha.toString('base64'));
    expect(tokenDigest(`${token}x`)).not.toBe(tokenDigest(token));
  });
});
