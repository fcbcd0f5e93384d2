import type { Template } from '../../../core/templates/types.ts';
import { exportsRepo } from '../exports/exports.repo.ts';
import { annotationSpec, toExportItems } from '../exports/exports.service.ts';
import { pseudonymizer } from '../exports/pseudonym.ts';
import type { SubmitHook } from '../work/index.ts';
import { enqueueEvent } from './enqueue.ts';
import { webhooksRepo } from './webhooks.repo.ts';

/**
 * Runs inside every submit transaction: writes `annotation.submitted`, `item.completed` (the
 * item completed in this very transaction) and `project.completed` (it was the last open item)
 * deliveries to the outbox. Costs one indexed read when the project has no webhooks.
 * Register it after the other submit hooks, so it sees the annotation's final status and any
 * completion they decided.
 */
export function webhookSubmitHook(): SubmitHook {
  return async (trx, ctx) => {
    const projectId = ctx.project.id;
    const wanted = await webhooksRepo.projectEvents(trx, projectId);
    if (!wanted.size) return;
    let pseudo: ((id: string) => string) | null = null;
    const worker = async (id: string) => (pseudo ??= pseudonymizer(await exportsRepo.pseudonymKey(trx, projectId)))(id);

    if (wanted.has('annotation.submitted')) {
      const a = ctx.annotation;
      const status = (await webhooksRepo.annotationStatus(trx, a.id)) ?? a.status;
      await enqueueEvent(trx, projectId, 'annotation.submitted', async () => ({
        projectId,
        itemId: ctx.item.id,
        annotation: {
          id: a.id,
          worker: await worker(ctx.workerId),
          result: a.result,
          status,
          isGold: a.isGold,
          durationMs: a.durationMs,
          reworkCount: a.reworkCount,
          createdAt: a.createdAt.toISOString(),
        },
      }));
    }

    if (ctx.item.isGold || !(wanted.has('item.completed') || wanted.has('project.completed'))) return;
    if (!(await webhooksRepo.completedNow(trx, ctx.item.id))) return;
    if (wanted.has('item.completed')) {
      await enqueueEvent(trx, projectId, 'item.completed', async () => {
        const template = ctx.project.template as Template;
        const opts = { annotations: false, approvedOnly: false, minConfidence: null };
        const key = await exportsRepo.pseudonymKey(trx, projectId);
        const rows = await exportsRepo.itemsByIds(trx, [ctx.item.id], annotationSpec(template, opts, key));
        const [item] = toExportItems(template, rows, opts);
        return {
          projectId,
          item: item ? { id: item.id, data: item.data, labels: item.labels, confidence: item.confidence, completedAt: item.completedAt } : { id: ctx.item.id },
        };
      });
    }
    if (wanted.has('project.completed')) {
      const { done, items } = await webhooksRepo.projectDone(trx, projectId);
      if (done) await enqueueEvent(trx, projectId, 'project.completed', { projectId, name: ctx.project.name, items, completedAt: new Date().toISOString() });
    }
  };
}
