import { Type } from 'typebox';
import type { App } from '../../context.ts';
import { requireUser } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import type { AssetsService } from './assets.service.ts';

export function assetRoutes(app: App, assets: AssetsService, maxAssetBytes: number) {
  app.get(
    '/api/assets/:sha256',
    {
      schema: {
        tags: ['projects'],
        summary: 'Download an asset (an item image, an uploaded file) you may see',
        params: Type.Object({ sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
      },
    },
    async (req, reply) => {
      const { mime, stream } = await assets.open(requireUser(req), req.params.sha256);
      reply.header('cache-control', 'private, max-age=31536000, immutable');
      reply.header('x-content-type-options', 'nosniff');
      // Uploaded documents download; they are never rendered as a page of ours.
      if (!/^(image|audio|video)\//.test(mime)) reply.header('content-disposition', 'attachment');
      return reply.type(mime).send(stream);
    },
  );

  // Uploads for `file` controls; the raw file is the body.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxAssetBytes }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/work/assignments/:id/files',
      {
        bodyLimit: maxAssetBytes,
        schema: {
          tags: ['work'],
          summary: 'Upload a file for a file control of your live assignment; put the returned `asset` in the answer',
          description: 'Send the raw file as the body; `X-Filename` (URI-encoded) names it. Its type is judged by content.',
          params: Type.Object({ id: Type.Integer() }),
          response: {
            201: Type.Object({ asset: Type.String(), mime: Type.String(), size: Type.Integer(), name: Type.Union([Type.String(), Type.Null()]) }),
            404: ErrorResponse,
            409: ErrorResponse,
          },
        },
      },
      async (req, reply) => {
        const raw = req.headers['x-filename'];
        let name: string | null = null;
        if (typeof raw === 'string') {
          try {
            name = decodeURIComponent(raw).slice(0, 255);
          } catch {
            name = raw.slice(0, 255);
          }
        }
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        return reply.status(201).send(await assets.upload(requireUser(req), (req.params as { id: number }).id, body, name));
      },
    );
  });
}
