import type { Kysely, Transaction } from 'kysely';
import type { FoundationTables } from './tables/foundation.ts';
import type { LedgerTables } from './tables/ledger.ts';
import type { ProjectTables } from './tables/projects.ts';
import type { QualityTables } from './tables/quality.ts';
import type { WebhookTables } from './tables/webhooks.ts';
import type { WorkTables } from './tables/work.ts';

/**
 * The whole database as Kysely sees it: each domain declares its tables in tables/<domain>.ts
 * and they are joined here.
 */
export interface Database extends FoundationTables, ProjectTables, LedgerTables, WorkTables, WebhookTables, QualityTables {}

/** What a repository takes: the database or an open transaction. */
export type Queryable = Kysely<Database> | Transaction<Database>;
