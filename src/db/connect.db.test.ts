import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../test/helpers/db.ts';
import { type Db, unqueued } from './connect.ts';

/**
 * The PostgreSQL driver pipelines a transaction's BEGIN into its first statement (connect.ts,
 * PipelinedConnection). What goes over the wire is recorded from pg's own Connection: a query is
 * "sent" when its Sync (extended protocol) or Query message (simple protocol) is written, and
 * "answered" when its ReadyForQuery arrives.
 */
describe.skipIf(!process.env.DATABASE_URL)('pipelined transactions (PostgreSQL)', () => {
  let db: Db;
  let wire: string[] = [];
  const proto = pg.Connection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals = { sync: proto.sync!, query: proto.query!, emit: proto.emit! };

  beforeAll(async () => {
    db = await createTestDb();
    await sql`create table pipe_probe (id int primary key)`.execute(db.db);
    proto.sync = function (this: unknown, ...a: unknown[]) {
      wire.push('send');
      return originals.sync.apply(this, a);
    };
    proto.query = function (this: unknown, ...a: unknown[]) {
      wire.push('send');
      return originals.query.apply(this, a);
    };
    proto.emit = function (this: unknown, event: unknown, ...a: unknown[]) {
      if (event === 'readyForQuery') wire.push('answer');
      return originals.emit.apply(this, [event, ...a]);
    };
  });
  afterEach(() => {
    wire = [];
  });
  afterAll(async () => {
    Object.assign(proto, originals);
    await db?.close();
  });

  it('sends BEGIN and the first statement before BEGIN is answered', async () => {
    await sql`select id from pipe_probe`.execute(db.db); // a connection is open and idle
    wire = [];
    await db.db.transaction().execute(async (trx) => {
      await sql`insert into pipe_probe (id) values (1)`.execute(trx);
    });
    // BEGIN, INSERT on the wire together; then their two answers; then COMMIT and its answer.
    expect(wire).toEqual(['send', 'send', 'answer', 'answer', 'send', 'answer']);
    const rows = await sql<{ id: number }>`select id from pipe_probe`.execute(db.db);
    expect(rows.rows).toEqual([{ id: 1 }]);
  });

  it('the first statement runs inside the transaction: a rollback undoes it', async () => {
    await expect(
      db.db.transaction().execute(async (trx) => {
        await sql`insert into pipe_probe (id) values (2)`.execute(trx);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const rows = await sql<{ n: number }>`select count(*)::int as n from pipe_probe where id = 2`.execute(db.db);
    expect(rows.rows[0]!.n).toBe(0);
  });

  it("a failing first statement rolls the transaction back and leaves the connection usable", async () => {
    for (let i = 0; i < 3; i++) {
      await expect(
        db.db.transaction().execute(async (trx) => {
          await sql`insert into pipe_probe (id) values (1)`.execute(trx); // duplicate key
        }),
      ).rejects.toThrow(/duplicate key/);
    }
    // Every connection of the pool is back outside any transaction: a plain statement commits.
    await Promise.all(Array.from({ length: 5 }, (_, i) => sql`insert into pipe_probe (id) values (${10 + i})`.execute(db.db)));
    const rows = await sql<{ n: number }>`select count(*)::int as n from pipe_probe where id >= 10`.execute(db.db);
    expect(rows.rows[0]!.n).toBe(5);
  });

  it('a transaction with no statement commits (BEGIN is awaited by COMMIT)', async () => {
    wire = [];
    await db.db.transaction().execute(async () => {});
    expect(wire).toEqual(['send', 'send', 'answer', 'answer']);
  });

  it('unqueued: statements issued together travel together; Kysely alone sends one after the other', async () => {
    const two = (trx: Parameters<typeof unqueued>[0]) =>
      Promise.all([sql`select 1 as one`.execute(trx), sql<{ n: number }>`select count(*)::int as n from pipe_probe`.execute(trx)]);
    wire = [];
    await db.db.transaction().execute(async (trx) => {
      await sql`select 0`.execute(trx); // BEGIN and this one
      wire = [];
      const [a, b] = await two(await unqueued(trx));
      expect(a.rows).toEqual([{ one: 1 }]);
      expect(b.rows[0]!.n).toBeGreaterThan(0);
    });
    expect(wire.slice(0, 4)).toEqual(['send', 'send', 'answer', 'answer']);
    wire = [];
    await db.db.transaction().execute(async (trx) => {
      await sql`select 0`.execute(trx);
      wire = [];
      await two(trx);
    });
    expect(wire.slice(0, 4)).toEqual(['send', 'answer', 'send', 'answer']);
  });

  it('unqueued: a failing statement aborts the transaction; what was issued beside it fails too and nothing is kept', async () => {
    await expect(
      db.db.transaction().execute(async (trx) => {
        const q = await unqueued(trx);
        const out = await Promise.allSettled([
          sql`insert into pipe_probe (id) values (100)`.execute(q),
          sql`insert into pipe_probe (id) values (1)`.execute(q), // duplicate key
          sql`insert into pipe_probe (id) values (101)`.execute(q),
        ]);
        expect(out.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
        expect((out[2] as PromiseRejectedResult).reason.code).toBe('25P02'); // in failed transaction
        throw (out[1] as PromiseRejectedResult).reason;
      }),
    ).rejects.toThrow(/duplicate key/);
    const rows = await sql<{ n: number }>`select count(*)::int as n from pipe_probe where id >= 100`.execute(db.db);
    expect(rows.rows[0]!.n).toBe(0);
  });

  it('isolation levels still run their own START TRANSACTION first', async () => {
    wire = [];
    await db.db
      .transaction()
      .setIsolationLevel('serializable')
      .execute(async (trx) => {
        const r = await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(trx);
        expect(r.rows[0]!.level).toBe('serializable');
      });
    expect(wire).toEqual(['send', 'answer', 'send', 'answer', 'send', 'answer']);
  });
});
