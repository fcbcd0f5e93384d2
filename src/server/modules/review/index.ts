/**
 * Review: the queue, verdicts with rework, cross-reviews, automatic approval. See CONTEXT.md.
 */
import type { App, AppContext } from '../../context.ts';
import type { QualityService } from '../quality/index.ts';
import type { WorkService } from '../work/index.ts';
import { reviewRoutes } from './review.routes.ts';
import { type ReviewOptions, ReviewService } from './review.service.ts';

export { ReviewService, type ReviewOptions } from './review.service.ts';

export function installReview(app: App, ctx: AppContext, work: WorkService, quality: QualityService, opts: ReviewOptions = {}): ReviewService {
  const review = new ReviewService(ctx, quality, opts);
  // Concurrent: sampling reads the worker's answers (the work module's rows). It sets the status
  // later hooks read; those (webhooks) await their `earlier` before reading it.
  work.registerSubmitHook(review.onSubmit, review.onSubmitBatch, { concurrent: true });
  reviewRoutes(app, review);
  app.addHook('onReady', async () => review.start());
  app.addHook('preClose', async () => review.stop());
  app.decorate('reviewService', review);
  return review;
}

declare module 'fastify' {
  interface FastifyInstance {
    reviewService: ReviewService;
  }
}
