import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import { type ProjectInput, projectOut, type ProjectsService } from './projects.service.ts';

const Status = Type.Union(['draft', 'active', 'paused', 'completed', 'archived'].map((s) => Type.Literal(s)));
const ProjectSchema = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  name: Type.String(),
  instructions: Type.String(),
  template: Type.Any(),
  settings: Type.Any(),
  tags: Type.Array(Type.String()),
  status: Type.String(),
  statusReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  publishedAt: Type.Union([Type.String(), Type.Null()]),
});
const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const EXAMPLE = {
  name: '고양이/개 분류',
  instructions: '사진을 보고 고양이인지 개인지 고르세요.',
  template: { display: [{ type: 'image', field: 'image' }], controls: [{ type: 'single_choice', name: 'label', options: ['cat', 'dog'] }] },
  settings: { payPerAnnotation: 30, overlap: 3, goldRate: 0.1 },
};

export type StatsExtra = (projectId: string) => Promise<Record<string, unknown>>;

export function projectRoutes(app: App, projects: ProjectsService, statsExtras: StatsExtra[] = []) {
  app.post(
    '/api/projects',
    {
      schema: {
        tags: ['projects'],
        summary: 'Create a project (draft) with its labeling form and settings',
        body: Type.Object(
          {
            name: Type.String({ maxLength: 200 }),
            instructions: Type.Optional(Type.String({ maxLength: 100_000 })),
            template: Type.Any(),
            settings: Type.Optional(Type.Any()),
            tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }))),
          },
          { examples: [EXAMPLE] },
        ),
        response: { 201: Type.Object({ project: ProjectSchema }), 400: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester', 'admin');
      const row = await projects.create(user, req.body as ProjectInput & { name: string; template: unknown });
      return reply.status(201).send({ project: projectOut(row) });
    },
  );

  app.get(
    '/api/projects',
    { schema: { tags: ['projects'], summary: "Your organisation's projects", response: { 200: Type.Object({ projects: Type.Array(ProjectSchema) }) } } },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return { projects: (await projects.list(user)).map(projectOut) };
    },
  );

  app.get(
    '/api/projects/:id',
    { schema: { tags: ['projects'], summary: 'One project', params: Id, response: { 200: Type.Object({ project: ProjectSchema }), 404: ErrorResponse } } },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return { project: projectOut(await projects.get(user, req.params.id)) };
    },
  );

  app.patch(
    '/api/projects/:id',
    {
      schema: {
        tags: ['projects'],
        summary: 'Change a project: name, instructions, form (until work arrives), settings, tags, status',
        params: Id,
        body: Type.Object({
          name: Type.Optional(Type.String({ maxLength: 200 })),
          instructions: Type.Optional(Type.String({ maxLength: 100_000 })),
          template: Type.Optional(Type.Any()),
          settings: Type.Optional(Type.Any()),
          tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }))),
          status: Type.Optional(Status),
        }),
        response: { 200: Type.Object({ project: ProjectSchema }), 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return { project: projectOut(await projects.update(user, req.params.id, req.body as ProjectInput)) };
    },
  );

  app.post(
    '/api/projects/:id/publish',
    { schema: { tags: ['projects'], summary: 'Open the project to workers', params: Id, response: { 200: Type.Object({ project: ProjectSchema }), 409: ErrorResponse } } },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return { project: projectOut(await projects.publish(user, req.params.id)) };
    },
  );

  app.get(
    '/api/projects/:id/stats',
    {
      schema: {
        tags: ['projects'],
        summary: 'Progress, quality and cost of a project',
        params: Id,
        response: {
          200: Type.Object(
            {
              items: Type.Integer(),
              goldItems: Type.Integer(),
              completedItems: Type.Integer(),
              annotations: Type.Integer(),
              approved: Type.Integer(),
              rejected: Type.Integer(),
              pendingReview: Type.Integer(),
              inRework: Type.Integer(),
              liveAssignments: Type.Integer(),
              workers: Type.Integer(),
              medianSeconds: Type.Union([Type.Number(), Type.Null()]),
            },
            { additionalProperties: true },
          ),
        },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      const { counts: c } = await projects.stats(user, req.params.id);
      const extra = await Promise.all(statsExtras.map((f) => f(req.params.id)));
      return Object.assign(
        {
          items: c.items,
          goldItems: c.gold_items,
          completedItems: c.completed_items,
          annotations: c.annotations,
          approved: c.approved,
          rejected: c.rejected,
          pendingReview: c.pending_review,
          inRework: c.in_rework,
          liveAssignments: c.live_leases,
          workers: c.workers,
          medianSeconds: c.median_ms === null ? null : Math.round(Number(c.median_ms) / 100) / 10,
        },
        ...extra,
      );
    },
  );

  app.get(
    '/api/projects/:id/items',
    {
      schema: {
        tags: ['projects'],
        summary: 'Page through items (keyset: pass the last id as `after`)',
        params: Id,
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          gold: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      const q = req.query as { after?: number; limit?: number; gold?: boolean };
      const rows = await projects.items(user, req.params.id, { after: q.after ?? 0, limit: q.limit ?? 100, gold: q.gold });
      return {
        items: rows.map((r) => ({
          id: r.id,
          data: r.data,
          gold: r.gold,
          isGold: r.is_gold,
          answers: r.answers,
          target: r.target,
          state: r.state,
          label: r.label,
          confidence: r.confidence,
          createdAt: new Date(r.created_at).toISOString(),
        })),
      };
    },
  );
}
