import { sql } from 'kysely';
import type { Insertable, Selectable } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';
import type { Role, UsersTable } from '../../../db/tables/foundation.ts';

export type UserRow = Selectable<UsersTable>;

export const authRepo = {
  findUserByEmail(db: Queryable, email: string) {
    return db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirst();
  },

  findUserById(db: Queryable, id: string) {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  },

  insertUser(db: Queryable, row: Insertable<UsersTable>) {
    return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  },

  insertOrganisation(db: Queryable, name: string) {
    return db.insertInto('organisations').values({ name }).returningAll().executeTakeFirstOrThrow();
  },

  findOrganisation(db: Queryable, id: string) {
    return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  },

  setRole(db: Queryable, id: string, role: Role) {
    return db.updateTable('users').set({ role }).where('id', '=', id).returningAll().executeTakeFirst();
  },

  listUsers(db: Queryable, opts: { limit: number; offset: number; q?: string }) {
    let q = db.selectFrom('users').selectAll().orderBy('created_at', 'desc').limit(opts.limit).offset(opts.offset);
    if (opts.q) q = q.where((eb) => eb.or([eb('email', 'ilike', `%${opts.q}%`), eb('display_name', 'ilike', `%${opts.q}%`)]));
    return q.execute();
  },

  insertSession(db: Queryable, s: { id: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null }) {
    return db
      .insertInto('sessions')
      .values({ id: s.id, user_id: s.userId, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent })
      .execute();
  },

  /** The live sessions with these ids and their users (one row per live session found). */
  findLiveSessions(db: Queryable, ids: string[]) {
    return db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.id as session_id'])
      .where('sessions.id', '=', sql<string>`any(${ids}::text[])`)
      .where('sessions.revoked_at', 'is', null)
      .where('sessions.expires_at', '>', sql<Date>`now()`)
      .execute();
  },

  revokeSession(db: Queryable, id: string) {
    return db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', id).execute();
  },

  revokeAllSessions(db: Queryable, userId: string) {
    return db
      .updateTable('sessions')
      .set({ revoked_at: new Date() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  },

  insertToken(db: Queryable, t: { userId: string; name: string; hash: string; prefix: string; scopes: string[] }) {
    return db
      .insertInto('api_tokens')
      .values({ user_id: t.userId, name: t.name, token_hash: t.hash, prefix: t.prefix, scopes: t.scopes })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  findLiveToken(db: Queryable, hash: string) {
    return db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('users')
      .select(['api_tokens.id as token_id', 'api_tokens.scopes as token_scopes'])
      .where('api_tokens.token_hash', '=', hash)
      .where('api_tokens.revoked_at', 'is', null)
      .executeTakeFirst();
  },

  touchToken(db: Queryable, id: string) {
    return db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
  },

  listTokens(db: Queryable, userId: string) {
    return db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute();
  },

  revokeToken(db: Queryable, userId: string, id: string) {
    return db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
  },
};
