import { Type } from 'typebox';
import type { Role } from '../../../db/tables/foundation.ts';
import type { App } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse, UserSchema } from '../../schemas.ts';
import type { AdminService } from './admin.service.ts';

export function adminRoutes(app: App, admin: AdminService) {
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
      return { user: await admin.setRole(me, req.params.id, (req.body as { role: Role }).role) };
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
      return { users: await admin.listUsers({ q: q.q, limit: q.limit ?? 50, offset: q.offset ?? 0 }) };
    },
  );
}
