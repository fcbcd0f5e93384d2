import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { connect } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { buildApp } from '../server/app.ts';

/** Starts the platform: config → database → migrations → operator bootstrap → HTTP. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: Number(process.env.DURE_DB_POOL_SIZE) || 20 });
  try {
    const applied = await migrateToLatest(db.db);
    if (applied.length) console.error(`applied migrations: ${applied.join(', ')}`);
  } catch (e) {
    await db.close();
    throw e;
  }
  const app = await buildApp({ config, db, ownsDb: true });
  const admin = await app.authService.bootstrapAdmin();
  if (admin === 'created') app.log.info({ email: config.adminEmail }, 'operator account created');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    // Fastify stops accepting connections, lets in-flight requests finish, then runs onClose
    // hooks (background jobs, then the database).
    const force = setTimeout(() => {
      app.log.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(`Dure ${config.databaseUrl ? 'on PostgreSQL' : `on embedded PGlite (${config.dataDir})`} at http://${config.host}:${config.port}`);
}

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('run the server (PORT, HOST, DATABASE_URL, DURE_DATA_DIR, …)')
    .action(async () => {
      await serve();
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const config = loadConfig();
      const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrateToLatest(db.db);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.close();
      }
    });
}

export { ConfigError };
