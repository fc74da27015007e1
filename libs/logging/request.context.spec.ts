import { describe, expect, it } from 'vitest';
import { RequestContext, requestIdFrom } from './request.context.js';

describe('requestIdFrom', () => {
  it('takes a short, plain X-Request-Id as it is', () => {
    for (const id of ['abc', 'trace-0001.a', 'svc:7f/3+x=@', 'x'.repeat(128)]) expect(requestIdFrom(id)).toBe(id);
  });

  it('makes a new UUID for none, a list, or anything that could bend a log line', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const header of [undefined, '', ['a', 'b'], 'x'.repeat(129), 'a b', '{"x":1}', 'line\nbreak', 'é']) {
      expect(requestIdFrom(header)).toMatch(uuid);
    }
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});

describe('RequestContext', () => {
  it('follows the work across awaits, and is absent outside it', async () => {
    expect(RequestContext.requestId()).toBeUndefined();
    const seen = await RequestContext.run('r-1', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return RequestContext.requestId();
    });
    expect(seen).toBe('r-1');
    expect(RequestContext.run(undefined, () => RequestContext.requestId())).toBeUndefined();
  });
});
