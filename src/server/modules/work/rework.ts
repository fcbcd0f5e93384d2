import { AppError } from '../../../core/app-error.ts';
import type { Queryable } from '../../../db/schema.ts';
import { workRepo } from './work.repo.ts';

export interface ReworkCreated {
  assignmentId: number;
  projectId: string;
  itemId: number;
  workerId: string;
}

/**
 * Sends an annotation back to its author: a 'rework' assignment waiting ('pending') for them,
 * carrying the reviewer's comment; the author's `next` in that project hands it out before new
 * work, with their previous answer. The annotation becomes 'rework'; its answer keeps counting on
 * the item (the slot stays the author's). When the author submits, a new annotation replaces it
 * (the old one becomes 'superseded', rework_count + 1); when the author skips it, it becomes
 * 'rejected' and the slot returns to the pool.
 *
 * Call it inside the review transaction (`trx`). Throws not_found for an unknown annotation and
 * invalid_state when the annotation is already superseded, excluded, or has a rework open.
 */
export async function createRework(trx: Queryable, input: { annotationId: number; comment: string }): Promise<ReworkCreated> {
  const a = await workRepo.lockAnnotation(trx, input.annotationId);
  if (!a) throw new AppError('not_found', 'annotation not found');
  if (a.status === 'superseded' || a.status === 'excluded') {
    throw new AppError('invalid_state', `a ${a.status} annotation cannot be sent back for rework`);
  }
  if (a.status === 'rework' || (await workRepo.openReworkFor(trx, a.id))) {
    throw new AppError('invalid_state', 'this annotation is already waiting for rework');
  }
  const row = await workRepo.insertRework(trx, {
    projectId: a.project_id,
    itemId: a.item_id,
    workerId: a.worker_id,
    annotationId: a.id,
    comment: input.comment,
  });
  await workRepo.setAnnotationStatus(trx, a.id, 'rework');
  return { assignmentId: row.id, projectId: row.project_id, itemId: row.item_id, workerId: row.worker_id };
}
