/**
 * Consensus of region answers — boxes on an image (2-D) and spans of text (1-D). The answers
 * of one item are clustered: a worker's regions are matched one-to-one, greedily by IoU, to the
 * clusters built from earlier workers (same label, IoU ≥ threshold, at most one region per
 * worker per cluster); unmatched regions open new clusters. A cluster's consensus region is the
 * weighted median of each edge; its `support` is the weight share of the item's workers who drew
 * it (a worker who drew nothing votes "nothing here"). Clusters with support ≥ minSupport are
 * kept. A kept region's confidence is support × mean IoU of its members with the consensus; the
 * item's confidence is the least decided cluster: min over clusters of (kept ? confidence :
 * 1 − support), and 1 when nobody drew anything.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

export interface Span {
  start: number;
  end: number;
  label: string;
}

export type WorkerKey = string | number;

export interface RegionOptions {
  /** Two regions may be the same object when their IoU is at least this (default 0.5). */
  iouThreshold?: number;
  /** Keep a consensus region when at least this weight share of workers drew it (default 0.5). */
  minSupport?: number;
  /** Weight of each worker (e.g. estimated quality); default 1. */
  workerWeight?: ReadonlyMap<WorkerKey, number>;
}

export interface Consensus {
  confidence: number;
  support: number;
  /** Number of workers who drew this region. */
  votes: number;
  meanIou: number;
}

export type ConsensusBox = Box & Consensus;
export type ConsensusSpan = Span & Consensus;

export interface RegionResult<R> {
  regions: R[];
  confidence: number;
  /** Distinct workers whose answers were used. */
  workers: number;
}

interface Region {
  lo: number[];
  hi: number[];
  label: string;
}

interface Cluster {
  label: string;
  members: { region: Region; weight: number; worker: number }[];
  rep: Region;
}

export function iou(a: Region, b: Region): number {
  let inter = 1;
  let va = 1;
  let vb = 1;
  let same = true;
  for (let d = 0; d < a.lo.length; d++) {
    const lo = Math.max(a.lo[d], b.lo[d]);
    const hi = Math.min(a.hi[d], b.hi[d]);
    inter *= Math.max(0, hi - lo);
    va *= a.hi[d] - a.lo[d];
    vb *= b.hi[d] - b.lo[d];
    if (a.lo[d] !== b.lo[d] || a.hi[d] !== b.hi[d]) same = false;
  }
  const union = va + vb - inter;
  if (union <= 0) return same ? 1 : 0;
  return inter / union;
}

function weightedMedianOf(values: number[], weights: number[]): number {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  let tot = 0;
  for (const w of weights) tot += w;
  let acc = 0;
  for (let k = 0; k < order.length; k++) {
    acc += weights[order[k]];
    if (Math.abs(acc - tot / 2) <= 1e-12 * tot && k + 1 < order.length) return (values[order[k]] + values[order[k + 1]]) / 2;
    if (acc > tot / 2) return values[order[k]];
  }
  return values[order[order.length - 1]];
}

function consensusOf(c: Cluster): Region {
  const dims = c.members[0].region.lo.length;
  const w = c.members.map((m) => m.weight);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let d = 0; d < dims; d++) {
    lo.push(weightedMedianOf(c.members.map((m) => m.region.lo[d]), w));
    hi.push(weightedMedianOf(c.members.map((m) => m.region.hi[d]), w));
  }
  return { lo, hi, label: c.label };
}

function validateWeight(w: number, key: WorkerKey): number {
  if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`worker weight of ${String(key)} must be a finite number ≥ 0`);
  return w;
}

