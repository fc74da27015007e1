import { describe, expect, it } from 'vitest';
import { databaseOf } from './bench.cleanup.js';

describe('databaseOf', () => {
  it("drops the URL's database from the same server's maintenance database", () => {
    expect(databaseOf('postgresql://postgres:pw@db:5433/fanout_lab_bench?sslmode=disable')).toEqual({
      name: 'fanout_lab_bench',
      adminUrl: 'postgresql://postgres:pw@db:5433/postgres?sslmode=disable',
    });
  });

  it('refuses a URL without a database of its own', () => {
    expect(() => databaseOf('postgresql://postgres@127.0.0.1:5432/')).toThrow(/will not drop/);
    expect(() => databaseOf('postgresql://postgres@127.0.0.1:5432/postgres')).toThrow(/will not drop/);
  });
});
