import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../../core/app-error.ts';
import type { Role } from '../../../db/tables/foundation.ts';
import type { AppContext } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse, UserSchema } from '../../schemas.ts';
import { authRepo } from '../auth/auth.repo.ts';
import { toPublicUser } from '../auth/auth.service.ts';

export function adminRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post(
    '/api/admin/users/:id/role',
    {
      schema: {
        tags: ['admin'],
        summary: "Change a user's role (e.g. raise a worker to reviewer)",
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({
          role: Type.Union([Type.Literal('worker'), Type.Literal('reviewer'), Type.Literal('requester'), Type.Literal('admin')]),
        }),
        response: { 200: Type.Object({ user: UserSchema }), 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const me = requireRole(req, 'admin');
      const { id } = req.params as { id: string };
      const { role } = req.body as { role: Role };
      return ctx.db.transaction().execute(async (trx) => {
        const target = await authRepo.findUserById(trx, id);
        if (!target) throw new AppError('not_found', 'user not found');
        if (target.id === me.id && role !== 'admin') throw new AppError('invalid_state', 'an operator cannot demote themselves');
        // Requesters own an organisation's projects and money, workers own earnings: moving an
        // account across that line would orphan one or the other, so it is refused.
        const workerSide = (r: Role) => r === 'worker' || r === 'reviewer';
        if ((target.role === 'requester' && workerSide(role)) || (workerSide(target.role) && role === 'requester')) {
          throw new AppError('invalid_state', 'a requester account cannot become a worker or the reverse');
        }
        const user = await authRepo.setRole(trx, id, role);
        return { user: toPublicUser(user!) };
      });
    },
  );

  app.get(
    '/api/admin/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'List users (operator)',
        querystring: Type.Object({
          q: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
        }),
        response: { 200: Type.Object({ users: Type.Array(UserSchema) }) },
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      const q = req.query as { q?: string; limit?: number; offset?: number };
      const rows = await authRepo.listUsers(ctx.db, { q: q.q, limit: q.limit ?? 50, offset: q.offset ?? 0 });
      return { users: rows.map(toPublicUser) };
    },
  );
}
