import { privateHostProblem } from './address-guard.ts';
import crypto from 'node:crypto';
import { AppError, type ErrorDetail } from '../../../core/app-error.ts';
import type { DeliveryStatus } from '../../../db/tables/webhooks.ts';
import type { AppContext } from '../../context.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { loadOwnedProject } from '../projects/projects.service.ts';
import { enqueueEvent } from './enqueue.ts';
import { TEST_EVENT, WEBHOOK_EVENTS } from './events.ts';
import { webhooksRepo } from './webhooks.repo.ts';

export const MAX_WEBHOOKS_PER_PROJECT = 20;

type HookRow = NonNullable<Awaited<ReturnType<typeof webhooksRepo.find>>>;
type DeliveryRow = NonNullable<Awaited<ReturnType<typeof webhooksRepo.findDelivery>>>;
type AttemptRow = Awaited<ReturnType<typeof webhooksRepo.attemptsOf>>[number];

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function webhookOut(h: HookRow, stats?: Record<DeliveryStatus, number>) {
  return {
    id: h.id,
    projectId: h.project_id,
    url: h.url,
    events: h.events,
    description: h.description,
    /** The secret is shown once, at creation; afterwards only its last four characters. */
    secretHint: `…${h.secret.slice(-4)}`,
    createdAt: iso(h.created_at)!,
    deliveries: stats ?? { pending: 0, delivered: 0, failed: 0 },
  };
}

export function deliveryOut(d: DeliveryRow, attempts: AttemptRow[] = []) {
  let payload: unknown = null;
  try {
    payload = JSON.parse(d.body);
  } catch {
    /* stored by us: always JSON */
  }
  return {
    id: d.id,
    webhookId: d.webhook_id,
    eventId: d.event_id,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    lastAttemptAt: iso(d.last_attempt_at),
    lastStatus: d.last_status,
    lastError: d.last_error,
    deliveredAt: iso(d.delivered_at),
    createdAt: iso(d.created_at)!,
    payload,
    attemptLog: attempts.map((a) => ({ attempt: a.attempt, at: iso(a.at)!, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
  };
}

export interface WebhookInput {
  url: string;
  events: string[];
  secret?: string;
  description?: string;
}

function checkInput(input: WebhookInput, allowPrivate: boolean): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  let url: URL | null = null;
  try {
    url = new URL(input.url);
  } catch {
    /* reported below */
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) problems.push({ path: '/url', problem: 'must be an absolute http:// or https:// URL' });
  else if (url.username || url.password) problems.push({ path: '/url', problem: 'must not carry a user name or password (use the signature to authenticate)' });
  else if (!allowPrivate) {
    const bad = privateHostProblem(url);
    if (bad) problems.push({ path: '/url', problem: bad });
  }
  if (!input.events.length) problems.push({ path: '/events', problem: 'name at least one event' });
  input.events.forEach((e, i) => {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(e)) problems.push({ path: `/events/${i}`, problem: `unknown event; use ${WEBHOOK_EVENTS.join(', ')}` });
  });
  if (input.secret !== undefined && input.secret.length < 16) problems.push({ path: '/secret', problem: 'must be at least 16 characters' });
  return problems;
}

export class WebhooksService {
  constructor(
    private readonly ctx: Pick<AppContext, 'db'> & { config: Pick<AppContext['config'], 'webhookAllowPrivate'> },
    private readonly nudge: () => void = () => {},
  ) {}

  async create(user: AuthUser, projectId: string, input: WebhookInput) {
    const problems = checkInput(input, this.ctx.config.webhookAllowPrivate);
    if (problems.length) throw new AppError('validation_failed', 'the webhook is not valid', problems);
    return this.ctx.db.transaction().execute(async (trx) => {
      const p = await loadOwnedProject(trx, user, projectId, true);
      if ((await webhooksRepo.countForProject(trx, p.id)) >= MAX_WEBHOOKS_PER_PROJECT) {
        throw new AppError('conflict', `a project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks`);
      }
      const secret = input.secret ?? `whsec_${crypto.randomBytes(24).toString('base64url')}`;
      const row = await webhooksRepo.insert(trx, {
        projectId: p.id,
        url: new URL(input.url).href,
        events: [...new Set(input.events)],
        secret,
        description: input.description?.trim() ?? '',
        createdBy: user.id,
      });
      return { ...webhookOut(row), secret };
    });
  }

  async list(user: AuthUser, projectId: string) {
    const p = await loadOwnedProject(this.ctx.db, user, projectId);
    const [rows, stats] = await Promise.all([webhooksRepo.list(this.ctx.db, p.id), webhooksRepo.stats(this.ctx.db, p.id)]);
    return rows.map((r) => webhookOut(r, stats.get(r.id)));
  }

  async get(user: AuthUser, projectId: string, id: string) {
    const { hook } = await this.load(user, projectId, id);
    const stats = await webhooksRepo.stats(this.ctx.db, projectId);
    return webhookOut(hook, stats.get(hook.id));
  }

  async remove(user: AuthUser, projectId: string, id: string) {
    const p = await loadOwnedProject(this.ctx.db, user, projectId);
    if (!(await webhooksRepo.remove(this.ctx.db, p.id, id))) throw new AppError('not_found', 'webhook not found');
  }

  async deliveries(user: AuthUser, projectId: string, id: string, o: { limit: number; before: string | null; status: DeliveryStatus | null }) {
    const { hook } = await this.load(user, projectId, id);
    const rows = await webhooksRepo.listDeliveries(this.ctx.db, hook.id, o);
    const attempts = await webhooksRepo.attemptsOf(this.ctx.db, rows.map((r) => r.id));
    const by = new Map<string, AttemptRow[]>();
    for (const a of attempts) by.set(a.delivery_id, [...(by.get(a.delivery_id) ?? []), a]);
    return rows.map((r) => deliveryOut(r, by.get(r.id)));
  }

  /** Queues a `webhook.test` delivery to this webhook (whatever its events). */
  async test(user: AuthUser, projectId: string, id: string) {
    const { hook } = await this.load(user, projectId, id);
    const row = await this.ctx.db.transaction().execute(async (trx) => {
      await enqueueEvent(trx, projectId, TEST_EVENT, { projectId, webhookId: hook.id, message: 'Dure test delivery' }, hook.id);
      return (await webhooksRepo.listDeliveries(trx, hook.id, { limit: 1, before: null, status: null }))[0]!;
    });
    this.nudge();
    return deliveryOut(row);
  }

  async redeliver(user: AuthUser, projectId: string, id: string, deliveryId: string) {
    const { hook } = await this.load(user, projectId, id);
    const row = await webhooksRepo.redeliver(this.ctx.db, hook.id, deliveryId);
    if (!row) {
      const found = await webhooksRepo.findDelivery(this.ctx.db, hook.id, deliveryId);
      if (!found) throw new AppError('not_found', 'delivery not found');
      throw new AppError('invalid_state', 'this delivery is still pending');
    }
    this.nudge();
    return deliveryOut(row);
  }

  private async load(user: AuthUser, projectId: string, id: string) {
    const p = await loadOwnedProject(this.ctx.db, user, projectId);
    const hook = await webhooksRepo.find(this.ctx.db, p.id, id);
    if (!hook) throw new AppError('not_found', 'webhook not found');
    return { project: p, hook };
  }
}
