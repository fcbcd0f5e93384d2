import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from './foundation.ts';

export interface WebhooksTable {
  id: Generated<string>;
  project_id: string;
  url: string;
  events: ColumnType<string[], string[], string[]>;
  secret: string;
  description: Generated<string>;
  created_by: string;
  created_at: Generated<Date>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  webhook_id: string;
  project_id: string;
  event_id: string;
  event: string;
  body: string;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_attempt_at: Timestamp | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  created_at: Generated<Date>;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: Generated<Date>;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface ProjectPseudonymKeysTable {
  project_id: string;
  key: string;
  created_at: Generated<Date>;
}

export interface WebhookTables {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  project_pseudonym_keys: ProjectPseudonymKeysTable;
}
