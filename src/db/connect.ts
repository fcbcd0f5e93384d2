import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { PGliteDialect } from './pglite-dialect.ts';

export type DbKind = 'pglite' | 'postgres';

export interface Db {
  db: Kysely<Database>;
  kind: DbKind;
  close(): Promise<void>;
}

const INT8 = 20;
// int8 (bigserial ids, counts, won amounts) comes back as a JS number. Every value we store in
// int8 stays far below 2^53; the parser refuses one that does not rather than silently rounding.
const parseInt8 = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds JavaScript's safe integer range`);
  return n;
};

/** At most this many prepared statements per connection; statements beyond it run unnamed. */
const PREPARED_PER_CONNECTION = 500;
const DML = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * A pg client that prepares each distinct data statement once per connection (a named statement,
 * the name derived from the text) and from then on only binds and executes it. Planning was a
 * large share of the database's work per request: the hot statements are CTEs that take 1–2 ms
 * to plan against well under 1 ms to run. Statements are immutable per text, so a name always
 * means the same statement; PostgreSQL re-plans a prepared statement by itself when the tables it
 * reads change. Texts built with a varying shape (IN lists of varying length) could be endless:
 * past the cap a connection runs new texts unnamed, as before.
 */
class PreparingClient extends pg.Client {
  private readonly names = new Map<string, string>();

  // pg's query() is overloaded (text, config object, Submittable; promise or callback).
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values) && typeof callback !== 'function' && DML.test(config)) {
      let name = this.names.get(config);
      if (name === undefined && this.names.size < PREPARED_PER_CONNECTION) {
        name = `d${createHash('sha1').update(config).digest('base64url')}`;
        this.names.set(config, name);
      }
      if (name !== undefined) return super.query({ name, text: config, values });
    }
    return super.query(config, values, callback);
  }
}

export interface ConnectOptions {
  databaseUrl: string | null;
  /** PGlite data directory; `null` keeps the embedded database in memory (tests). */
  dataDir: string | null;
  poolSize?: number;
}

export async function connect(opts: ConnectOptions): Promise<Db> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 20,
      Client: PreparingClient,
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client the server drops (restart, failover, a dropped test database) must not
    // crash the process: the pool discards it and opens a new one on the next query.
    pool.on('error', (err) => {
      if ((err as { code?: string }).code !== '57P01') console.error(`database connection lost: ${err.message}`);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (opts.dataDir) fs.mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir: opts.dataDir ?? undefined,
    parsers: { [INT8]: parseInt8 },
    serializers: {},
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
