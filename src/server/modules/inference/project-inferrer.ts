/**
 * Truth inference over one project's answers, in memory and pure (no database): what the
 * inference job runs — in a worker thread (infer-pool.ts), so a big project does not stall the
 * server — and what tests call directly.
 */
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
import { categoricalControls, type Template } from '../../../core/templates/index.ts';
import type { AnswerRow, QualityRow } from './inference.repo.ts';

/** What the inferrer needs of a project's settings. */
export interface InferrerSettings {
  aggregationMethod?: unknown;
  dynamicOverlap: { enabled: boolean; targetConfidence: number };
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
 * Truth inference over a project's answers: per categorical control the project's method with
 * gold clamped, multi_choice per option, numbers, boxes, spans and text with their own
 * functions. Email and file answers are left to the export's fallback. Answers are fed page by
 * page (`add`) straight into per-control encoders and typed arrays: no page is kept, only the
 * values the engine reads (regions and texts per item for the one-item-at-a-time functions).
 */
export class ProjectInferrer {
  private readonly method: CategoricalMethod;
  private readonly categorical;
  private answers = 0;
  private readonly single = new Map<string, { enc: AnswerEncoder; original: Map<string, unknown> }>();
  private readonly multi = new Map<string, { items: IdEncoder; workers: IdEncoder; idx: Map<string, number>; item: number[]; worker: number[]; /** answers × options, 0/1 */ selected: number[] }>();
  private readonly numbers = new Map<string, { items: IdEncoder; workers: IdEncoder; item: number[]; worker: number[]; value: number[] }>();
  private readonly perItem = new Map<string, Map<number, Answer[]>>();

  constructor(
    private readonly template: Template,
    private readonly settings: InferrerSettings,
  ) {
    this.method = methodOf(settings.aggregationMethod);
    this.categorical = categoricalControls(template);
    for (const c of this.categorical) {
      if (c.multi) this.multi.set(c.name, { items: new IdEncoder(), workers: new IdEncoder(), idx: new Map(c.values.map((v, i) => [String(v), i])), item: [], worker: [], selected: [] });
      else this.single.set(c.name, { enc: new AnswerEncoder({ labels: c.values.map(String) }), original: new Map(c.values.map((v) => [String(v), v])) });
    }
    for (const c of template.controls) {
      if (c.type === 'number') this.numbers.set(c.name, { items: new IdEncoder(), workers: new IdEncoder(), item: [], worker: [], value: [] });
      else if (c.type === 'bbox' || c.type === 'span' || c.type === 'text') this.perItem.set(c.name, new Map());
    }
  }

