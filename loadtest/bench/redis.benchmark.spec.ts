import { describe, expect, it } from 'vitest';
import { connectionArgs, finalRate, overallRate, zaddArgs } from './redis.benchmark.js';

describe('redis-benchmark arguments', () => {
  it('select the database of the URL, however ioredis reads it, so no key lands in another database', () => {
    expect(connectionArgs('redis://127.0.0.1:6379/7')).toEqual(['-h', '127.0.0.1', '-p', '6379', '--dbnum', '7']);
    expect(connectionArgs('redis://127.0.0.1:6379?db=4')).toContain('4');
    expect(connectionArgs('redis://cache')).toEqual(['-h', 'cache', '-p', '6379', '--dbnum', '0']);
  });

  it('pass the credentials and TLS of the URL', () => {
    expect(connectionArgs('rediss://bench:p%40ss@cache:6380/2')).toEqual([
      ...['-h', 'cache', '-p', '6380', '--dbnum', '2'],
      ...['--user', 'bench', '-a', 'p@ss', '--tls'],
    ]);
  });

  it('write only keys under the scratch prefix', () => {
    const args = zaddArgs('redis://127.0.0.1:6379/3', 'bench-zadd', 5000);
    expect(args.slice(args.indexOf('ZADD'))).toEqual([
      'ZADD',
      'bench-zadd:__rand_int__',
      '__rand_int__',
      'm__rand_int__',
    ]);
    expect(args.slice(args.indexOf('-n'), args.indexOf('-n') + 2)).toEqual(['-n', '5000']);
  });
});

describe('redis-benchmark output', () => {
  const running =
    '\rZADD k:__rand_int__ __rand_int__ m__rand_int__: rps=0.0 (overall: -nan) avg_msec=-nan (overall: -nan)\r' +
    '\rZADD k:__rand_int__ __rand_int__ m__rand_int__: rps=254745.1 (overall: 242388.0) avg_msec=11.645 (overall: 11.645)\r';

  it('reads the running rate for the progress line', () => {
    expect(overallRate(running)).toBe(242388);
    expect(overallRate('\rZADD …: rps=0.0 (overall: -nan) avg_msec=-nan (overall: -nan)\r')).toBeNull();
  });

  it('reads the final rate, and only from the final line', () => {
    expect(finalRate(running)).toBeNull();
    expect(finalRate(`${running}ZADD k:__rand_int__ __rand_int__ m__rand_int__: 331565.00 requests per second\n`)).toBe(
      331565,
    );
  });
});
