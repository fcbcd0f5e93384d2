import type { Template } from '../../../core/templates/types.ts';
import { exportsRepo } from '../exports/exports.repo.ts';
import { annotationSpec, toExportItems } from '../exports/exports.service.ts';
import { pseudonymizer } from '../exports/pseudonym.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { SubmitBatchHook, SubmitContext, SubmitHook } from '../work/index.ts';
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
  return (trx, ctx, earlier) => submitEvents(trx, [ctx], earlier);
}

/**
 * The batch form (several submits of one project in one transaction): the project's events are
 * read once — the only statement when it has no webhooks. Otherwise, as the hook does for one
 * submit: each `annotation.submitted` in order, then `item.completed` for each item the batch
 * completed (once, even if two of its submits filled one item) and `project.completed` at most
 * once (run submit by submit, every submit after the last item's store would see the project
 * done and report it again).
 */
export function webhookSubmitBatchHook(): SubmitBatchHook {
  return (trx, ctxs, earlier) => submitEvents(trx, ctxs, earlier);
}

/**
 * Runs beside the other submit hooks (concurrent): the subscriptions are read with their first
 * statements, then `earlier` — the hooks before this one — is awaited, since the events report
 * what they set (the status review sampling gives an answer).
 */
async function submitEvents(trx: Queryable, ctxs: SubmitContext[], earlier?: Promise<unknown>): Promise<void> {
  if (!ctxs.length) return;
  const project = ctxs[0]!.project;
  const projectId = project.id;
  const wanted = await webhooksRepo.projectEvents(trx, projectId);
  if (!wanted.size) return;
  await earlier;
  let pseudo: ((id: string) => string) | null = null;
  const worker = async (id: string) => (pseudo ??= pseudonymizer(await exportsRepo.pseudonymKey(trx, projectId)))(id);

  if (wanted.has('annotation.submitted')) {
    for (const ctx of ctxs) {
      const a = ctx.annotation;
      await enqueueEvent(trx, projectId, 'annotation.submitted', async () => ({
        projectId,
        itemId: ctx.item.id,
        annotation: {
          id: a.id,
          worker: await worker(ctx.workerId),
          result: a.result,
          status: a.status,
          isGold: a.isGold,
          durationMs: a.durationMs,
          reworkCount: a.reworkCount,
          createdAt: a.createdAt.toISOString(),
        },
      }));
    }
  }

  if (!(wanted.has('item.completed') || wanted.has('project.completed'))) return;
  const items = [...new Set(ctxs.filter((c) => !c.item.isGold).map((c) => c.item.id))];
  const completed = await webhooksRepo.completedNow(trx, items);
  if (!completed.length) return;
  await enqueueCompletions(trx, { id: projectId, name: project.name, template: project.template as Template }, completed, wanted);
}

/**
 * Items the inference job completed (dynamic overlap: confident enough before overlap): their
 * `item.completed` — with the label just written — and `project.completed` if they were the last,
 * in the transaction that completed them.
 */
export function webhookCompletionListener(): (trx: Queryable, c: { projectId: string; itemIds: number[] }) => Promise<void> {
  return async (trx, c) => {
    const wanted = await webhooksRepo.projectEvents(trx, c.projectId);
    if (!(wanted.has('item.completed') || wanted.has('project.completed'))) return;
    const project = await webhooksRepo.projectBasics(trx, c.projectId);
    if (project) await enqueueCompletions(trx, { id: c.projectId, name: project.name, template: project.template as Template }, c.itemIds, wanted);
  };
}

/** `item.completed` for each item (as the export shows it), then `project.completed` if no ordinary item is open. */
async function enqueueCompletions(trx: Queryable, project: { id: string; name: string; template: Template }, itemIds: number[], wanted: Set<string>) {
  if (wanted.has('item.completed')) {
    const opts = { annotations: false, approvedOnly: false, minConfidence: null };
    const key = await exportsRepo.pseudonymKey(trx, project.id);
    const rows = await exportsRepo.itemsByIds(trx, itemIds, annotationSpec(project.template, opts, key));
    const items = new Map(toExportItems(project.template, rows, opts).map((i) => [Number(i.id), i]));
    for (const id of itemIds) {
      const item = items.get(id);
      await enqueueEvent(trx, project.id, 'item.completed', {
        projectId: project.id,
        item: item ? { id: item.id, data: item.data, labels: item.labels, confidence: item.confidence, completedAt: item.completedAt } : { id },
      });
    }
  }
  if (wanted.has('project.completed')) {
    const { done, items } = await webhooksRepo.projectDone(trx, project.id);
    if (done) await enqueueEvent(trx, project.id, 'project.completed', { projectId: project.id, name: project.name, items, completedAt: new Date().toISOString() });
  }
}
