import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver,
  type QueryResult,
  Transaction,
  type TransactionSettings,
} from 'kysely';
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

/**
 * A connection whose transaction's `BEGIN` is on the wire but not yet answered. The pool's
 * clients run in pg's pipeline mode (a query is written at once, not after the previous one was
 * answered), so the transaction's first statement follows `BEGIN` in the same round trip instead
 * of waiting for it: one round trip less per transaction. The first statement's caller still
 * sees `BEGIN`'s error, if it had one.
 */
class PipelinedConnection implements DatabaseConnection {
  begun: Promise<unknown> | null = null;
  constructor(readonly inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const begun = this.begun;
    if (!begun) return this.inner.executeQuery<R>(query);
    this.begun = null;
    const result = this.inner.executeQuery<R>(query);
    try {
      await begun;
    } catch (e) {
      result.catch(() => {});
      throw e;
    }
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number) {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/**
 * Kysely's PostgreSQL driver with `BEGIN` pipelined into the transaction's first statement
 * (`PipelinedConnection`). Why it is safe: `BEGIN` on a working connection does not fail (a
 * transaction already open is a warning, not an error); a broken connection fails the statement
 * behind it as well; the statement's own error aborts the transaction `BEGIN` opened, as before.
 */
class PipelinedDriver extends PostgresDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    return new PipelinedConnection(await super.acquireConnection());
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (!(connection instanceof PipelinedConnection) || settings.isolationLevel || settings.accessMode) {
      return super.beginTransaction(connection, settings);
    }
    const begun = connection.inner.executeQuery(CompiledQuery.raw('begin'));
    begun.catch(() => {}); // awaited by the next statement; this only keeps an early failure from counting as unhandled
    connection.begun = begun;
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    type Inner = Parameters<PostgresDriver['releaseConnection']>[0];
    return super.releaseConnection((connection instanceof PipelinedConnection ? connection.inner : connection) as Inner);
  }
}

class PipelinedDialect extends PostgresDialect {
  constructor(private readonly config: PostgresDialectConfig) {
    super(config);
  }
  override createDriver(): Driver {
    return new PipelinedDriver(this.config);
  }
}

/**
 * The same transaction with Kysely's per-transaction queue taken off: Kysely runs a
 * transaction's statements one after the other (the next starts when the previous is answered),
 * whatever the caller awaits. On a pipelined PostgreSQL connection, statements issued together
 * should travel together — e.g. the submit hooks that do not depend on each other
 * (work.hooks.ts, `concurrent`). The database still runs them in the order they were issued.
 * On PGlite (one connection behind a mutex) the transaction is returned as it is.
 */
export async function unqueued(trx: Transaction<Database>): Promise<Transaction<Database>> {
  const executor = trx.getExecutor();
  const conn = await executor.provideConnection(async (c) => c);
  if (!(conn instanceof PipelinedConnection)) return trx;
  return new Transaction<Database>({
    config: { dialect: NOT_A_DIALECT },
    dialect: NOT_A_DIALECT,
    driver: NOT_A_DRIVER,
    executor: executor.withConnectionProvider({ provideConnection: (consumer) => consumer(conn) }),
  });
}

/** A Transaction never reaches its dialect or driver (it cannot begin, end or introspect): these say so if it ever did. */
const nowhere = (): never => {
  throw new Error('an unqueued transaction has no driver of its own');
};
const NOT_A_DRIVER: Driver = {
  init: nowhere,
  acquireConnection: nowhere,
  beginTransaction: nowhere,
  commitTransaction: nowhere,
  rollbackTransaction: nowhere,
  releaseConnection: nowhere,
  destroy: nowhere,
};
const NOT_A_DIALECT = {
  createDriver: () => NOT_A_DRIVER,
  createQueryCompiler: nowhere,
  createAdapter: nowhere,
  createIntrospector: nowhere,
};

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
      // pg's pipeline mode: a query is written as soon as it is issued (PipelinedConnection).
      pipeline: true,
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
    const db = new Kysely<Database>({ dialect: new PipelinedDialect({ pool }) });
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
