import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { request } from 'undici';
import type { Database } from '../../../db/schema.ts';
import { VERSION } from '../../version.ts';
import { deliveryAgent, privateHostProblem } from './address-guard.ts';
import { signature } from './enqueue.ts';
import { type ClaimedDelivery, webhooksRepo } from './webhooks.repo.ts';

export interface DispatcherOptions {
  /** How often an idle dispatcher looks for due deliveries. */
  pollMs: number;
  /** Deliveries claimed (and sent concurrently) at a time. */
  batch: number;
  /** Per request: time to the response headers, and between body chunks. */
  timeoutMs: number;
  /** Attempts before a delivery is given up ('failed'). */
  maxAttempts: number;
  /** Retry n waits base × 2^(n-1), capped at max, ±20% jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A claimed delivery is due again after this long if its sender vanished. */
  leaseMs: number;
  /** Deliver to private, loopback and link-local addresses too (DURE_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/** 12 attempts over ~11 hours: 10 s, 20 s, 40 s … capped at 1 h. */
export const DEFAULT_DISPATCHER: DispatcherOptions = {
  pollMs: 1000,
  batch: 20,
  timeoutMs: 10_000,
  maxAttempts: 12,
  backoffBaseMs: 10_000,
  backoffMaxMs: 3_600_000,
  leaseMs: 60_000,
  allowPrivate: false,
};

export function backoffMs(attempt: number, o: Pick<DispatcherOptions, 'backoffBaseMs' | 'backoffMaxMs'>, rnd = Math.random()): number {
  const raw = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * rnd));
}

/**
 * Sends the outbox. Every server process runs one; they share the table through
 * `FOR UPDATE SKIP LOCKED`. State is only in the database: a restart loses nothing, and a
 * delivery whose sender died mid-request is sent again after its lease (at-least-once —
 * receivers dedupe by the X-Dure-Delivery header).
 */
export class WebhookDispatcher {
  private opts: DispatcherOptions;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private current: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private agent: ReturnType<typeof deliveryAgent>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: FastifyBaseLogger,
    opts: Partial<DispatcherOptions> = {},
  ) {
    this.opts = { ...DEFAULT_DISPATCHER, ...opts };
    this.agent = deliveryAgent(this.opts.allowPrivate);
  }

  /** Changes timings (tests use short ones); takes effect from the next round. */
  configure(opts: Partial<DispatcherOptions>): void {
    this.opts = { ...this.opts, ...opts };
    this.agent = deliveryAgent(this.opts.allowPrivate);
    if (this.running) this.wake();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Looks for due deliveries now instead of at the next poll. */
  wake(): void {
    if (!this.running || this.current) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.current;
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.current = this.round().finally(() => (this.current = null));
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    let claimed = 0;
    try {
      claimed = await this.runOnce();
    } catch (err) {
      if (this.running) this.log.error({ err }, 'webhook dispatcher round failed');
    }
    if (this.running) this.schedule(claimed >= this.opts.batch ? 0 : this.opts.pollMs);
  }

  /** One round: claim due deliveries and send them. Returns how many were claimed. */
  async runOnce(): Promise<number> {
    const due = await webhooksRepo.claimDue(this.db, this.opts.batch, this.opts.leaseMs);
    await Promise.all(due.map((d) => this.deliver(d)));
    return due.length;
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // An address literal (or localhost) is connected to without the guarded lookup: judge it by the registration rule.
      const refused = this.opts.allowPrivate ? null : privateHostProblem(new URL(d.url));
      if (refused) throw new Error(`refused: the URL ${refused} (a private address); webhooks go to public addresses only`);
      const res = await request(d.url, {
        dispatcher: this.agent,
        method: 'POST',
        body: d.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': `Dure-Webhooks/${VERSION}`,
          'x-dure-event': d.event,
          'x-dure-delivery': d.id,
          'x-dure-attempt': String(d.attempts),
          'x-dure-signature': signature(d.secret, d.body),
        },
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
        signal: this.abort.signal,
      });
      statusCode = res.statusCode;
      const text = await readSome(res.body, 500);
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}${text ? `: ${text}` : ''}`;
    } catch (e) {
      if (this.abort.signal.aborted) {
        // Stopping: the outcome is unknown, so the attempt is given back rather than counted.
        await webhooksRepo.release(this.db, d.id, d.attempts).catch(() => undefined);
        return;
      }
      const err = e as Error & { code?: string };
      error = `${err.code ?? err.name}: ${err.message}`.slice(0, 500);
    }
    const retryInMs = error && d.attempts < this.opts.maxAttempts ? backoffMs(d.attempts, this.opts) : null;
    try {
      await webhooksRepo.recordAttempt(this.db, { id: d.id, attempt: d.attempts, statusCode, error, durationMs: Date.now() - started, retryInMs });
    } catch (err) {
      // The webhook was deleted meanwhile (its deliveries went with it), or the database is going away.
      if (this.running) this.log.warn({ err, delivery: d.id }, 'could not record a webhook attempt');
    }
    if (error) this.log.info({ delivery: d.id, attempt: d.attempts, error, retryInMs }, 'webhook delivery failed');
  }
}

/** The first `max` characters of a response body; the rest is discarded (the connection is freed). */
async function readSome(body: AsyncIterable<Buffer> & { destroy?: () => void }, max: number): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of body) {
      if (n < max) parts.push(chunk);
      n += chunk.length;
      if (n >= 64 * 1024) break;
    }
  } catch {
    /* a broken body after the status line does not change the outcome */
  } finally {
    body.destroy?.();
  }
  return Buffer.concat(parts).toString('utf8').slice(0, max).trim();
}
