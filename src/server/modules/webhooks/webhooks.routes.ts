import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import { EVENT_DOCS, WEBHOOK_EVENTS } from './events.ts';
import type { WebhookInput, WebhooksService } from './webhooks.service.ts';

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
const HookParams = Type.Object({ id: Type.String({ format: 'uuid' }), wid: Type.String({ format: 'uuid' }) });
const DeliveryParams = Type.Object({ id: Type.String({ format: 'uuid' }), wid: Type.String({ format: 'uuid' }), did: Type.String({ format: 'uuid' }) });

const Counts = Type.Object({ pending: Type.Integer(), delivered: Type.Integer(), failed: Type.Integer() });
const WebhookSchema = Type.Object({
  id: Type.String(),
  projectId: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.String(),
  secretHint: Type.String(),
  createdAt: Type.String(),
  deliveries: Counts,
});
const CreatedSchema = Type.Object({ ...WebhookSchema.properties, secret: Type.String() });
const DeliverySchema = Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  eventId: Type.String(),
  event: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  payload: Type.Any(),
  attemptLog: Type.Array(
    Type.Object({ attempt: Type.Integer(), at: Type.String(), statusCode: Type.Union([Type.Integer(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]), durationMs: Type.Integer() }),
  ),
});

const HOOK_EXAMPLE = {
  id: '0b7a3c4e-2f1d-4e5a-9c3b-7d8e9f0a1b2c',
  projectId: '5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f',
  url: 'https://ml.example.kr/hooks/dure',
  events: ['item.completed', 'project.completed'],
  description: 'training pipeline',
  secretHint: '…x9Qk',
  createdAt: '2026-11-23T08:00:00.000Z',
  deliveries: { pending: 0, delivered: 12, failed: 0 },
};
const DELIVERY_EXAMPLE = {
  id: '9d2e4f6a-1b3c-4d5e-8f9a-0b1c2d3e4f5a',
  webhookId: HOOK_EXAMPLE.id,
  eventId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  event: 'item.completed',
  status: 'delivered',
  attempts: 2,
  nextAttemptAt: null,
  lastAttemptAt: '2026-11-23T08:00:11.000Z',
  lastStatus: 200,
  lastError: null,
  deliveredAt: '2026-11-23T08:00:11.000Z',
  createdAt: '2026-11-23T08:00:00.000Z',
  payload: {
    id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
    event: 'item.completed',
    createdAt: '2026-11-23T08:00:00.000Z',
    data: { projectId: HOOK_EXAMPLE.projectId, item: { id: 101, data: { text: '배송이 빨라요' }, labels: { sentiment: { value: 'pos', confidence: 0.97 } }, confidence: 0.97, completedAt: '2026-11-23T08:00:00.000Z' } },
  },
  attemptLog: [
    { attempt: 1, at: '2026-11-23T08:00:01.000Z', statusCode: 503, error: 'HTTP 503: busy', durationMs: 35 },
    { attempt: 2, at: '2026-11-23T08:00:11.000Z', statusCode: 200, error: null, durationMs: 21 },
  ],
};

const CREATE_DESCRIPTION = `Registers an endpoint for this project's events. Each event becomes a delivery written to a durable outbox in the same transaction as the event, then POSTed by a background sender:

- body \`{"id": <event id>, "event", "createdAt", "data"}\` (JSON; the same bytes on every retry);
- headers \`X-Dure-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>\`, \`X-Dure-Delivery\` (unique per webhook and event: dedupe on it — delivery is at least once), \`X-Dure-Event\`, \`X-Dure-Attempt\`;
- any 2xx answer within 10 s is success; anything else is retried with exponential backoff (10 s, 20 s, 40 s … capped at 1 h; 12 attempts), surviving server restarts; then the delivery is marked failed.

Events:
${WEBHOOK_EVENTS.map((e) => `- \`${e}\`: ${EVENT_DOCS[e]}`).join('\n')}

\`secret\` (≥ 16 characters) is generated when omitted, and shown only in this response. Only http(s) URLs are accepted.`;

