import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import { formatFor, type ItemsService } from './items.service.ts';

export function itemRoutes(app: App, items: ItemsService) {
  // Own scope: every body reaches the handler as a raw stream (imports are never buffered whole).
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    scope.post(
      '/api/projects/:id/items',
      {
        bodyLimit: Number.MAX_SAFE_INTEGER, // the service counts bytes itself against DURE_MAX_BODY_BYTES
        schema: {
          tags: ['projects'],
          summary: 'Import items: JSON array, JSONL, CSV, Label Studio tasks or a zip of images. All or nothing.',
          description:
            'Content-Type picks the format: `application/json` (array of item objects; Label Studio task arrays with `?format=labelstudio`), ' +
            '`application/x-ndjson` (one object a line), `text/csv` (header row = keys; a `_gold` column holds JSON), `application/zip` ' +
            '(every image becomes `{image: "asset:<sha256>", filename, width, height}`). An item may carry `_gold: {<control>: <answer>}`. ' +
            'Any bad line answers 400 with up to 100 `{line, path?, problem}` details and nothing is stored.',
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          querystring: Type.Object({
            format: Type.Optional(Type.String()),
            answers: Type.Optional(Type.Literal('gold', { description: 'labelstudio: import each task\'s annotation (ground truth, else first) as the item\'s gold answer' })),
          }),
          response: {
            201: Type.Object({
              imported: Type.Integer(),
              gold: Type.Integer(),
              skipped: Type.Optional(Type.Array(Type.Object({ name: Type.String(), reason: Type.String() }))),
            }),
            400: ErrorResponse,
            404: ErrorResponse,
            413: ErrorResponse,
            415: ErrorResponse,
          },
        },
      },
      async (req, reply) => {
        const user = requireRole(req, 'requester', 'admin');
        const format = formatFor(req.headers['content-type'], (req.query as { format?: string }).format);
        const result = await items.import(user, (req.params as { id: string }).id, req.body as Readable, format, { answers: (req.query as { answers?: 'gold' }).answers });
        return reply.status(201).send(result);
      },
    );
  });
}
