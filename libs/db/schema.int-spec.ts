import { readFile } from 'node:fs/promises';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: string;
  type: string;
  isRequired: boolean;
  isList: boolean;
  isId: boolean;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  dbName?: string | null;
  fields: { name: string; sortOrder?: 'asc' | 'desc' }[];
}

// What each Prisma scalar (with its native type) becomes in PostgreSQL's information_schema.
function expectedType(field: DmmfField): string {
  const native = field.nativeType?.[0];
  if (native === 'VarChar') return `character varying(${field.nativeType![1][0]})`;
  if (native === 'Timestamptz') return 'timestamp with time zone';
  const byScalar: Record<string, string> = {
    BigInt: 'bigint',
    Int: 'integer',
    String: 'text',
    Boolean: 'boolean',
    DateTime: 'timestamp without time zone',
    Json: 'jsonb',
    Bytes: 'bytea',
  };
  return byScalar[field.type]!;
}

describe('the migrated database', () => {
  let db: pg.Client;
  let models: DmmfModel[];
  let indexes: DmmfIndex[];

  beforeAll(async () => {
    db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    const schema = await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
    const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: schema }))).datamodel;
    models = dmmf.models;
    indexes = dmmf.indexes;
  });
  afterAll(() => db.end());

  it('has exactly the tables of schema.prisma (and the migrations ledger)', async () => {
    const { rows } = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    const expected = [...models.map((m) => m.dbName ?? m.name), '_prisma_migrations'].sort();
    expect(rows.map((r) => r.table_name).sort()).toEqual(expected);
  });

  it('has every column with the type and nullability schema.prisma declares, and no other', async () => {
    for (const model of models) {
      const table = model.dbName ?? model.name;
      const { rows } = await db.query(
        `SELECT column_name, is_nullable, data_type, character_maximum_length FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      );
      const actual = Object.fromEntries(
        rows.map((r) => [
          r.column_name,
          {
            type: r.character_maximum_length ? `${r.data_type}(${r.character_maximum_length})` : r.data_type,
            nullable: r.is_nullable === 'YES',
          },
        ]),
      );
      const scalars = model.fields.filter((f) => f.kind === 'scalar');
      const expected = Object.fromEntries(
        scalars.map((f) => [f.dbName ?? f.name, { type: expectedType(f), nullable: !f.isRequired }]),
      );
      expect(actual, table).toEqual(expected);
    }
  });

  it('has the primary keys, unique constraints and indexes of schema.prisma', async () => {
    const { rows } = await db.query(
      `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
              array_agg(a.attname || CASE WHEN ix.indoption[k.n - 1] & 1 = 1 THEN ' desc' ELSE '' END ORDER BY k.n) AS columns,
              pg_get_expr(ix.indpred, ix.indrelid) AS predicate
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace ns ON ns.oid = t.relnamespace
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       WHERE ns.nspname = 'public' AND t.relname <> '_prisma_migrations'
       GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary, ix.indpred, ix.indrelid`,
    );
    const describe = (r: { table: string; primary: boolean; unique: boolean; columns: string[] }) =>
      `${r.table} ${r.primary ? 'id' : r.unique ? 'unique' : 'normal'} (${r.columns.join(', ')})`;
    const actual = rows
      .filter((r) => r.predicate === null)
      .map(describe)
      .sort();
    // Partial indexes, which schema.prisma cannot express, come from migration SQL alone and are listed here.
    expect(
      rows.filter((r) => r.predicate !== null).map((r) => `${r.name}: ${describe(r)} WHERE ${r.predicate}`),
    ).toEqual(['posts_live_author_id_id_idx: posts normal (author_id, id) WHERE (deleted_at IS NULL)']);
    const column = (model: DmmfModel, name: string) => {
      const field = model.fields.find((f) => f.name === name)!;
      return field.dbName ?? field.name;
    };
    const expected = indexes
      .map((index) => {
        const model = models.find((m) => m.name === index.model)!;
        const columns = index.fields.map((f) => column(model, f.name) + (f.sortOrder === 'desc' ? ' desc' : ''));
        return `${model.dbName ?? model.name} ${index.type} (${columns.join(', ')})`;
      })
      .sort();
    expect(actual).toEqual(expected);
  });

  it('records the applied migrations the way prisma migrate does', async () => {
    const { rows } = await db.query(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
    }
  });
});

describe('post ids', () => {
  it('are time-ordered, at most 2^53, and exact as Redis sorted-set scores', async () => {
    const db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    const { rows } = await db.query<{ id: string }>('SELECT next_post_id()::text AS id FROM generate_series(1, 2000)');
    await db.end();
    const ids = rows.map((r) => BigInt(r.id));
    // Ordered by their millisecond (the high bits); within one, the low 12 bits are a sequence modulo 4,096 that wraps
    // every 4,096 ids, so an id after the wrap in the same millisecond is lower (2,000 ids in a few milliseconds meet
    // it about half the time: this test asserted strict order and failed so). Unique all the same.
    for (let i = 1; i < ids.length; i++) expect(ids[i]! >> 12n >= ids[i - 1]! >> 12n).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id <= 2n ** 53n)).toBe(true);

    const redis = new Redis(inject('redisUrl'));
    const key = `${inject('redisPrefix')}:ids`;
    await redis.zadd(key, ...ids.slice(-50).flatMap((id) => [id.toString(), id.toString()]));
    const scored = await redis.zrange(key, '0', '-1', 'WITHSCORES');
    await redis.del(key);
    redis.disconnect();
    for (let i = 0; i < scored.length; i += 2) expect(BigInt(Number(scored[i + 1])).toString()).toBe(scored[i]);
  });
});
