import { describe, expect, it } from 'vitest';
import { baseUrlsOf, roundRobin, type OutRequest, type Transport } from './http.transport.js';

const recording = (name: string, sent: string[]): Transport => ({
  send: (req, done) => {
    sent.push(`${name}${req.path}`);
    done(200);
  },
  close: async () => void sent.push(`${name} closed`),
});

describe('several API processes', () => {
  it('takes a comma-separated list of base URLs, and refuses what is not one', () => {
    expect(baseUrlsOf('http://127.0.0.1:3100')).toEqual(['http://127.0.0.1:3100']);
    expect(baseUrlsOf('http://127.0.0.1:3100, http://127.0.0.1:3101')).toEqual([
      'http://127.0.0.1:3100',
      'http://127.0.0.1:3101',
    ]);
    expect(() => baseUrlsOf('http://127.0.0.1:3100,3101')).toThrow();
    expect(() => baseUrlsOf(',')).toThrow();
  });

  it('sends to each in turn, one request each, and closes them all', async () => {
    const sent: string[] = [];
    const transport = roundRobin([recording('a', sent), recording('b', sent), recording('c', sent)]);
    const req: OutRequest = { method: 'GET', path: '/x', headers: {} };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) transport.send(req, (status) => statuses.push(status));
    await transport.close();
    expect(sent).toEqual(['a/x', 'b/x', 'c/x', 'a/x', 'b/x', 'c/x', 'a/x', 'a closed', 'b closed', 'c closed']);
    expect(statuses).toEqual(Array(7).fill(200));
  });
});
