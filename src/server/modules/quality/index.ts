/**
 * Quality control: gold accuracy and the gold gate, qualification tests, worker levels, abuse
 * flags and agreement figures. Plugs into work distribution through its hooks (see CONTEXT.md).
 */
import { DEFAULT_QUALITY_RULES, type QualityRules, resolveQualityRules } from '../../../core/quality/index.ts';
import type { App, AppContext } from '../../context.ts';
import type { WorkService } from '../work/index.ts';
import { qualityRoutes } from './quality.routes.ts';
import { QualityService } from './quality.service.ts';

export { QualityService, type RemovalListener } from './quality.service.ts';
export { payApproved, refundRejected, payReview, releaseReview, reserveForReview } from './money.ts';

/**
 * The platform's quality rules: the defaults, overridden by the JSON in DURE_QUALITY_RULES
 * (read once at start; a bad value stops the start with every problem listed).
 */
export function qualityRulesFromEnv(env: NodeJS.ProcessEnv = process.env): QualityRules {
  const raw = env.DURE_QUALITY_RULES;
  if (!raw) return DEFAULT_QUALITY_RULES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('DURE_QUALITY_RULES must be JSON (an object of overrides of the quality rules)');
  }
  return resolveQualityRules(parsed as Parameters<typeof resolveQualityRules>[0]);
}

export function installQuality(app: App, ctx: AppContext, work: WorkService, opts: { rules?: QualityRules } = {}): QualityService {
  const quality = new QualityService(ctx, opts.rules ?? qualityRulesFromEnv(), work);
  work.registerClaimGuard(quality.claimGuard, quality.claimBatchGuard);
  // Concurrent: counts and gold grades come from the contexts as the work module set them.
  work.registerSubmitHook(quality.onSubmit, quality.onSubmitBatch, { concurrent: true });
  qualityRoutes(app, quality);
  // where workers claim work from (for "several accounts from one address"), after the reply
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'POST' || reply.statusCode !== 200 || !req.auth) return;
    if (req.routeOptions.url !== '/api/work/projects/:id/next') return;
    quality.noteAddress((req.params as { id: string }).id, req.auth.user.id, req.ip);
  });
  app.addHook('preClose', async () => quality.drain());
  app.decorate('qualityService', quality);
  return quality;
}

declare module 'fastify' {
  interface FastifyInstance {
    qualityService: QualityService;
  }
}
