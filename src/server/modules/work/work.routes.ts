import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import type { NextReadAhead, SubmitReadAhead, WorkService } from './work.service.ts';

const Json = Type.Object({}, { additionalProperties: true });
const ProjectId = Type.Object({ id: Type.String({ format: 'uuid' }) });
/** The read-ahead runs before validation: it reads only for ids the schema would accept. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AssignmentId = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const Assignment = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('new'), Type.Literal('rework')]),
  projectId: Type.String(),
  item: Type.Object({ id: Type.Integer(), data: Json }),
  expiresAt: Type.String({ description: 'the lease ends here; submit before it' }),
  previousResult: Type.Optional(Json),
  reworkComment: Type.Optional(Type.String()),
});

const Annotation = Type.Object({
  id: Type.Integer(),
  itemId: Type.Integer(),
  assignmentId: Type.Integer(),
  result: Json,
  status: Type.String(),
  createdAt: Type.String(),
  durationMs: Type.Integer({ description: 'server-measured: from the lease to the submit' }),
});

const Figures = {
  payPerTask: Type.Integer(),
  tasksLeft: Type.Integer({ description: 'items this worker could still get (counted up to 1,000)' }),
  tasksLeftCapped: Type.Boolean({ description: 'true when there are at least 1,000' }),
  reworkWaiting: Type.Integer(),
  hasLiveAssignment: Type.Boolean(),
  hourlyPay: Type.Union([Type.Integer(), Type.Null()], { description: 'won per hour from the median real task time; null until 10 tasks are done' }),
  medianSeconds: Type.Union([Type.Number(), Type.Null()]),
};

const FeedProject = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tags: Type.Array(Type.String()),
  instructionsSummary: Type.String(),
  ...Figures,
  reason: Type.String({ description: 'why this project is where it is in your feed' }),
});

const WorkProject = Type.Object({
  id: Type.String(),
  name: Type.String(),
  instructions: Type.String(),
  template: Json,
  tags: Type.Array(Type.String()),
  status: Type.String(),
  settings: Type.Object({
    payPerAnnotation: Type.Integer(),
    leaseSeconds: Type.Integer(),
    minLevel: Type.Integer(),
    minGoldAccuracy: Type.Number(),
    minGoldAnswers: Type.Integer(),
    maxReworks: Type.Integer(),
  }),
  canWork: Type.Boolean(),
  blockedReason: Type.Union([Type.String(), Type.Null()]),
  today: Type.Object({ count: Type.Integer(), earnings: Type.Integer({ description: 'won' }) }),
  ...Figures,
});

const HistoryEntry = Type.Object({
  id: Type.Integer(),
  projectId: Type.String(),
  projectName: Type.String(),
  item: Type.Object({ id: Type.Integer(), data: Json }),
  result: Json,
  status: Type.String(),
  durationMs: Type.Integer(),
  createdAt: Type.String(),
  rework: Type.Union([Type.Object({ assignmentId: Type.Integer(), status: Type.String(), comment: Type.String() }), Type.Null()]),
});

const WORKERS = ['worker', 'reviewer'] as const;

export function workRoutes(app: App, work: WorkService) {
  app.get(
    '/api/work/projects',
    {
      schema: {
        tags: ['work'],
        summary: 'Projects you may work on now: rework waiting first, then best match, each with the reason',
        response: { 200: Type.Object({ projects: Type.Array(FeedProject) }), 403: ErrorResponse },
      },
    },
    async (req) => ({ projects: await work.feed(requireRole(req, ...WORKERS)) }),
  );

  app.get(
    '/api/work/projects/:id',
    {
      schema: {
        tags: ['work'],
        summary: "A project's instructions, form, your standing and today's count and earnings (the labeling screen)",
        params: ProjectId,
        response: { 200: Type.Object({ project: WorkProject }), 404: ErrorResponse },
      },
    },
    async (req) => ({ project: await work.project(requireRole(req, ...WORKERS), req.params.id) }),
  );

  app.post(
    '/api/work/projects/:id/next',
    {
      config: {
        readAhead: (req, userId) => {
          const id = (req.params as { id?: unknown }).id;
          if (typeof id === 'string' && UUID_RE.test(id)) req.readAhead = work.readAheadNext(id, userId);
        },
      },
      schema: {
        tags: ['work'],
        summary: 'Claim your next task (a lease until expiresAt): your live one, else rework, else a new item; 204 when none is left for you',
        params: ProjectId,
        response: { 200: Type.Object({ assignment: Assignment }), 204: Type.Null(), 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const a = await work.next(requireRole(req, ...WORKERS), req.params.id, req.readAhead as NextReadAhead | null);
      if (!a) return reply.status(204).send(null);
      return { assignment: a };
    },
  );

  app.get(
    '/api/work/assignments/:id',
    {
      schema: {
        tags: ['work'],
        summary: 'One of your assignments (only its holder may read it)',
        params: AssignmentId,
        response: {
          200: Type.Object({ assignment: Type.Object({ ...Assignment.properties, status: Type.String(), live: Type.Boolean() }) }),
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (req) => ({ assignment: await work.getAssignment(requireRole(req, ...WORKERS), req.params.id) }),
  );

  app.post(
    '/api/work/assignments/:id/submit',
    {
      config: {
        readAhead: (req) => {
          const id = Number((req.params as { id?: unknown }).id);
          const key = req.headers['idempotency-key'] ?? null;
          if (Number.isSafeInteger(id) && id > 0 && (key === null || (typeof key === 'string' && key.length <= 200))) {
            req.readAhead = work.readAheadSubmit(id, key);
          }
        },
      },
      schema: {
        tags: ['work'],
        summary: 'Submit your answer while the lease is live; idempotent under Idempotency-Key (and for the same assignment)',
        params: AssignmentId,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        body: Type.Object({ result: Type.Any({ description: 'an object keyed by control name' }) }),
        response: { 200: Type.Object({ annotation: Annotation }), 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
      const { annotation, replayed } = await work.submit(
        requireRole(req, ...WORKERS),
        req.params.id,
        (req.body as { result: unknown }).result,
        key,
        req.readAhead as SubmitReadAhead | null,
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return { annotation };
    },
  );

  app.post(
    '/api/work/assignments/:id/skip',
    {
      schema: {
        tags: ['work'],
        summary: 'Give a task up: its slot is freed and you will not get that item again (a skipped rework is final)',
        params: AssignmentId,
        response: { 204: Type.Null(), 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      await work.skip(requireRole(req, ...WORKERS), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/work/history',
    {
      schema: {
        tags: ['work'],
        summary: 'Your answers, newest first, with their status and any rework comment (keyset: pass the last id as `before`)',
        querystring: Type.Object({
          projectId: Type.Optional(Type.String({ format: 'uuid' })),
          status: Type.Optional(Type.String({ maxLength: 30 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Object({ annotations: Type.Array(HistoryEntry) }) },
      },
    },
    async (req) => {
      const q = req.query as { projectId?: string; status?: string; before?: number; limit?: number };
      return { annotations: await work.history(requireRole(req, ...WORKERS), q) };
    },
  );

  const Lane = Type.Object({
    batches: Type.Integer(),
    requests: Type.Integer(),
    largest: Type.Integer(),
    busyMs: Type.Number({ description: 'time batches ran, summed over batches' }),
    waitMs: Type.Number({ description: 'time requests waited for their batch to start, summed over requests' }),
  });
  app.get(
    '/api/work/batches',
    {
      schema: {
        tags: ['work'],
        summary:
          'Operators: how claims, submits and the hot reads (sessions, next, submit) were batched across workers since the server started (batches, requests they carried, the largest, time run and waited; batches rolled back to run one by one)',
        response: {
          200: Type.Object({
            claims: Lane,
            submits: Lane,
            reads: Type.Object({ sessions: Lane, states: Lane, loads: Lane }),
            fallbacks: Type.Object({ claim: Type.Integer(), submit: Type.Integer() }),
            reasons: Type.Record(Type.String(), Type.Integer(), { description: 'why batches rolled back, e.g. "claim:40P01" (a PostgreSQL error code), "claim:NoWork"' }),
          }),
          403: ErrorResponse,
        },
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      return { ...work.batchStats, reads: { sessions: app.authService.sessionStats, ...work.batchStats.reads } };
    },
  );
}