export function webhookRoutes(app: App, webhooks: WebhooksService) {
  app.post(
    '/api/projects/:id/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook (signed, retried deliveries of project events)',
        description: CREATE_DESCRIPTION,
        params: Params,
        body: Type.Object(
          {
            url: Type.String({ maxLength: 2000 }),
            events: Type.Array(Type.String(), { maxItems: 20 }),
            secret: Type.Optional(Type.String({ maxLength: 200 })),
            description: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { examples: [{ url: 'https://ml.example.kr/hooks/dure', events: ['item.completed', 'project.completed'], description: 'training pipeline' }] },
        ),
        response: {
          201: Type.Object({ webhook: CreatedSchema }, { examples: [{ webhook: { ...HOOK_EXAMPLE, deliveries: { pending: 0, delivered: 0, failed: 0 }, secret: 'whsec_q1w2e3r4t5y6u7i8o9p0a1s2d3f4x9Qk' } }] }),
          400: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester', 'admin');
      const webhook = await webhooks.create(user, req.params.id, req.body as WebhookInput);
      return reply.status(201).send({ webhook });
    },
  );

  app.get(
    '/api/projects/:id/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: "The project's webhooks, with delivery counts",
        description: 'Secrets are not shown again; `secretHint` ends like the secret.',
        params: Params,
        response: { 200: Type.Object({ webhooks: Type.Array(WebhookSchema) }, { examples: [{ webhooks: [HOOK_EXAMPLE] }] }), 404: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return { webhooks: await webhooks.list(user, req.params.id) };
    },
  );

  app.get(
    '/api/projects/:id/webhooks/:wid',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'One webhook',
        description: 'The webhook with its delivery counts per status.',
        params: HookParams,
        response: { 200: Type.Object({ webhook: WebhookSchema }, { examples: [{ webhook: HOOK_EXAMPLE }] }), 404: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return { webhook: await webhooks.get(user, req.params.id, req.params.wid) };
    },
  );

  app.delete(
    '/api/projects/:id/webhooks/:wid',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook',
        description: 'Stops its deliveries at once; pending ones and the delivery log are deleted with it.',
        params: HookParams,
        response: { 204: Type.Null({ description: 'deleted' }), 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester', 'admin');
      await webhooks.remove(user, req.params.id, req.params.wid);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/projects/:id/webhooks/:wid/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delivery log of a webhook, newest first',
        description:
          'Each delivery with its payload, status (`pending`, `delivered`, `failed`), next attempt time and every attempt (HTTP status or error, duration). Page with `before=<id of the last delivery shown>`.',
        params: HookParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          before: Type.Optional(Type.String({ format: 'uuid' })),
          status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
        }),
        response: { 200: Type.Object({ deliveries: Type.Array(DeliverySchema) }, { examples: [{ deliveries: [DELIVERY_EXAMPLE] }] }), 404: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      const q = req.query as { limit?: number; before?: string; status?: 'pending' | 'delivered' | 'failed' };
      return { deliveries: await webhooks.deliveries(user, req.params.id, req.params.wid, { limit: q.limit ?? 50, before: q.before ?? null, status: q.status ?? null }) };
    },
  );

  app.post(
    '/api/projects/:id/webhooks/:wid/test',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send a test delivery',
        description: 'Queues a `webhook.test` event to this webhook only (whatever events it listens to); watch it in the delivery log.',
        params: HookParams,
        response: {
          202: Type.Object({ delivery: DeliverySchema }, { examples: [{ delivery: { ...DELIVERY_EXAMPLE, event: 'webhook.test', status: 'pending', attempts: 0, attemptLog: [] } }] }),
          404: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester', 'admin');
      return reply.status(202).send({ delivery: await webhooks.test(user, req.params.id, req.params.wid) });
    },
  );

  app.post(
    '/api/projects/:id/webhooks/:wid/deliveries/:did/redeliver',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivered or failed delivery again',
        description: 'The same body, signature and delivery id, sent once more as soon as possible (one more attempt).',
        params: DeliveryParams,
        response: { 200: Type.Object({ delivery: DeliverySchema }, { examples: [{ delivery: { ...DELIVERY_EXAMPLE, status: 'pending' } }] }), 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return { delivery: await webhooks.redeliver(user, req.params.id, req.params.wid, req.params.did) };
    },
  );
}
