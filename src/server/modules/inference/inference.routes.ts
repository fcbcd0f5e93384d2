import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import type { InferenceService } from './inference.service.ts';

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Status = Type.Object({
  pending: Type.Boolean({ description: 'answers arrived since the last run; a recompute is queued' }),
  inferredItems: Type.Integer(),
  meanConfidence: Type.Union([Type.Number(), Type.Null()]),
  method: Type.Union([Type.String(), Type.Null()]),
  computedAt: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
});

export function inferenceRoutes(app: App, inference: InferenceService) {
  app.post(
    '/api/projects/:id/inference',
    {
      schema: {
        tags: ['projects'],
        summary: "Recompute the project's inferred labels now (runs in the background) and read the inference status",
        params: Id,
        response: { 202: Status, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester', 'admin');
      return reply.status(202).send(await inference.request(user, req.params.id));
    },
  );

  app.get(
    '/api/projects/:id/inference',
    {
      schema: {
        tags: ['projects'],
        summary: 'The status of truth inference for the project: items labelled, mean confidence, last run',
        params: Id,
        response: { 200: Status, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const user = requireRole(req, 'requester', 'admin');
      return inference.status(user, req.params.id);
    },
  );
}
