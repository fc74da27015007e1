import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isoTime, pinoOptions } from './log.options.js';
import { RequestContext } from './request.context.js';

/** A logger with the product's options writing JSON lines into memory. */
function capture(level: 'log' | 'warn' = 'log') {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  const log = pino(pinoOptions({ logLevel: level, logFormat: 'json' }, 'api'), sink);
  return { log, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('pinoOptions', () => {
  it('writes JSON lines with the role, an ISO time and the level filter of LOG_LEVEL', () => {
    const { log, lines } = capture('warn');
    log.info('hidden');
    log.warn('shown');
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ role: 'api', msg: 'shown', level: 40 });
    expect(new Date(lines()[0]!.time as string).toISOString()).toBe(lines()[0]!.time);
  });

  it('adds the request id of the async context, once, and keeps one the line names itself', () => {
    const { log, lines } = capture();
    RequestContext.run('ctx-1', () => log.info('inside'));
    RequestContext.run('ctx-1', () => log.info({ requestId: 'own-2' }, 'named'));
    log.info('outside');
    expect(lines().map((l) => l.requestId)).toEqual(['ctx-1', 'own-2', undefined]);
  });

  it('censors tokens and authorization wherever a line carries them', () => {
    const { log, lines } = capture();
    log.info(
      { token: 'flt_secret1', user: { token: 'flt_secret2' }, authorization: 'Bearer s3', password: 'pw0' },
      'x',
    );
    log.info({ req: { headers: { authorization: 'Bearer s4', cookie: 'c=s5' } }, config: { adminToken: 's6' } }, 'y');
    const text = JSON.stringify(lines());
    for (const secret of ['flt_secret1', 'flt_secret2', 's3', 's4', 's5', 's6', 'pw0'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});

describe('isoTime', () => {
  it('writes what Date#toISOString writes, across seconds and for every millisecond', () => {
    const start = Date.UTC(2026, 11, 31, 23, 59, 58, 0);
    for (let now = start; now < start + 3000; now += 7) {
      expect(isoTime(now)).toBe(`,"time":"${new Date(now).toISOString()}"`);
    }
    expect(isoTime(start + 999)).toBe(`,"time":"${new Date(start + 999).toISOString()}"`);
    expect(isoTime(start)).toBe(`,"time":"${new Date(start).toISOString()}"`);
  });
});
