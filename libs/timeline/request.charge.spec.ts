import { describe, expect, it } from 'vitest';
import { RequestCharge } from './request.charge.js';

describe('RequestCharge', () => {
  it('takes a count within the limit, and refuses one over it with the seconds left to wait', () => {
    const charge = new RequestCharge(1000, 2);
    charge.took({ count: 2, msLeft: 300 });
    expect(charge).toMatchObject({ taken: true, count: { count: 2, msLeft: 300 } });
    const over = new RequestCharge(3000, 2);
    expect(() => over.took({ count: 3, msLeft: 2100 })).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfterSeconds: 3 }),
    );
    expect(over.taken).toBe(true);
  });

  it('lets a request go uncounted when there was no count (Redis away)', () => {
    const charge = new RequestCharge(1000, 1);
    expect(() => charge.took(null)).not.toThrow();
    expect(charge).toMatchObject({ taken: true, count: null });
    expect(charge.retryAfterSeconds()).toBe(1);
  });
});
