import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../test/helpers/db.ts';
import type { Db } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

describe('migrations', () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.close());

  it('are recorded and a second run applies nothing', async () => {
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.db);
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(await migrateToLatest(db.db)).toEqual([]);
  });

  it('a failing statement inside a transaction leaves nothing behind', async () => {
    // The migrator runs pending migrations in one transaction; prove the database honours that.
    await expect(
      db.db.transaction().execute(async (trx) => {
        await sql`create table half_applied (id int)`.execute(trx);
        await sql`select * from no_such_table`.execute(trx);
      }),
    ).rejects.toThrow();
    const t = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'half_applied'`.execute(db.db);
    expect(t.rows[0].n).toBe(0);
  });

  it('returns int8 as JavaScript numbers', async () => {
    const r = await sql<{ n: number }>`select 9007199254740991::int8 as n`.execute(db.db);
    expect(r.rows[0].n).toBe(Number.MAX_SAFE_INTEGER);
  });
});
