import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.ts';

export const pingDb = (db: Queryable) => sql`select 1`.execute(db);
