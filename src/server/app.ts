import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { AppContext } from './context.ts';
import { installErrorHandler } from './error-handler.ts';
import { adminRoutes } from './modules/admin/admin.routes.ts';
import { AdminService } from './modules/admin/admin.service.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { AuthService } from './modules/auth/auth.service.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { paymentsRoutes } from './modules/payments/payments.routes.ts';
import { PaymentsService } from './modules/payments/payments.service.ts';
import { installAuth } from './plugins/auth.ts';
import { projectRoutes } from './modules/projects/projects.routes.ts';
import { ProjectsService } from './modules/projects/projects.service.ts';
import { installWork } from './modules/work/index.ts';
import { registerWorkMoney } from './modules/payments/hooks.ts';
import { installQuality } from './modules/quality/index.ts';
import { installReview } from './modules/review/index.ts';
import { LocalAssetStore } from './modules/assets/asset-store.ts';
import { assetRoutes } from './modules/assets/assets.routes.ts';
import { AssetsService } from './modules/assets/assets.service.ts';
import { itemRoutes } from './modules/items/items.routes.ts';
import { exportRoutes } from './modules/exports/exports.routes.ts';
import { ExportsService } from './modules/exports/exports.service.ts';
import { installWebhooks, webhookCompletionListener } from './modules/webhooks/index.ts';
import { InferenceService, installInference } from './modules/inference/index.ts';
import { ItemsService } from './modules/items/items.service.ts';
import { VERSION } from './version.ts';

export interface BuildOptions {
  config: Config;
  db: Db;
  /** Close the database when the app closes (true for `dure serve`, false when a test owns it). */
  ownsDb?: boolean;
  logger?: boolean;
}

/** Builds the Fastify app: external plugins, then app plugins, then routes, then the web app. */
export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config, db } = opts;
  const app = Fastify({
    logger:
      opts.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
              censor: '[redacted]',
            },
          },
    bodyLimit: config.maxBodyBytes,
    trustProxy: process.env.DURE_TRUST_PROXY === 'true',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const ctx: AppContext = { config, db: db.db, dbKind: db.kind, log: app.log };

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Dure API',
        version: VERSION,
        description:
          'The Dure crowdsourcing platform. Authenticate with the session cookie from /api/auth/login or with `Authorization: Bearer <token>` from POST /api/tokens. Errors are `{"error": {"code", "message", "details?"}}`. Money is integer won.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'dure_session' } } },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  installErrorHandler(app);
  const auth = new AuthService(ctx);
  installAuth(app, auth, config.publicUrl);

  healthRoutes(app, ctx);
  authRoutes(app, auth, config.secureCookies);
  adminRoutes(app, new AdminService(ctx));
  const projects = new ProjectsService(ctx);
  const payments = new PaymentsService(ctx);
  const inference = new InferenceService(ctx);
  projectRoutes(app, projects, [payments.statsExtra, inference.statsExtra]);
  paymentsRoutes(app, payments);
  const work = installWork(app, ctx);
  // Money moves with the work: claims reserve pay + fee, submits pay into pending, releases return it.
  registerWorkMoney(work, ctx, app);
  const quality = installQuality(app, ctx, work);
  installReview(app, ctx, work, quality);
  const assetStore = new LocalAssetStore(config.assetDir);
  itemRoutes(app, new ItemsService(ctx, assetStore));
  assetRoutes(app, new AssetsService(ctx, assetStore), config.maxAssetBytes);
  exportRoutes(app, new ExportsService(ctx, assetStore), config.publicUrl);
  installInference(app, ctx, work, inference);
  quality.onRemoval(inference.onAnswersExcluded);
  // Last: its submit hook must run after the other modules' hooks (it reports their outcome).
  installWebhooks(app, ctx, work);
  // Items dynamic overlap completes in the inference job are reported like those a submit completes.
  inference.onItemsCompleted(webhookCompletionListener());

  await serveWebApp(app, config.webDir);

  if (opts.ownsDb) app.addHook('onClose', async () => db.close());
  app.decorate('authService', auth);
  return app;
}

/** The built React app from dist/web, with index.html for every non-API path (client routing). */
async function serveWebApp(app: FastifyInstance, webDir: string) {
  const index = path.join(webDir, 'index.html');
  if (!fs.existsSync(index)) {
    app.get('/', async (_req, reply) =>
      reply.type('text/html').send('<!doctype html><title>Dure</title><p>The web app is not built. Run <code>npm run build</code>.</p>'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: webDir, wildcard: false, index: ['index.html'] });
  app.get('/*', async (req, reply) => {
    const p = req.url.split('?')[0]!;
    if (p.startsWith('/api/') || p.startsWith('/docs')) {
      return reply.status(404).send({ error: { code: 'not_found', message: `no route for ${req.method} ${p}` } });
    }
    const file = path.join(webDir, path.normalize(p));
    if (file.startsWith(webDir) && fs.existsSync(file) && fs.statSync(file).isFile()) return reply.sendFile(path.relative(webDir, file));
    return reply.type('text/html').sendFile('index.html');
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService;
  }
}
