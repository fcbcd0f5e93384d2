/**
 * Truth-inference benchmark: 1,000,000 categorical answers (100,000 items × 10 answers,
 * 5,000 workers, 5 classes) from a seeded simulated crowd — workers with class-dependent
 * confusion matrices of varied skill, plus spammers (uniformly random or always the same label).
 * Every method runs to convergence on one core, each in its own child process so that its peak
 * RSS is its own. Prints seconds (median of the runs), answers/s, peak RSS and accuracy against
 * the simulated truth, and the ratio to crowd-kit's Dawid-Skene (~6 s, ~480 MB on this kind of
 * machine, quoted in issue 6; crowd-kit cannot run here).
 *
 *   npx tsx bench/aggregate.ts [--items 100000] [--answers-per-item 10] [--workers 5000] [--classes 5] [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { aggregateCategorical } from '../src/core/aggregation/categorical.ts';
import { rng } from '../src/core/aggregation/math.ts';
import { CATEGORICAL_METHODS, type CategoricalAnswers, type CategoricalMethod } from '../src/core/aggregation/types.ts';

interface Config {
  items: number;
  perItem: number;
  workers: number;
  classes: number;
  runs: number;
  seed: number;
}

function parseArgs(argv: string[]): Config & { only?: CategoricalMethod } {
  const get = (name: string, def: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  const o = argv.indexOf('--only');
  return {
    items: get('items', 100_000),
    perItem: get('answers-per-item', 10),
    workers: get('workers', 5_000),
    classes: get('classes', 5),
    runs: get('runs', 3),
    seed: get('seed', 42),
    only: o >= 0 ? (argv[o + 1] as CategoricalMethod) : undefined,
  };
}

/** The simulated crowd. Returns the answers and the true label of every item. */
export function simulate(c: Config): { answers: CategoricalAnswers; truth: Int32Array } {
  const r = rng(c.seed);
  const K = c.classes;
  const prior = Array.from({ length: K }, (_, k) => 1 / (k + 1.5));
  const ps = prior.reduce((a, b) => a + b, 0);
  const cum: number[] = [];
  prior.reduce((acc, v) => (cum.push((acc + v) / ps), acc + v), 0);
  const draw = (cdf: ArrayLike<number>, off: number, n: number): number => {
    const u = r();
    for (let k = 0; k < n - 1; k++) if (u < cdf[off + k]) return k;
    return n - 1;
  };
  // Cumulative confusion rows per worker: cdf[(w·K + k)·K + l].
  const cdf = new Float64Array(c.workers * K * K);
  for (let w = 0; w < c.workers; w++) {
    const kind = r();
    for (let k = 0; k < K; k++) {
      const row = new Float64Array(K);
      if (kind < 0.05) row.fill(1 / K); // random clicker
      else if (kind < 0.1) row[w % K] = 1; // always the same label
      else {
        const acc = 0.45 + 0.5 * r(); // 0.45 .. 0.95, class-dependent below
        const accK = Math.min(0.99, Math.max(0.05, acc + 0.15 * (r() - 0.5)));
        let s = 0;
        const err = new Float64Array(K);
        for (let l = 0; l < K; l++) if (l !== k) s += err[l] = (-Math.log(1 - r())) ** 2;
        for (let l = 0; l < K; l++) row[l] = l === k ? accK : ((1 - accK) * err[l]) / s;
      }
      let acc = 0;
      for (let l = 0; l < K; l++) cdf[(w * K + k) * K + l] = acc += row[l];
    }
  }
  const n = c.items * c.perItem;
  const item = new Int32Array(n);
  const worker = new Int32Array(n);
  const label = new Int32Array(n);
  const truth = new Int32Array(c.items);
  const picked = new Int32Array(c.perItem);
  let j = 0;
  for (let i = 0; i < c.items; i++) {
    const t = draw(cum, 0, K);
    truth[i] = t;
    for (let a = 0; a < c.perItem; a++) {
      let w: number;
      let dup: boolean;
      do {
        w = Math.floor(r() * c.workers);
        dup = false;
        for (let b = 0; b < a; b++) if (picked[b] === w) dup = true;
      } while (dup);
      picked[a] = w;
      item[j] = i;
      worker[j] = w;
      label[j] = draw(cdf, (w * K + t) * K, K);
      j++;
    }
  }
  return { answers: { nItems: c.items, nWorkers: c.workers, nLabels: K, item, worker, label }, truth };
}

interface Measured {
  method: CategoricalMethod;
  seconds: number[];
  accuracy: number;
  iterations: number;
  converged: boolean;
  rssBeforeMB: number;
  peakRssMB: number;
}

function runChild(c: Config, method: CategoricalMethod): Measured {
  const { answers, truth } = simulate(c);
  global.gc?.();
  const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
  const seconds: number[] = [];
  let res = aggregateCategorical(answers, { method });
  for (let run = 0; run < c.runs; run++) {
    const t0 = process.hrtime.bigint();
    res = aggregateCategorical(answers, { method });
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
    // One timed run is enough for the slow methods.
    if (seconds[0] > 5) break;
  }
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (res.label[i] === truth[i]) right++;
  return {
    method,
    seconds,
    accuracy: right / truth.length,
    iterations: res.iterations,
    converged: res.converged,
    rssBeforeMB,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (args.only) {
    process.stdout.write(JSON.stringify(runChild(args, args.only)) + '\n');
    return;
  }
  const n = args.items * args.perItem;
  console.log(
    `truth inference: ${n.toLocaleString('en')} answers (${args.items.toLocaleString('en')} items × ${args.perItem}, ` +
      `${args.workers.toLocaleString('en')} workers, ${args.classes} classes), seed ${args.seed}, node ${process.version}, one core`,
  );
  console.log('each method in its own process: one warm-up run, then the median of up to ' + args.runs + ' timed runs');
  console.log('');
  console.log('method    seconds   answers/s   iter  conv  accuracy  RSS before  peak RSS');
  const self = fileURLToPath(import.meta.url);
  let dsSeconds = NaN;
  let dsPeak = NaN;
  for (const method of CATEGORICAL_METHODS) {
    const out = execFileSync(process.execPath, [...process.execArgv, self, ...process.argv.slice(2), '--only', method], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const m = JSON.parse(out.trim().split('\n').pop() as string) as Measured;
    const s = median(m.seconds);
    if (method === 'ds') {
      dsSeconds = s;
      dsPeak = m.peakRssMB;
    }
    console.log(
      `${method.padEnd(8)} ${s.toFixed(3).padStart(8)} ${Math.round(n / s).toLocaleString('en').padStart(11)} ` +
        `${String(m.iterations).padStart(6)}  ${m.converged ? 'yes ' : 'no  '} ${m.accuracy.toFixed(4).padStart(8)} ` +
        `${m.rssBeforeMB.toFixed(0).padStart(8)} MB ${m.peakRssMB.toFixed(0).padStart(6)} MB`,
    );
  }
  console.log('');
  console.log(`answers as typed arrays: ${((n * 12) / 2 ** 20).toFixed(1)} MB (item, worker, label Int32)`);
  console.log(
    `Dawid-Skene vs crowd-kit (~6 s, ~480 MB, quoted): ${(6 / dsSeconds).toFixed(1)}× faster, ` +
      `peak RSS ${dsPeak.toFixed(0)} MB (${(480 / dsPeak).toFixed(1)}× less)`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
