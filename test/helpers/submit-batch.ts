/**
 * Test helpers for the batch forms of the submit hooks (quality, review, inference, webhooks);
 * not used by the server. Real submits are made through the API, then their SubmitContexts are
 * rebuilt from the database, so a batch form and the single-form loop can be run on the same
 * inputs, each in a transaction that is rolled back (the same starting state for both).
 */
import { type KyselyPlugin, sql } from 'kysely';
import { expect } from 'vitest';
import { DEFAULT_SETTINGS, type ProjectSettings } from '../../src/core/projects/settings.ts';
import type { Template } from '../../src/core/templates/types.ts';
import type { Client, TestApp } from './app.ts';
import type { SubmitContext, Trx } from '../../src/server/modules/work/work.hooks.ts';

/** Claims the next task of each worker in turn and answers it; returns the annotation ids in that order. */
export async function submitEach(workers: Client[], projectId: string, label = 'pos'): Promise<number[]> {
  const ids: number[] = [];
  for (const w of workers) {
    const a = await w.post(`/api/work/projects/${projectId}/next`);
    expect(a.statusCode, a.body).toBe(200);
    const s = await w.post(`/api/work/assignments/${a.json().assignment.id}/submit`, { result: { label } });
    expect(s.statusCode, s.body).toBe(200);
    ids.push(s.json().annotation.id);
  }
  return ids;
}

/**
 * The SubmitContexts of these annotations (in this order) as the work module builds them;
 * `settings` overrides the project's settings the hooks see.
 */
export async function contextsOf(t: TestApp, annotationIds: number[], settings: Partial<ProjectSettings> = {}): Promise<SubmitContext[]> {
  const rows = await sql<{
    id: number;
    status: SubmitContext['annotation']['status'];
    result: Record<string, unknown>;
    is_gold: boolean;
    gold_correct: boolean | null;
    duration_ms: number;
    rework_count: number;
    created_at: Date;
    worker_id: string;
    item_id: number;
    item_gold: boolean;
    item_state: 'open' | 'complete';
    assignment_id: number;
    kind: 'new' | 'rework';
    previous_annotation_id: number | null;
    project_id: string;
    org_id: string;
    name: string;
    p_status: SubmitContext['project']['status'];
    status_reason: string | null;
    settings: Record<string, unknown>;
    template: unknown;
    tags: string[];
  }>`
    select a.id, a.status, a.result, a.is_gold, a.gold_correct, a.duration_ms, a.rework_count, a.created_at, a.worker_id,
           a.item_id, i.is_gold as item_gold, i.state as item_state, s.id as assignment_id, s.kind, s.previous_annotation_id,
           p.id as project_id, p.org_id, p.name, p.status as p_status, p.status_reason, p.settings, p.template, p.tags
    from annotations a
    join items i on i.id = a.item_id
    join assignments s on s.id = a.assignment_id
    join projects p on p.id = a.project_id
    where a.id = any(${annotationIds}::bigint[])`.execute(t.db.db);
  const byId = new Map(rows.rows.map((r) => [Number(r.id), r]));
  return annotationIds.map((id) => {
    const r = byId.get(id)!;
    return {
      project: {
        id: r.project_id,
        orgId: r.org_id,
        name: r.name,
        status: r.p_status,
        statusReason: r.status_reason,
        settings: { ...DEFAULT_SETTINGS, ...(r.settings as Partial<ProjectSettings>), ...settings },
        template: r.template as Template,
        tags: r.tags,
      },
      workerId: r.worker_id,
      assignment: { id: Number(r.assignment_id), kind: r.kind, previousAnnotationId: r.previous_annotation_id },
      item: { id: Number(r.item_id), isGold: r.item_gold, state: r.item_state },
      annotation: {
        id: Number(r.id),
        status: r.status,
        result: r.result,
        isGold: r.is_gold,
        goldCorrect: r.gold_correct,
        durationMs: r.duration_ms,
        reworkCount: r.rework_count,
        createdAt: new Date(r.created_at),
      },
    };
  });
}

/** Deep copies of contexts (each run mutates its own: e.g. annotation.status). */
export const copyContexts = (ctxs: SubmitContext[]): SubmitContext[] =>
  ctxs.map((c) => ({
    ...c,
    project: { ...c.project, settings: { ...c.project.settings } },
    assignment: { ...c.assignment },
    item: { ...c.item },
    annotation: { ...c.annotation, createdAt: new Date(c.annotation.createdAt) },
  }));

class Rollback extends Error {}

/**
 * Runs `fn` in a transaction that is then rolled back, with a counter of the statements `fn`
 * ran through the transaction it was given. Returns what `fn` returned and that count.
 */
export async function inRolledBack<T>(t: TestApp, fn: (trx: Trx, statements: () => number) => T | Promise<T>): Promise<{ value: T; statements: number }> {
  let out: { value: T; statements: number } | null = null;
  try {
    await t.db.db.transaction().execute(async (trx) => {
      let n = 0;
      const counter: KyselyPlugin = {
        transformQuery: (args) => {
          n++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const counted = trx.withPlugin(counter) as Trx;
      const value = await fn(counted, () => n);
      out = { value, statements: n };
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return out!;
}

/** Runs `body` (statements counted from its start) and returns how many statements it ran. */
export async function statementsOf(statements: () => number, body: () => unknown): Promise<number> {
  const before = statements();
  await body();
  return statements() - before;
}

/** A small seeded generator (mulberry32) with a count of the draws taken. */
export function seeded(seed: number): { random: () => number; draws: () => number } {
  let a = seed >>> 0;
  let n = 0;
  return {
    random: () => {
      n++;
      a = (a + 0x6d2b79f5) >>> 0;
      let x = a;
      x = Math.imul(x ^ (x >>> 15), x | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    },
    draws: () => n,
  };
}