  /** One answer (call in annotation id order: the last answer of a worker on an item counts). */
  add(a: AnswerRow): void {
    this.answers++;
    const res = a.result;
    if (!res || typeof res !== 'object') return;
    const item = String(a.item_id);
    for (const [name, s] of this.single) {
      const v = res[name];
      if (!present(v) || typeof v === 'object') continue;
      const key = String(v);
      if (!s.original.has(key)) s.original.set(key, v);
      s.enc.add(item, a.worker_id, key);
    }
    for (const [name, m] of this.multi) {
      const v = res[name];
      if (!Array.isArray(v)) continue;
      m.item.push(m.items.index(item));
      m.worker.push(m.workers.index(a.worker_id));
      const base = m.selected.length;
      for (let k = 0; k < m.idx.size; k++) m.selected.push(0);
      for (const x of v) {
        const k = m.idx.get(String(x));
        if (k !== undefined) m.selected[base + k] = 1;
      }
    }
    for (const [name, n] of this.numbers) {
      const v = res[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      n.item.push(n.items.index(item));
      n.worker.push(n.workers.index(a.worker_id));
      n.value.push(v);
    }
    for (const [name, byItem] of this.perItem) {
      const v = res[name];
      if (!present(v)) continue;
      let l = byItem.get(a.item_id);
      if (!l) byItem.set(a.item_id, (l = []));
      l.push({ item: a.item_id, worker: a.worker_id, value: v });
    }
  }

  finish(gold: readonly { id: number; gold: Record<string, unknown> | null }[]): ProjectInference {
    const { method } = this;
    const labels = new Map<number, Record<string, ControlLabel>>();
    const quality: QualityRow[] = [];
    const set = (item: number, control: string, l: ControlLabel) => {
      let rec = labels.get(item);
      if (!rec) labels.set(item, (rec = {}));
      rec[control] = l;
    };
    const goldById = new Map(gold.map((g) => [g.id, g.gold ?? {}]));

    for (const c of this.categorical) {
      const m = this.multi.get(c.name);
      if (m) {
        const K = c.values.length;
        const n = m.item.length;
        if (n === 0) continue;
        for (const [id, g] of goldById) if (Array.isArray(g[c.name])) m.items.index(String(id));
        const goldSelected = new Int8Array(m.items.size * K).fill(-1);
        for (const [id, g] of goldById) {
          const v = g[c.name];
          if (!Array.isArray(v)) continue;
          const i = m.items.get(String(id));
          for (let k = 0; k < K; k++) goldSelected[i * K + k] = 0;
          for (const x of v) {
            const k = m.idx.get(String(x));
            if (k !== undefined) goldSelected[i * K + k] = 1;
          }
        }
        const selected = Uint8Array.from(m.selected);
        const worker = Int32Array.from(m.worker);
        const r = aggregateMultiChoice(
          { nItems: m.items.size, nWorkers: m.workers.size, nOptions: K, item: Int32Array.from(m.item), worker, selected },
          { method, goldSelected },
        );
        for (let i = 0; i < m.items.size; i++) {
          if (r.itemAnswers[i] === 0) continue;
          set(Number(m.items.id(i)), c.name, { value: c.values.filter((_, k) => r.selected[i * K + k] === 1), confidence: r.confidence[i]! });
        }
        const counts = new Int32Array(m.workers.size);
        for (let j = 0; j < n; j++) counts[worker[j]!]!++;
        for (let w = 0; w < m.workers.size; w++) quality.push({ worker: m.workers.id(w), control: c.name, quality: finite(r.workerQuality[w]!), answers: counts[w]! });
        continue;
      }
      const { enc, original } = this.single.get(c.name)!;
      if (enc.answerCount === 0) continue;
      for (const [id, g] of goldById) {
        const v = g[c.name];
        if (present(v) && typeof v !== 'object') enc.addGold(String(id), String(v));
      }
      const r = aggregateCategorical(enc.answers(), { method, gold: enc.gold() });
      for (let i = 0; i < r.nItems; i++) {
        if (r.itemAnswers[i] === 0 || r.label[i]! < 0) continue;
        const l = enc.labels.id(r.label[i]!);
        set(Number(enc.items.id(i)), c.name, { value: original.get(l) ?? l, confidence: r.confidence[i]! });
      }
      for (let w = 0; w < r.nWorkers; w++) quality.push({ worker: enc.workers.id(w), control: c.name, quality: finite(r.workerQuality[w]!), answers: r.workerAnswers[w]! });
    }

    for (const [name, n] of this.numbers) {
      if (!n.item.length) continue;
      const g = new Float64Array(n.items.size).fill(Number.NaN);
      for (const [id, gv] of goldById) {
        const i = n.items.get(String(id));
        if (i >= 0 && typeof gv[name] === 'number') g[i] = gv[name] as number;
      }
      const worker = Int32Array.from(n.worker);
      const r = aggregateNumbers(
        { nItems: n.items.size, nWorkers: n.workers.size, item: Int32Array.from(n.item), worker, value: Float64Array.from(n.value) },
        { gold: g },
      );
      for (let i = 0; i < n.items.size; i++) {
        if (!Number.isFinite(r.value[i]!)) continue;
        set(Number(n.items.id(i)), name, { value: r.value[i], confidence: r.confidence[i]! });
      }
      const counts = new Int32Array(n.workers.size);
      for (const w of worker) counts[w]!++;
      for (let w = 0; w < n.workers.size; w++) quality.push({ worker: n.workers.id(w), control: name, quality: finite(r.workerQuality[w]!), answers: counts[w]! });
    }

    for (const c of this.template.controls) {
      const byItem = this.perItem.get(c.name);
      if (!byItem) continue;
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

    const confident = new Set<number>();
    if (this.categorical.length && this.settings.dynamicOverlap.enabled) {
      const target = this.settings.dynamicOverlap.targetConfidence;
      for (const [id, rec] of labels) {
        // every categorical control must have a label (an unanswered control is not confident)
        if (this.categorical.every((c) => rec[c.name] && rec[c.name]!.confidence >= target)) confident.add(id);
      }
    }
    return { labels, confident, quality, answers: this.answers, method };
  }
}

/** `ProjectInferrer` over answers already in memory (tests, small projects). */
export function inferProject(
  template: Template,
  settings: InferrerSettings,
  answers: readonly AnswerRow[],
  gold: readonly { id: number; gold: Record<string, unknown> | null }[],
): ProjectInference {
  const p = new ProjectInferrer(template, settings);
  for (const a of answers) p.add(a);
  return p.finish(gold);
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
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
