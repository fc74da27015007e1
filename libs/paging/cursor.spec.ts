import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationFailedError } from '#libs/errors';
import { decodeCursor, encodeCursor, pageOf, parseId } from './cursor.js';

describe('cursors', () => {
  it('round-trip any keyset values', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), { minLength: 1, maxLength: 3 }), (values) => {
        const strings = values.map(String);
        expect(decodeCursor(encodeCursor(strings), strings.length)).toEqual(strings);
      }),
    );
  });

  it('reject tampered or foreign cursors with INVALID_CURSOR', () => {
    for (const bad of ['', 'not a cursor', encodeCursor(['1', '2']), Buffer.from('x.y').toString('base64url')]) {
      expect(() => decodeCursor(bad, 1)).toThrow(ValidationFailedError);
    }
  });
});

describe('parseId', () => {
  it('accepts positive 64-bit integers only', () => {
    expect(parseId('42')).toBe('42');
    for (const bad of ['0', '-1', '01', '1.5', 'abc', '9223372036854775808', '']) {
      expect(() => parseId(bad)).toThrow(ValidationFailedError);
    }
  });
});

describe('pageOf', () => {
  it('gives a cursor only for a full page', () => {
    expect(pageOf([1, 2, 3], 3, String)).toEqual({ items: [1, 2, 3], nextCursor: '3' });
    expect(pageOf([1, 2], 3, String)).toEqual({ items: [1, 2], nextCursor: null });
  });
});
