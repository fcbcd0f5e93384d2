import {
  aggregateBoxes,
  aggregateCategorical,
  aggregateMultiChoice,
  aggregateNumbers,
  aggregateSpans,
  aggregateText,
  AnswerEncoder,
  type Box,
  type CategoricalMethod,
  DEFAULT_METHOD,
  IdEncoder,
  isCategoricalMethod,
  type Span,
} from '../../../core/aggregation/index.ts';
import { resolveSettings } from '../../../core/projects/settings.ts';
import { categoricalControls, type Template } from '../../../core/templates/index.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AppContext } from '../../context.ts';
import { loadOwnedProject } from '../projects/projects.service.ts';
import type { ReleaseHook, SubmitHook } from '../work/index.ts';
import { type AnswerRow, inferenceRepo, type LabelRow, type QualityRow } from './inference.repo.ts';

export interface InferenceOptions {
  /** How often the job looks for dirty projects (ms); 0 = never (tests call runOnce). */
  intervalMs?: number;
  /** A project is recomputed once its first unprocessed answer is at least this old (ms). */
  debounceMs?: number;
  /** Dirty projects taken per tick. */
  projectsPerTick?: number;
  /** Annotations read per page; items written per UPDATE. */
  pageSize?: number;
  writeBatch?: number;
}

export interface ControlLabel {
  value: unknown;
  confidence: number;
}

/** The outcome of inference for one project, before it is written. */
export interface ProjectInference {
  labels: Map<number, Record<string, ControlLabel>>;
  /** Items whose every categorical control reached the target confidence. */
  confident: Set<number>;
  quality: QualityRow[];
  answers: number;
  method: CategoricalMethod;
}

type Answer = { item: number; worker: string; value: unknown };

