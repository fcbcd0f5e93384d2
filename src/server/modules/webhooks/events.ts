/** Events a webhook can subscribe to, and what `data` each carries. */
export const WEBHOOK_EVENTS = ['annotation.submitted', 'item.completed', 'project.completed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Sent only by `POST …/webhooks/:wid/test`, to that webhook, whatever it subscribed to. */
export const TEST_EVENT = 'webhook.test';

export const EVENT_DOCS: Record<WebhookEvent | typeof TEST_EVENT, string> = {
  'annotation.submitted':
    'A worker submitted an answer (new work or rework). data: `{projectId, itemId, annotation: {id, worker, result, status, isGold, durationMs, createdAt}}` (worker: the same pseudonym as in exports).',
  'item.completed':
    'An item received its last wanted answer. data: `{projectId, item: {id, data, labels, confidence, completedAt}}` — the item as a jsonl export line without raw annotations.',
  'project.completed':
    "The project's last open item (gold items aside) completed. data: `{projectId, name, items, completedAt}`. Sent again if items added later complete too.",
  'webhook.test': 'A test delivery. data: `{projectId, webhookId, message}`.',
};
