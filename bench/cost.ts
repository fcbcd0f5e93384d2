/**
 * Cost benchmark: how many answers does a project buy to get its items labelled at 95%
 * accuracy? A seeded simulated crowd labels 10,000 items; two strategies are compared:
 *
 *  - fixed overlap + majority vote: every item gets the same number of answers (5 is the
 *    customary setting; 1..9 are printed, to show where 95% is first reached);
 *  - dynamic overlap + the default method: answers arrive in rounds; after each round the
 *    default method (DEFAULT_METHOD) runs on every answer so far and `completeItems` (the
 *    same decision the server's inference job applies) closes every open item that is
 *    confident enough, with at least `minAnswers` and at most `maxAnswers` answers; open items
 *    get one more answer in the next round. As on the server, a completed item never reopens.
 *
 * The crowd: workers with class-dependent confusion matrices of varied skill, plus spammers
 * (uniformly random clickers and workers who always give the same label). Each answer comes
 * from a worker drawn at random (weighted by how active they are) who has not answered the
 * item yet. Prints numbers, asserts nothing.
 *
 *   npx tsx bench/cost.ts [--items 10000] [--workers 300] [--classes 3] [--seed 7]
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { aggregateCategorical, DEFAULT_METHOD } from '../src/core/aggregation/categorical.ts';
import { completeItems, type OverlapPolicy } from '../src/core/aggregation/dynamic-overlap.ts';
import { rng } from '../src/core/aggregation/math.ts';
import type { CategoricalAnswers, CategoricalResult } from '../src/core/aggregation/types.ts';

interface Config {
  items: number;
  workers: number;
  classes: number;
  seed: number;
}

const TARGET_ACCURACY = 0.95;
const FIXED_OVERLAP = 5;
const MAX_ANSWERS = 9;

function parseArgs(argv: string[]): Config {
  const get = (name: string, def: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  return { items: get('items', 10_000), workers: get('workers', 300), classes: get('classes', 3), seed: get('seed', 7) };
}

/** The simulated crowd: the truth, each worker's confusion rows (cumulative) and activity. */
class Crowd {
  readonly truth: Int32Array;
  private readonly cdf: Float64Array;
  private readonly activityCdf: Float64Array;
  private readonly random: () => number;
  readonly kinds = { good: 0, randomClickers: 0, sameLabel: 0 };

  constructor(readonly c: Config) {
    const r = (this.random = rng(c.seed));
    const K = c.classes;
    this.truth = new Int32Array(c.items);
    for (let i = 0; i < c.items; i++) this.truth[i] = r() < 0.5 ? 0 : 1 + Math.floor(r() * (K - 1)); // one common class
    this.cdf = new Float64Array(c.workers * K * K);
    this.activityCdf = new Float64Array(c.workers);
    let act = 0;
    for (let w = 0; w < c.workers; w++) {
      act += this.activityCdf[w] = -Math.log(1 - r()) + 0.05; // a few very active workers, many occasional ones
      this.activityCdf[w] = act;
      const kind = r();
      if (kind < 0.1) this.kinds.randomClickers++;
      else if (kind < 0.2) this.kinds.sameLabel++;
      else this.kinds.good++;
      const skill = 0.7 + 0.25 * r();
      for (let k = 0; k < K; k++) {
        const row = new Float64Array(K);
        if (kind < 0.1) row.fill(1 / K);
        else if (kind < 0.2) row[w % K] = 1;
        else {
          const acc = Math.min(0.98, Math.max(0.6, skill + 0.2 * (r() - 0.5)));
          let s = 0;
          const err = new Float64Array(K);
          for (let l = 0; l < K; l++) if (l !== k) s += err[l] = -Math.log(1 - r());
          for (let l = 0; l < K; l++) row[l] = l === k ? acc : ((1 - acc) * err[l]) / s;
        }
        let cum = 0;
        for (let l = 0; l < K; l++) this.cdf[(w * K + k) * K + l] = cum += row[l];
      }
    }
    for (let w = 0; w < c.workers; w++) this.activityCdf[w] /= act;
  }

