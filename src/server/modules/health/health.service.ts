import type { AppContext } from '../../context.ts';
import { VERSION } from '../../version.ts';
import { pingDb } from './health.repo.ts';

export async function health(ctx: Pick<AppContext, 'db' | 'dbKind'>) {
  await pingDb(ctx.db);
  return { status: 'ok' as const, db: ctx.dbKind, version: VERSION };
}
