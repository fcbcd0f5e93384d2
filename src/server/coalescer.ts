/**
 * Coalescing of concurrent requests into batches ("group execution").
 *
 * Under load most of a statement's cost on this stack is per statement, not per row: a round
 * trip, a bind, an executor start, a socket write on each side. So the hot paths (session
 * lookups, `next`, submit) hand their database work to a Coalescer: per lane (a key such as a
 * project id) at most one batch runs at a time; whatever arrives meanwhile waits and goes, all
 * together, into the next batch, as one statement or one transaction. An idle lane starts at
 * once (after the current turn of the event loop, so requests read together go together): a
 * lone request waits for nothing, and the batch size grows with the load by itself.
 *
 * `distinct` names what must not meet itself in one batch (one worker's two concurrent calls):
 * the later one waits for the next batch. `exec` answers every request of the batch, in order,
 * with a value, a promise of one (e.g. the request run alone after all), or an Error; the lane
 * is busy until every promise it answered with has settled.
 */
export interface CoalescerOptions<Req> {
  /** Most requests in one batch. */
  max: number;
  /** Batches of one lane that may run at the same time (default 1). */
  concurrency?: number;
  /** Requests with the same `distinct` key never share a batch. */
  distinct?: (req: Req) => string;
}

interface Waiting<Req, Res> {
  req: Req;
  resolve: (v: Res | PromiseLike<Res>) => void;
  reject: (e: unknown) => void;
  /** performance.now() when the request arrived. */
  at: number;
}

interface Lane<Req, Res> {
  waiting: Waiting<Req, Res>[];
  /** Batches running now. */
  running: number;
  /** A start is scheduled for the end of this turn of the event loop. */
  scheduled: boolean;
}

export type Answer<Res> = Res | PromiseLike<Res> | Error;

export class Coalescer<Req, Res> {
  private readonly lanes = new Map<string, Lane<Req, Res>>();
  /**
   * Batches run and requests they carried, the time batches ran (busyMs, summed over batches) and
   * the time requests waited for their batch to start (waitMs, summed over requests): for
   * operators, tests and the bench.
   */
  readonly stats = { batches: 0, requests: 0, largest: 0, busyMs: 0, waitMs: 0 };

  constructor(
    private readonly exec: (key: string, reqs: Req[]) => Promise<Answer<Res>[]>,
    private readonly opts: CoalescerOptions<Req>,
  ) {}

  call(key: string, req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      let lane = this.lanes.get(key);
      if (!lane) {
        lane = { waiting: [], running: 0, scheduled: false };
        this.lanes.set(key, lane);
      }
      lane.waiting.push({ req, resolve, reject, at: performance.now() });
      if (!lane.scheduled && lane.running < (this.opts.concurrency ?? 1)) {
        const l = lane;
        l.scheduled = true;
        setImmediate(() => {
          l.scheduled = false;
          this.pump(key, l);
        });
      }
    });
  }

  private pump(key: string, lane: Lane<Req, Res>): void {
    if (lane.running >= (this.opts.concurrency ?? 1)) return;
    if (!lane.waiting.length) {
      if (!lane.running && !lane.scheduled) this.lanes.delete(key);
      return;
    }
    const batch: Waiting<Req, Res>[] = [];
    const rest: Waiting<Req, Res>[] = [];
    const seen = new Set<string>();
    for (const w of lane.waiting) {
      const d = this.opts.distinct?.(w.req);
      if (batch.length < this.opts.max && (d === undefined || !seen.has(d))) {
        batch.push(w);
        if (d !== undefined) seen.add(d);
      } else rest.push(w);
    }
    lane.waiting = rest;
    lane.running++;
    const started = performance.now();
    for (const w of batch) this.stats.waitMs += started - w.at;
    this.stats.batches++;
    this.stats.requests += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    let answers: Promise<Answer<Res>[]>;
    try {
      answers = this.exec(
        key,
        batch.map((w) => w.req),
      );
    } catch (e) {
      answers = Promise.reject(e);
    }
    answers
      .then(
        (out) => {
          batch.forEach((w, i) => {
            const a = out[i];
            if (a instanceof Error) w.reject(a);
            else if (a === undefined && out.length <= i) w.reject(new Error('a batch left a request unanswered'));
            else w.resolve(a as Res | PromiseLike<Res>);
          });
          // An answer given as a promise (a request run alone: a batch of one, or the members of
          // a batch that rolled back) still holds the lane until it settles: what arrives
          // meanwhile waits for it instead of running beside it (work/CONTEXT.md "Batches").
          return Promise.allSettled(out);
        },
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.stats.busyMs += performance.now() - started;
        lane.running--;
        this.pump(key, lane);
      });
  }
}
