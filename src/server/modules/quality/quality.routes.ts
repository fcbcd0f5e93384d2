import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireRole, requireUser } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import type { QualityService } from './quality.service.ts';

const Json = Type.Object({}, { additionalProperties: true });
const ProjectId = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Count = Type.Object({ have: Type.Number(), need: Type.Number() });

const Qualification = Type.Object({
  required: Type.Boolean(),
  status: Type.String({ description: 'not_required | not_started | in_progress | passed | failed' }),
  goldCount: Type.Integer(),
  passMark: Type.Number(),
  cooldownHours: Type.Number(),
  answered: Type.Integer(),
  correct: Type.Integer(),
  score: Nullable(Type.Number({ description: 'correct / answered so far' })),
  retryAt: Nullable(Type.String({ description: 'after a failed test: when it may be taken again' })),
  canStart: Type.Boolean(),
});

const Assignment = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  projectId: Type.String(),
  item: Type.Object({ id: Type.Integer(), data: Json }),
  expiresAt: Type.String(),
});

const Outcome = Type.Object({ answered: Type.Integer(), correct: Type.Integer() });

const MyQuality = Type.Object({
  level: Type.Integer(),
  role: Type.String(),
  status: Type.String(),
  statusReason: Nullable(Type.String({ description: 'why the account is paused or closed' })),
  accuracy: Nullable(Type.Number({ description: '(gold correct + review approvals) / judged answers' })),
  approved: Type.Integer(),
  gold: Outcome,
  reviews: Type.Object({ approved: Type.Integer(), rejected: Type.Integer() }),
  levelChangedAt: Nullable(Type.String()),
  levelReason: Nullable(Type.String()),
  reviewerEligible: Type.Boolean(),
  reviewerFromLevel: Type.Integer(),
  progress: Type.Object({
    nextLevel: Nullable(Type.Integer()),
    approved: Nullable(Count),
    judged: Nullable(Count),
    accuracy: Nullable(Type.Object({ have: Nullable(Type.Number()), need: Type.Number() })),
    fraction: Type.Number({ description: '0..1, the least-advanced requirement' }),
  }),
  asReviewer: Type.Object({ reviews: Type.Integer(), crossReviewed: Type.Integer(), agreement: Nullable(Type.Number()) }),
  projects: Type.Array(
    Type.Object({
      projectId: Type.String(),
      name: Type.String(),
      answers: Type.Integer(),
      gold: Type.Object({ answered: Type.Integer(), correct: Type.Integer(), accuracy: Nullable(Type.Number()) }),
      reviews: Type.Object({ approved: Type.Integer(), rejected: Type.Integer() }),
      minGoldAccuracy: Type.Number(),
      minGoldAnswers: Type.Integer(),
      standing: Type.String({ description: 'active | qualifying | qualified | failed | removed' }),
      reason: Nullable(Type.String({ description: 'why (e.g. the removal message)' })),
    }),
  ),
  skills: Type.Array(
    Type.Object({
      skill: Type.String(),
      gold: Outcome,
      reviews: Type.Object({ approved: Type.Integer(), rejected: Type.Integer() }),
      accuracy: Nullable(Type.Number()),
    }),
  ),
});

const Flag = Type.Object({
  id: Type.Integer(),
  worker: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String(), status: Type.String(), statusReason: Nullable(Type.String()) }),
  project: Nullable(Type.Object({ id: Type.String(), name: Nullable(Type.String()) })),
  kind: Type.String({ description: 'too_fast | same_answer | low_agreement | burst | shared_address' }),
  severity: Type.String({ description: 'low | medium | high (high pauses the worker automatically)' }),
  message: Type.String(),
  evidence: Json,
  status: Type.String({ description: 'open | dismissed | actioned' }),
  autoPaused: Type.Boolean(),
  decision: Nullable(Type.String()),
  decidedAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ControlAgreement = Type.Object({
  control: Type.String(),
  type: Type.String(),
  scale: Type.String({ description: 'nominal, or binary_per_option for multi_choice' }),
  fleissKappa: Nullable(Type.Number()),
  krippendorffAlpha: Nullable(Type.Number()),
  items: Type.Integer({ description: 'items with at least two answers' }),
  answers: Type.Integer(),
});

export function qualityRoutes(app: App, quality: QualityService) {
  app.get(
    '/api/me/quality',
    {
      schema: {
        tags: ['quality'],
        summary: 'Your level, accuracy and progress to the next level; per project (with any removal reason) and per skill',
        response: { 200: Type.Object({ quality: MyQuality }), 401: ErrorResponse },
      },
    },
    async (req) => ({ quality: await quality.myQuality(requireUser(req)) }),
  );

  app.get(
    '/api/work/projects/:id/qualification',
    {
      schema: {
        tags: ['quality'],
        summary: "Your standing on the project's qualification test: status, score, when you may retry",
        params: ProjectId,
        response: { 200: Type.Object({ qualification: Qualification }), 404: ErrorResponse },
      },
    },
    async (req) => ({ qualification: await quality.qualificationStatus(requireRole(req, 'worker', 'reviewer'), req.params.id) }),
  );

  app.post(
    '/api/work/projects/:id/qualification/next',
    {
      schema: {
        tags: ['quality'],
        summary:
          'The next question of the qualification test (starting it, or retrying after the cool-down). Answer it with the usual submit; `assignment` is null once the test is decided',
        params: ProjectId,
        response: {
          200: Type.Object({ assignment: Nullable(Assignment), qualification: Qualification }),
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (req) => quality.qualificationNext(requireRole(req, 'worker', 'reviewer'), req.params.id),
  );

  app.get(
    '/api/admin/flags',
    {
      schema: {
        tags: ['admin'],
        summary: 'Abuse flags with their evidence, newest first (keyset: pass the last id as `before`)',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('dismissed'), Type.Literal('actioned')])),
          workerId: Type.Optional(Type.String({ format: 'uuid' })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Object({ flags: Type.Array(Flag) }), 403: ErrorResponse },
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      return { flags: await quality.listFlags(req.query as { status?: string; workerId?: string; before?: number; limit?: number }) };
    },
  );

  app.post(
    '/api/admin/flags/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Decide a flag: dismiss (a worker it paused is resumed), pause, ban, or unpause the worker',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({
          decision: Type.Union([Type.Literal('dismiss'), Type.Literal('pause'), Type.Literal('ban'), Type.Literal('unpause')]),
          note: Type.Optional(Type.String({ maxLength: 2000, description: 'added to the reason the worker sees' })),
        }),
        response: { 200: Type.Object({ flag: Flag }), 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const admin = requireRole(req, 'admin');
      const body = req.body as { decision: 'dismiss' | 'pause' | 'ban' | 'unpause'; note?: string };
      return { flag: await quality.decideFlag(admin, req.params.id, body.decision, body.note) };
    },
  );

  app.get(
    '/api/projects/:id/agreement',
    {
      schema: {
        tags: ['projects'],
        summary: "Inter-annotator agreement per categorical control: Fleiss' kappa and Krippendorff's alpha (nominal)",
        params: ProjectId,
        response: {
          200: Type.Object({
            agreement: Type.Object({
              projectId: Type.String(),
              controls: Type.Array(ControlAgreement),
              answers: Type.Integer({ description: 'answers the figures rest on' }),
              capped: Type.Boolean({ description: 'true when only the most recent 200,000 answers were used' }),
              computedAt: Type.String(),
            }),
          }),
          404: ErrorResponse,
        },
      },
    },
    async (req) => ({ agreement: await quality.projectAgreement(requireRole(req, 'requester', 'admin'), req.params.id) }),
  );
}
