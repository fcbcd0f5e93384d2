import crypto from 'node:crypto';
import type { Queryable } from '../../../db/schema.ts';
import { webhooksRepo } from './webhooks.repo.ts';

/**
 * Writes one outbox row per webhook of the project that listens to `event`, in the caller's
 * transaction: the deliveries exist if and only if the event's change commits. `data` may be a
 * function, called only when someone listens. Returns the number of deliveries written.
 *
 * Body (the exact bytes sent and signed, the same on every retry):
 * `{"id": <event id, the same for every webhook>, "event", "createdAt", "data"}`.
 */
export async function enqueueEvent(
  trx: Queryable,
  projectId: string,
  event: string,
  data: unknown | (() => unknown | Promise<unknown>),
  onlyWebhook?: string,
): Promise<number> {
  const hooks = onlyWebhook ? [{ id: onlyWebhook }] : await webhooksRepo.subscribers(trx, projectId, event);
  if (!hooks.length) return 0;
  const payload = typeof data === 'function' ? await (data as () => unknown)() : data;
  const eventId = crypto.randomUUID();
  const body = JSON.stringify({ id: eventId, event, createdAt: new Date().toISOString(), data: payload });
  await webhooksRepo.insertDeliveries(
    trx,
    hooks.map((h) => ({ webhook_id: h.id, project_id: projectId, event_id: eventId, event, body })),
  );
  return hooks.length;
}

/** `sha256=<hex HMAC-SHA256 of the raw body with the secret>` — the X-Dure-Signature header. */
export function signature(secret: string, body: string | Buffer): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}
