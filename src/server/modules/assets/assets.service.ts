import type { Readable } from 'node:stream';
import { AppError } from '../../../core/app-error.ts';
import type { AppContext } from '../../context.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { itemsRepo } from '../items/items.repo.ts';
import { type AssetStore, sniffMime } from './asset-store.ts';

export class AssetsService {
  constructor(
    private readonly ctx: Pick<AppContext, 'db'>,
    private readonly store: AssetStore,
  ) {}

  /**
   * An asset's bytes, for someone allowed to see an item of a project holding it: the owning
   * organisation, operators, and workers/reviewers handed work in that project. Anyone else
   * gets 404 — no hint that the file exists.
   */
  async open(user: AuthUser, sha256: string): Promise<{ mime: string; stream: Readable }> {
    const asset = await itemsRepo.findAsset(this.ctx.db, sha256);
    if (!asset) throw new AppError('not_found', 'asset not found');
    const projects = await itemsRepo.projectsOfAsset(this.ctx.db, sha256);
    const allowed =
      user.role === 'admin' ||
      projects.some((p) => p.org_id === user.orgId) ||
      ((user.role === 'worker' || user.role === 'reviewer') &&
        (await itemsRepo.workedOnAny(this.ctx.db, user.id, projects.map((p) => p.id))));
    const stream = allowed ? this.store.open(sha256) : null;
    if (!stream) throw new AppError('not_found', 'asset not found');
    return { mime: asset.mime, stream };
  }

  /** Stores a file a worker uploads for a file control of their live assignment. */
  async upload(user: AuthUser, assignmentId: number, body: Buffer, name: string | null) {
    const a = await itemsRepo.findAssignment(this.ctx.db, assignmentId);
    if (!a || a.worker_id !== user.id) throw new AppError('not_found', 'assignment not found');
    if (a.status !== 'leased' || new Date(a.expires_at) <= new Date()) {
      throw new AppError('lease_expired', 'this assignment is no longer yours to work on');
    }
    if (body.length === 0) throw new AppError('bad_request', 'the upload is empty');
    const mime = sniffMime(body) ?? 'application/octet-stream';
    const sha256 = await this.store.put(body);
    await this.ctx.db.transaction().execute(async (trx) => {
      await itemsRepo.upsertAsset(trx, { sha256, mime, size: body.length, width: null, height: null });
      await itemsRepo.linkAsset(trx, a.project_id, sha256);
    });
    return { asset: `asset:${sha256}`, mime, size: body.length, name };
  }
}
