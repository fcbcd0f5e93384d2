/**
 * Truth inference wiring: stored labels and confidences kept current as answers arrive, dynamic
 * overlap, per-worker quality estimates. See CONTEXT.md.
 */
import type { App, AppContext } from '../../context.ts';
import type { WorkService } from '../work/index.ts';
import { inferenceRoutes } from './inference.routes.ts';
import { type InferenceOptions, InferenceService } from './inference.service.ts';

export { InferenceService, inferProject, methodOf, type InferenceOptions } from './inference.service.ts';

/**
 * Hooks, routes, and the background job for the app's lifetime. The service may be built earlier
 * (app.ts hands its `statsExtra` to the project routes first).
 */
export function installInference(app: App, ctx: AppContext, work: WorkService, opts: InferenceOptions | InferenceService = {}): InferenceService {
  const inference = opts instanceof InferenceService ? opts : new InferenceService(ctx, opts);
  // Concurrent: the dirty mark needs only the project.
  work.registerSubmitHook(inference.onSubmit, inference.onSubmitBatch, { concurrent: true });
  work.registerReleaseHook(inference.onRelease);
  inferenceRoutes(app, inference);
  app.decorate('inferenceService', inference);
  app.addHook('onReady', async () => inference.start());
  // preClose: before the onClose hook that closes the database.
  app.addHook('preClose', async () => inference.stop());
  return inference;
}

declare module 'fastify' {
  interface FastifyInstance {
    inferenceService: InferenceService;
  }
}
