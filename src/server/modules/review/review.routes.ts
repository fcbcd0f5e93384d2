import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import type { ReviewService, Verdict } from './review.service.ts';

const Json = Type.Object({}, { additionalProperties: true });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const REVIEWERS = ['reviewer', 'admin'] as const;

const Review = Type.Object({
  id: Type.Integer({ description: 'the review task' }),
  annotationId: Type.Integer(),
  kind: Type.String({ description: 'review (decides the annotation) | cross (a blind second verdict that checks the first reviewer)' }),
  reason: Type.String({ description: 'why it is reviewed: first_k | sampled | rework | disagreement | cross_review' }),
  projectId: Type.String(),
  projectName: Type.String(),
  instructions: Type.String(),
  item: Type.Object({ id: Type.Integer(), data: Json }),
  result: Json,
  template: Json,
  worker: Type.String({ description: "the author's pseudonym in this project" }),
  submittedAt: Type.String(),
  durationMs: Type.Integer(),
  reworkCount: Type.Integer({ description: 'how many times this answer was already sent back' }),
  maxReworks: Type.Integer(),
  previous: Nullable(Type.Object({ result: Json, comment: Type.String() }, { description: 'for a rework: the answer it replaces and the reason it was sent back' })),
  expiresAt: Nullable(Type.String({ description: 'you hold this review until then' })),
});

export function reviewRoutes(app: App, review: ReviewService) {
  app.get(
    '/api/review/projects',
    {
      schema: {
        tags: ['review'],
        summary: 'Projects with reviews waiting for you (your level admitted, your own work left out)',
        response: {
          200: Type.Object({
            projects: Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                status: Type.String(),
                waiting: Type.Integer(),
                crossWaiting: Type.Integer(),
                payPerReview: Type.Integer(),
                reviewerMinLevel: Type.Integer(),
              }),
            ),
          }),
          403: ErrorResponse,
        },
      },
    },
    async (req) => ({ projects: await review.projects(requireRole(req, ...REVIEWERS)) }),
  );

  app.post(
    '/api/review/projects/:id/next',
    {
      schema: {
        tags: ['review'],
        summary: 'Take the next review in a project (your live one first); 204 when nothing waits for you',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ review: Review }), 204: Type.Null(), 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const r = await review.next(requireRole(req, ...REVIEWERS), req.params.id);
      if (!r) return reply.status(204).send(null);
      return { review: r };
    },
  );

  app.post(
    '/api/review/annotations/:id',
    {
      schema: {
        tags: ['review'],
        summary:
          'Your verdict on an annotation: approve, or reject with the reason its author will see (the answer goes back to them as rework; after maxReworks the rejection is final and the slot returns to the pool)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({
          verdict: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
          comment: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
        }),
        response: {
          200: Type.Object({
            review: Type.Object({
              id: Type.Integer(),
              annotationId: Type.Integer(),
              kind: Type.String(),
              verdict: Type.String(),
              comment: Nullable(Type.String()),
              annotationStatus: Type.String({ description: 'approved | rework | rejected (final) — for a cross-review, unchanged' }),
              agreed: Nullable(Type.Boolean({ description: 'cross-review: whether it agreed with the first verdict' })),
            }),
          }),
          400: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const body = req.body as { verdict: Verdict; comment?: string | null };
      const { review: r, replayed } = await review.decide(requireRole(req, ...REVIEWERS), req.params.id, body);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return { review: r };
    },
  );
}
