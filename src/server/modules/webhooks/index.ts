/**
 * Webhooks: registration, the outbox (`enqueueEvent`), the submit hook and the dispatcher.
 * See CONTEXT.md.
 */
import type { App, AppContext } from '../../context.ts';
import type { WorkService } from '../work/index.ts';
import { type DispatcherOptions, WebhookDispatcher } from './dispatcher.ts';
import { webhookSubmitBatchHook, webhookSubmitHook } from './submit-hook.ts';
import { webhookRoutes } from './webhooks.routes.ts';
import { WebhooksService } from './webhooks.service.ts';

export { enqueueEvent, signature } from './enqueue.ts';
export { webhookCompletionListener } from './submit-hook.ts';
export { WEBHOOK_EVENTS, type WebhookEvent } from './events.ts';
export { WebhookDispatcher, type DispatcherOptions, DEFAULT_DISPATCHER } from './dispatcher.ts';

/**
 * Routes, the submit hook (call this after the other modules registered theirs) and one
 * dispatcher for the app's lifetime (started when the app is ready, stopped before the
 * database closes).
 */
export function installWebhooks(app: App, ctx: AppContext, work: WorkService | null, opts: Partial<DispatcherOptions> = {}): WebhookDispatcher {
  const dispatcher = new WebhookDispatcher(ctx.db, ctx.log, { allowPrivate: ctx.config.webhookAllowPrivate, ...opts });
  webhookRoutes(app, new WebhooksService(ctx, () => dispatcher.wake()));
  // Concurrent: the subscriptions are read beside the other hooks; the events, which carry the
  // status review sampling sets, are written after the hooks before it are done (submit-hook.ts).
  work?.registerSubmitHook(webhookSubmitHook(), webhookSubmitBatchHook(), { concurrent: true });
  app.decorate('webhookDispatcher', dispatcher);
  app.addHook('onReady', async () => dispatcher.start());
  app.addHook('preClose', async () => dispatcher.stop());
  return dispatcher;
}

declare module 'fastify' {
  interface FastifyInstance {
    webhookDispatcher: WebhookDispatcher;
  }
}