/** The method a project's `aggregationMethod` setting names ('auto' or unknown → the default). */
export function methodOf(setting: unknown): CategoricalMethod {
  return typeof setting === 'string' && isCategoricalMethod(setting) ? setting : DEFAULT_METHOD;
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/**
 * Truth inference over a project's answers (pure apart from its input): per categorical control
 * the project's method with gold clamped, multi_choice per option, numbers, boxes, spans and text
 * with their own functions. Email and file answers are left to the export's fallback.
 */
export function inferProject(
  template: Template,
  settings: { aggregationMethod?: unknown; dynamicOverlap: { enabled: boolean; targetConfidence: number } },
  answers: readonly AnswerRow[],
  gold: readonly { id: number; gold: Record<string, unknown> | null }[],
): ProjectInference {
  const method = methodOf(settings.aggregationMethod);
  const labels = new Map<number, Record<string, ControlLabel>>();
  const quality: QualityRow[] = [];
  const set = (item: number, control: string, l: ControlLabel) => {
    let rec = labels.get(item);
    if (!rec) labels.set(item, (rec = {}));
    rec[control] = l;
  };
  const goldById = new Map(gold.map((g) => [g.id, g.gold ?? {}]));
  const perControl = (name: string): Answer[] => {
    const out: Answer[] = [];
    for (const a of answers) {
      const v = a.result && Object.hasOwn(a.result, name) ? a.result[name] : undefined;
      if (present(v)) out.push({ item: a.item_id, worker: a.worker_id, value: v });
    }
    return out;
  };
  const categorical = categoricalControls(template);

  for (const c of categorical) {
    const rows = perControl(c.name);
    if (c.multi) {
      const items = new IdEncoder();
      const workers = new IdEncoder();
      const K = c.values.length;
      const idx = new Map(c.values.map((v, i) => [String(v), i]));
      const item = new Int32Array(rows.length);
      const worker = new Int32Array(rows.length);
      const selected = new Uint8Array(rows.length * K);
      let n = 0;
      for (const r of rows) {
        if (!Array.isArray(r.value)) continue;
        item[n] = items.index(String(r.item));
        worker[n] = workers.index(r.worker);
        for (const v of r.value) {
          const k = idx.get(String(v));
          if (k !== undefined) selected[n * K + k] = 1;
        }
        n++;
      }
      for (const [id, g] of goldById) if (Object.hasOwn(g, c.name)) items.index(String(id));
      const goldSelected = new Int8Array(items.size * K).fill(-1);
      for (const [id, g] of goldById) {
        const v = g[c.name];
        if (!Array.isArray(v)) continue;
        const i = items.get(String(id));
        for (let k = 0; k < K; k++) goldSelected[i * K + k] = 0;
        for (const x of v) {
          const k = idx.get(String(x));
          if (k !== undefined) goldSelected[i * K + k] = 1;
        }
      }
      if (n === 0) continue;
      const r = aggregateMultiChoice(
        { nItems: items.size, nWorkers: workers.size, nOptions: K, item: item.subarray(0, n), worker: worker.subarray(0, n), selected: selected.subarray(0, n * K) },
        { method, goldSelected },
      );
      for (let i = 0; i < items.size; i++) {
        if (r.itemAnswers[i] === 0) continue;
        const id = Number(items.id(i));
        const value = c.values.filter((_, k) => r.selected[i * K + k] === 1);
        set(id, c.name, { value, confidence: r.confidence[i]! });
      }
      const counts = new Map<number, number>();
      for (let j = 0; j < n; j++) counts.set(worker[j]!, (counts.get(worker[j]!) ?? 0) + 1);
      for (let w = 0; w < workers.size; w++) quality.push({ worker: workers.id(w), control: c.name, quality: finite(r.workerQuality[w]!), answers: counts.get(w) ?? 0 });
      continue;
    }
    const enc = new AnswerEncoder({ labels: c.values.map(String) });
    const original = new Map<string, unknown>(c.values.map((v) => [String(v), v]));
    for (const r of rows) {
      if (typeof r.value === 'object') continue;
      original.set(String(r.value), original.get(String(r.value)) ?? r.value);
      enc.add(String(r.item), r.worker, String(r.value));
    }
    for (const [id, g] of goldById) {
      const v = g[c.name];
      if (present(v) && typeof v !== 'object') enc.addGold(String(id), String(v));
    }
    if (enc.answerCount === 0) continue;
    const r = aggregateCategorical(enc.answers(), { method, gold: enc.gold() });
    for (let i = 0; i < r.nItems; i++) {
      if (r.itemAnswers[i] === 0 || r.label[i]! < 0) continue;
      const id = Number(enc.items.id(i));
      const l = enc.labels.id(r.label[i]!);
      set(id, c.name, { value: original.get(l) ?? l, confidence: r.confidence[i]! });
    }
    for (let w = 0; w < r.nWorkers; w++) quality.push({ worker: enc.workers.id(w), control: c.name, quality: finite(r.workerQuality[w]!), answers: r.workerAnswers[w]! });
  }

  for (const c of template.controls) {
    if (c.type === 'number') {
      const rows = perControl(c.name).filter((r) => typeof r.value === 'number' && Number.isFinite(r.value));
      if (!rows.length) continue;
      const items = new IdEncoder(rows.map((r) => String(r.item)));
      const workers = new IdEncoder(rows.map((r) => r.worker));
      const g = new Float64Array(items.size).fill(Number.NaN);
      for (const [id, gv] of goldById) {
        const i = items.get(String(id));
        if (i >= 0 && typeof gv[c.name] === 'number') g[i] = gv[c.name] as number;
      }
      const r = aggregateNumbers(
        {
          nItems: items.size,
          nWorkers: workers.size,
          item: Int32Array.from(rows, (x) => items.get(String(x.item))),
          worker: Int32Array.from(rows, (x) => workers.get(x.worker)),
          value: Float64Array.from(rows, (x) => x.value as number),
        },
        { gold: g },
      );
      for (let i = 0; i < items.size; i++) {
        if (!Number.isFinite(r.value[i]!)) continue;
        set(Number(items.id(i)), c.name, { value: r.value[i], confidence: r.confidence[i]! });
      }
      const counts = countBy(rows.map((x) => x.worker));
      for (let w = 0; w < workers.size; w++) quality.push({ worker: workers.id(w), control: c.name, quality: finite(r.workerQuality[w]!), answers: counts.get(workers.id(w)) ?? 0 });
    } else if (c.type === 'bbox' || c.type === 'span' || c.type === 'text') {
      const byItem = new Map<number, Answer[]>();
      for (const r of perControl(c.name)) {
        let l = byItem.get(r.item);
        if (!l) byItem.set(r.item, (l = []));
        l.push(r);
      }
      for (const [id, rows] of byItem) {
        const last = lastPerWorker(rows);
        if (c.type === 'bbox') {
          const r = aggregateBoxes(last.filter((x) => Array.isArray(x.value)).map((x) => ({ worker: x.worker, boxes: x.value as Box[] })));
          set(id, c.name, { value: r.regions.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height, label: b.label })), confidence: r.confidence });
        } else if (c.type === 'span') {
          const r = aggregateSpans(last.filter((x) => Array.isArray(x.value)).map((x) => ({ worker: x.worker, spans: x.value as Span[] })));
          set(id, c.name, { value: r.regions.map((s) => ({ start: s.start, end: s.end, label: s.label })), confidence: r.confidence });
        } else {
          const r = aggregateText(last.filter((x) => typeof x.value === 'string').map((x) => ({ worker: x.worker, text: x.value as string })));
          if (r.text !== null) set(id, c.name, { value: r.text, confidence: r.confidence });
        }
      }
    }
  }

  const confident = new Set<number>();
  if (categorical.length && settings.dynamicOverlap.enabled) {
    const target = settings.dynamicOverlap.targetConfidence;
    for (const [id, rec] of labels) {
      // every categorical control must have a label (an unanswered control is not confident)
      if (categorical.every((c) => rec[c.name] && rec[c.name]!.confidence >= target)) confident.add(id);
    }
  }
  return { labels, confident, quality, answers: answers.length, method };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function countBy(xs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

/** The last answer of each worker (array order = annotation id order). */
function lastPerWorker(rows: Answer[]): Answer[] {
  const m = new Map<string, Answer>();
  for (const r of rows) {
    m.delete(r.worker);
    m.set(r.worker, r);
  }
  return [...m.values()];
}

/**
 * Keeps every project's stored labels current: a submit hook marks the project dirty (one
 * statement inside the submit transaction), and a background job recomputes dirty projects.
 */
export class InferenceService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly opts: Required<InferenceOptions>;

  constructor(
    private readonly ctx: Pick<AppContext, 'db' | 'log'>,
    opts: InferenceOptions = {},
  ) {
    this.opts = { intervalMs: 2000, debounceMs: 1000, projectsPerTick: 10, pageSize: 5000, writeBatch: 1000, ...opts };
  }

  /** The submit hook: marks the project dirty, nothing more. */
  onSubmit: SubmitHook = async (trx, ctx) => {
    await inferenceRepo.markDirty(trx, ctx.project.id);
  };

  /** A skipped rework rejects its annotation: the standing answers changed. */
  onRelease: ReleaseHook = async (trx, ctx) => {
    if (ctx.rejectedAnnotationId !== null) await inferenceRepo.markDirty(trx, ctx.projectId);
  };

  start(): void {
    if (this.timer || this.opts.intervalMs <= 0) return;
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** Starts a pass now unless one is under way or queued (timer ticks, forced recompute). */
  private tick(debounceMs = this.opts.debounceMs): void {
    if (this.running || !this.timer) return;
    this.running = this.runOnce({ debounceMs })
      .catch((err) => this.ctx.log.warn({ err }, 'inference run failed; retrying next tick'))
      .finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.queue;
  }

  /**
   * One pass of the job: recomputes the due dirty projects; returns those computed. Passes of
   * this process run one after another (a pass called while the timer's runs waits for it).
   */
  runOnce(opts: { debounceMs?: number } = {}): Promise<string[]> {
    const run = this.queue.then(() => this.pass(opts.debounceMs ?? this.opts.debounceMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async pass(debounceMs: number): Promise<string[]> {
    const due = await inferenceRepo.dueProjects(this.ctx.db, debounceMs, this.opts.projectsPerTick);
    const done: string[] = [];
    for (const projectId of due) {
      if (await this.recomputeLocked(projectId)) done.push(projectId);
    }
    return done;
  }

  /**
   * Under a per-project advisory lock on one connection: takes the dirty mark, recomputes and
   * writes. On failure the mark is put back so a later tick retries.
   */
  private async recomputeLocked(projectId: string): Promise<boolean> {
    return this.ctx.db.connection().execute(async (conn) => {
      if (!(await inferenceRepo.tryLock(conn, projectId))) return false;
      try {
        if (!(await inferenceRepo.claim(conn, projectId))) return false;
        try {
          await this.recompute(conn, projectId);
        } catch (err) {
          await inferenceRepo.markDue(conn, projectId).catch(() => undefined);
          throw err;
        }
        return true;
      } finally {
        await inferenceRepo.unlock(conn, projectId);
      }
    });
  }

  /** Reads the project's standing answers (keyset pages), infers, writes labels and quality. */
  async recompute(db: Queryable, projectId: string): Promise<{ items: number; completed: number }> {
    const t0 = Date.now();
    const p = await inferenceRepo.project(db, projectId);
    if (!p) return { items: 0, completed: 0 };
    const settings = resolveSettings(p.settings).settings;
    const answers: AnswerRow[] = [];
    for (let after = 0; ; ) {
      const page = await inferenceRepo.answersPage(db, projectId, after, this.opts.pageSize);
      answers.push(...page);
      if (page.length < this.opts.pageSize) break;
      after = page[page.length - 1]!.id;
    }
    const gold = await inferenceRepo.goldItems(db, projectId);
    const r = inferProject(p.template as Template, settings, answers, gold);
    const rows: LabelRow[] = [];
    for (const [id, label] of r.labels) {
      let min: number | null = null;
      for (const l of Object.values(label)) min = min === null ? l.confidence : Math.min(min, l.confidence);
      rows.push({ id, label, confidence: min, confident: r.confident.has(id) });
    }
    rows.sort((a, b) => a.id - b.id); // lock items in id order
    let completed = 0;
    const dyn = { enabled: settings.dynamicOverlap.enabled, minAnswers: settings.dynamicOverlap.minAnswers };
    for (let i = 0; i < rows.length; i += this.opts.writeBatch) {
      completed += await inferenceRepo.writeLabels(db, projectId, rows.slice(i, i + this.opts.writeBatch), dyn);
    }
    await inferenceRepo.clearUnanswered(db, projectId);
    await inferenceRepo.deleteWorkerQuality(db, projectId);
    for (let i = 0; i < r.quality.length; i += this.opts.writeBatch) {
      await inferenceRepo.insertWorkerQuality(db, projectId, r.quality.slice(i, i + this.opts.writeBatch));
    }
    await inferenceRepo.recordRun(db, projectId, { durationMs: Date.now() - t0, answers: r.answers, items: rows.length, completed, method: r.method });
    return { items: rows.length, completed };
  }

  /** POST /api/projects/:id/inference: queue a recompute now (requesters of the org, operators). */
  async request(user: AuthUser, projectId: string) {
    await loadOwnedProject(this.ctx.db, user, projectId);
    await inferenceRepo.markDue(this.ctx.db, projectId);
    this.tick(0);
    return this.statusOf(projectId);
  }

  async status(user: AuthUser, projectId: string) {
    await loadOwnedProject(this.ctx.db, user, projectId);
    return this.statusOf(projectId);
  }

  private async statusOf(projectId: string) {
    const s = await inferenceRepo.status(this.ctx.db, projectId);
    return {
      pending: s.dirty_since !== null,
      inferredItems: s.inferred_items,
      meanConfidence: s.mean_confidence,
      method: s.method,
      computedAt: s.computed_at ? new Date(s.computed_at).toISOString() : null,
      durationMs: s.duration_ms,
    };
  }

  /** The figures GET /api/projects/:id/stats adds (the caller has checked access). */
  statsExtra = async (projectId: string): Promise<Record<string, unknown>> => {
    const s = await inferenceRepo.status(this.ctx.db, projectId);
    return { inferredItems: s.inferred_items, meanConfidence: s.mean_confidence };
  };
}
