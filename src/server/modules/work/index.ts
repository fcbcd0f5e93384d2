/**
 * Work distribution: the feed, claims (leases), submits, skips, rework, the lease sweeper.
 * Other modules plug in through the WorkService hooks (see CONTEXT.md and work.hooks.ts).
 */
import type { App, AppContext } from '../../context.ts';
import { workRoutes } from './work.routes.ts';
import { type WorkOptions, WorkService } from './work.service.ts';

export { createRework, type ReworkCreated } from './rework.ts';
export {
  NoWork,
  type ClaimBatchGuard,
  type ClaimGuard,
  type ReleaseContext,
  type ReleaseHook,
  type SubmitBatchHook,
  type SubmitContext,
  type SubmitHook,
  type WorkProject,
} from './work.hooks.ts';
export { WorkService, estimatedEarnings, type EarningsSource } from './work.service.ts';
export { workRepo } from './work.repo.ts';

/** Builds the service, registers the routes, and runs the lease sweeper for the app's lifetime. */
export function installWork(app: App, ctx: AppContext, opts: WorkOptions = {}): WorkService {
  const work = new WorkService(ctx, opts);
  workRoutes(app, work);
  app.decorate('workService', work);
  app.addHook('onReady', async () => work.startSweeper());
  // preClose: before the onClose hooks, one of which closes the database.
  app.addHook('preClose', async () => work.stopSweeper());
  return work;
}

declare module 'fastify' {
  interface FastifyInstance {
    workService: WorkService;
  }
}