function cluster(
  answers: readonly { worker: WorkerKey; regions: Region[] }[],
  opts: RegionOptions,
): { kept: { rep: Region; info: Consensus }[]; confidence: number; workers: number } {
  const threshold = opts.iouThreshold ?? 0.5;
  const minSupport = opts.minSupport ?? 0.5;
  // One answer per worker: the last one counts.
  const last = new Map<WorkerKey, number>();
  answers.forEach((a, i) => last.set(a.worker, i));
  const used = answers.filter((a, i) => last.get(a.worker) === i);
  let totalWeight = 0;
  const weights = used.map((a) => {
    const w = validateWeight(opts.workerWeight?.get(a.worker) ?? 1, a.worker);
    totalWeight += w;
    return w;
  });
  const clusters: Cluster[] = [];
  used.forEach((a, wi) => {
    const pairs: { r: number; c: number; v: number }[] = [];
    a.regions.forEach((region, r) => {
      clusters.forEach((c, ci) => {
        if (c.label !== region.label) return;
        const v = iou(region, c.rep);
        if (v >= threshold) pairs.push({ r, c: ci, v });
      });
    });
    pairs.sort((p, q) => q.v - p.v || p.r - q.r || p.c - q.c);
    const takenR = new Set<number>();
    const takenC = new Set<number>();
    for (const pr of pairs) {
      if (takenR.has(pr.r) || takenC.has(pr.c)) continue;
      takenR.add(pr.r);
      takenC.add(pr.c);
      const c = clusters[pr.c];
      c.members.push({ region: a.regions[pr.r], weight: weights[wi], worker: wi });
      c.rep = consensusOf(c);
    }
    a.regions.forEach((region, r) => {
      if (takenR.has(r)) return;
      clusters.push({ label: region.label, members: [{ region, weight: weights[wi], worker: wi }], rep: region });
    });
  });
  const kept: { rep: Region; info: Consensus }[] = [];
  let confidence = 1;
  for (const c of clusters) {
    let w = 0;
    let sumIou = 0;
    for (const m of c.members) {
      w += m.weight;
      sumIou += iou(m.region, c.rep);
    }
    const support = totalWeight > 0 ? w / totalWeight : 0;
    const meanIou = sumIou / c.members.length;
    if (support >= minSupport && support > 0) {
      const conf = support * meanIou;
      kept.push({ rep: c.rep, info: { confidence: conf, support, votes: c.members.length, meanIou } });
      confidence = Math.min(confidence, conf);
    } else {
      confidence = Math.min(confidence, 1 - support);
    }
  }
  if (used.length === 0) confidence = 0;
  return { kept, confidence, workers: used.length };
}

function checkFinite(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number`);
}

/** Consensus boxes of one image from each worker's list of boxes. */
export function aggregateBoxes(
  answers: readonly { worker: WorkerKey; boxes: readonly Box[] }[],
  opts: RegionOptions = {},
): RegionResult<ConsensusBox> {
  const regions = answers.map((a) => ({
    worker: a.worker,
    regions: a.boxes.map((b) => {
      for (const k of ['x', 'y', 'width', 'height'] as const) checkFinite(`box.${k}`, b[k]);
      if (b.width < 0 || b.height < 0) throw new RangeError('box width and height must be ≥ 0');
      return { lo: [b.x, b.y], hi: [b.x + b.width, b.y + b.height], label: b.label };
    }),
  }));
  const r = cluster(regions, opts);
  return {
    regions: r.kept.map(({ rep, info }) => ({
      x: rep.lo[0],
      y: rep.lo[1],
      width: rep.hi[0] - rep.lo[0],
      height: rep.hi[1] - rep.lo[1],
      label: rep.label,
      ...info,
    })),
    confidence: r.confidence,
    workers: r.workers,
  };
}

/** Consensus spans of one text from each worker's list of spans (end exclusive). */
export function aggregateSpans(
  answers: readonly { worker: WorkerKey; spans: readonly Span[] }[],
  opts: RegionOptions = {},
): RegionResult<ConsensusSpan> {
  const regions = answers.map((a) => ({
    worker: a.worker,
    regions: a.spans.map((s) => {
      checkFinite('span.start', s.start);
      checkFinite('span.end', s.end);
      if (s.end < s.start) throw new RangeError('span end must be ≥ start');
      return { lo: [s.start], hi: [s.end], label: s.label };
    }),
  }));
  const r = cluster(regions, opts);
  return {
    regions: r.kept
      .map(({ rep, info }) => ({ start: Math.round(rep.lo[0]), end: Math.round(rep.hi[0]), label: rep.label, ...info }))
      .sort((a, b) => a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)),
    confidence: r.confidence,
    workers: r.workers,
  };
}