  /** A worker (by activity) who is not in `taken`. */
  pickWorker(taken: Set<number>): number {
    for (;;) {
      const u = this.random();
      let lo = 0;
      let hi = this.c.workers - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.activityCdf[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      if (!taken.has(lo)) return lo;
    }
  }

  answer(item: number, w: number): number {
    const K = this.c.classes;
    const off = (w * K + this.truth[item]) * K;
    const u = this.random();
    for (let l = 0; l < K - 1; l++) if (u < this.cdf[off + l]) return l;
    return K - 1;
  }
}

/** Growable answer log. */
class Log {
  item: number[] = [];
  worker: number[] = [];
  label: number[] = [];
  readonly byItem: Set<number>[];
  constructor(
    readonly crowd: Crowd,
    readonly nItems: number,
  ) {
    this.byItem = Array.from({ length: nItems }, () => new Set<number>());
  }
  ask(i: number): void {
    const w = this.crowd.pickWorker(this.byItem[i]);
    this.byItem[i].add(w);
    this.item.push(i);
    this.worker.push(w);
    this.label.push(this.crowd.answer(i, w));
  }
  answers(): CategoricalAnswers {
    return {
      nItems: this.nItems,
      nWorkers: this.crowd.c.workers,
      nLabels: this.crowd.c.classes,
      item: Int32Array.from(this.item),
      worker: Int32Array.from(this.worker),
      label: Int32Array.from(this.label),
    };
  }
  get size(): number {
    return this.item.length;
  }
}

function accuracyOf(label: Int32Array, truth: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (label[i] === truth[i]) ok++;
  return ok / truth.length;
}

/** Fixed overlap: the first k answers of every item (one shared draw of 9 per item), MV. */
function fixedOverlap(crowd: Crowd, n: number): { k: number; answers: number; accuracy: number }[] {
  const full = new Log(crowd, n);
  for (let k = 0; k < MAX_ANSWERS; k++) for (let i = 0; i < n; i++) full.ask(i);
  const rows = [];
  for (let k = 1; k <= MAX_ANSWERS; k++) {
    const m = k * n; // answers were asked round by round, so the first k·n are k per item
    const a: CategoricalAnswers = {
      nItems: n,
      nWorkers: crowd.c.workers,
      nLabels: crowd.c.classes,
      item: Int32Array.from(full.item.slice(0, m)),
      worker: Int32Array.from(full.worker.slice(0, m)),
      label: Int32Array.from(full.label.slice(0, m)),
    };
    rows.push({ k, answers: m, accuracy: accuracyOf(aggregateCategorical(a, { method: 'mv' }).label, crowd.truth) });
  }
  return rows;
}

/** Dynamic overlap with the default method; returns answers used, accuracy, rounds, CPU s. */
function dynamicOverlap(crowd: Crowd, n: number, policy: OverlapPolicy): { answers: number; accuracy: number; rounds: number; cpu: number; atMax: number } {
  const log = new Log(crowd, n);
  const done = new Uint8Array(n);
  const final = new Int32Array(n).fill(-1);
  let rounds = 0;
  let cpu = 0;
  let open = n;
  let atMax = 0;
  let warm: Float64Array | undefined;
  while (open > 0) {
    for (let i = 0; i < n; i++) if (!done[i]) log.ask(i);
    rounds++;
    const c0 = process.cpuUsage();
    const r: CategoricalResult = aggregateCategorical(log.answers(), { warmStart: warm });
    const u = process.cpuUsage(c0);
    cpu += (u.user + u.system) / 1e6;
    warm = r.posterior;
    const complete = completeItems(r, policy);
    open = 0;
    for (let i = 0; i < n; i++) {
      if (!done[i] && complete[i]) {
        done[i] = 1;
        if (r.itemAnswers[i] >= policy.maxAnswers && r.confidence[i] < policy.targetConfidence) atMax++;
      }
      if (!done[i]) open++;
      final[i] = r.label[i];
    }
  }
  return { answers: log.size, accuracy: accuracyOf(final, crowd.truth), rounds, cpu, atMax };
}

function main(): void {
  const c = parseArgs(process.argv.slice(2));
  console.log(
    `cost to 95% accuracy: ${c.items.toLocaleString('en')} items, ${c.classes} classes, ${c.workers} workers, seed ${c.seed}, node ${process.version}`,
  );
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`);
  const crowd = new Crowd(c);
  console.log(
    `crowd: ${crowd.kinds.good} workers with confusion matrices (accuracy 0.6..0.98 per class), ` +
      `${crowd.kinds.randomClickers} random clickers, ${crowd.kinds.sameLabel} always answering one label`,
  );
  console.log('');
  console.log('fixed overlap + majority vote');
  const fixed = fixedOverlap(new Crowd(c), c.items);
  for (const f of fixed) console.log(`  overlap ${f.k}: ${f.answers.toLocaleString('en').padStart(7)} answers, accuracy ${f.accuracy.toFixed(4)}`);
  const fixed5 = fixed[FIXED_OVERLAP - 1];
  const firstFixed = fixed.find((f) => f.accuracy >= TARGET_ACCURACY);
  console.log('');
  console.log(`dynamic overlap + ${DEFAULT_METHOD} (min 2 answers, max ${MAX_ANSWERS}; one round = one more answer on every open item)`);
  const dyn: { target: number; answers: number; accuracy: number }[] = [];
  for (const target of [0.8, 0.9, 0.95, 0.98, 0.99]) {
    const d = dynamicOverlap(new Crowd(c), c.items, { minAnswers: 2, maxAnswers: MAX_ANSWERS, targetConfidence: target });
    dyn.push({ target, ...d });
    console.log(
      `  target confidence ${target.toFixed(2)}: ${d.answers.toLocaleString('en').padStart(7)} answers ` +
        `(${(d.answers / c.items).toFixed(2)} per item), accuracy ${d.accuracy.toFixed(4)}, ${d.rounds} rounds, ` +
        `${d.atMax} items closed unsure at ${MAX_ANSWERS}, inference ${d.cpu.toFixed(1)} CPU s in all`,
    );
  }
  const firstDyn = dyn.find((d) => d.accuracy >= TARGET_ACCURACY);
  console.log('');
  console.log(
    `fixed overlap ${FIXED_OVERLAP} + MV: ${fixed5.answers.toLocaleString('en')} answers, accuracy ${fixed5.accuracy.toFixed(4)}` +
      (firstFixed ? `; MV first reaches ${TARGET_ACCURACY} at overlap ${firstFixed.k} (${firstFixed.answers.toLocaleString('en')} answers)` : `; MV never reaches ${TARGET_ACCURACY} within ${MAX_ANSWERS}`),
  );
  if (firstDyn) {
    const base = firstFixed ?? fixed5;
    console.log(
      `dynamic overlap + ${DEFAULT_METHOD}: ${firstDyn.answers.toLocaleString('en')} answers at target ${firstDyn.target} (accuracy ${firstDyn.accuracy.toFixed(4)}) = ` +
        `${((100 * firstDyn.answers) / fixed5.answers).toFixed(0)}% of fixed overlap ${FIXED_OVERLAP}` +
        (firstFixed && firstFixed !== fixed5 ? `, ${((100 * firstDyn.answers) / base.answers).toFixed(0)}% of the fixed overlap that reaches ${TARGET_ACCURACY}` : ''),
    );
  } else console.log(`dynamic overlap + ${DEFAULT_METHOD}: no target tried reached ${TARGET_ACCURACY}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
