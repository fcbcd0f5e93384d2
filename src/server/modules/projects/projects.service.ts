import { AppError, type ErrorDetail } from '../../../core/app-error.ts';
import { resolveSettings, type ProjectSettings } from '../../../core/projects/settings.ts';
import { canTransition, type ProjectStatus } from '../../../core/projects/status.ts';
import { validateTemplate } from '../../../core/templates/validate-template.ts';
import type { Template } from '../../../core/templates/types.ts';
import type { Queryable } from '../../../db/schema.ts';
import type { AppContext } from '../../context.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { projectsRepo } from './projects.repo.ts';

export type ProjectRow = NonNullable<Awaited<ReturnType<typeof projectsRepo.findById>>>;

export interface ProjectInput {
  name?: string;
  instructions?: string;
  template?: unknown;
  settings?: unknown;
  tags?: string[];
  status?: ProjectStatus;
}

export function projectOut(p: ProjectRow) {
  return {
    id: p.id,
    orgId: p.org_id,
    name: p.name,
    instructions: p.instructions,
    template: p.template as Template,
    settings: p.settings as unknown as ProjectSettings,
    tags: p.tags,
    status: p.status,
    statusReason: p.status_reason,
    createdAt: new Date(p.created_at).toISOString(),
    updatedAt: new Date(p.updated_at).toISOString(),
    publishedAt: p.published_at ? new Date(p.published_at).toISOString() : null,
  };
}

function cleanTags(tags: string[] | undefined, problems: ErrorDetail[]): string[] | undefined {
  if (tags === undefined) return undefined;
  const out = [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (out.length > 20) problems.push({ path: '/tags', problem: 'at most 20 tags' });
  return out;
}

/**
 * Loads a project the caller may manage: requesters of its organisation and operators.
 * Anyone else gets 404, so another organisation's projects are indistinguishable from none.
 */
export async function loadOwnedProject(db: Queryable, user: AuthUser, id: string, lock = false): Promise<ProjectRow> {
  const p = lock ? await projectsRepo.lockById(db, id) : await projectsRepo.findById(db, id);
  if (!p || (user.role !== 'admin' && p.org_id !== user.orgId)) throw new AppError('not_found', 'project not found');
  return p;
}

export class ProjectsService {
  constructor(private readonly ctx: Pick<AppContext, 'db'>) {}

  async create(user: AuthUser, input: ProjectInput & { name: string; template: unknown }) {
    if (!user.orgId) throw new AppError('forbidden', 'only requesters of an organisation can create projects');
    const problems: ErrorDetail[] = [];
    const name = input.name.trim();
    if (!name) problems.push({ path: '/name', problem: 'must not be empty' });
    const t = validateTemplate(input.template);
    if (!t.ok) problems.push(...t.problems.map((p) => ({ path: `/template${p.path}`, problem: p.problem })));
    const s = resolveSettings(input.settings);
    problems.push(...s.problems);
    const tags = cleanTags(input.tags, problems) ?? [];
    if (problems.length) throw new AppError('validation_failed', 'the project is not valid', problems);
    const row = await projectsRepo.insert(this.ctx.db, {
      orgId: user.orgId,
      createdBy: user.id,
      name,
      instructions: input.instructions ?? '',
      template: t.ok ? t.template : null,
      settings: s.settings,
      tags,
    });
    return row;
  }

  get(user: AuthUser, id: string) {
    return loadOwnedProject(this.ctx.db, user, id);
  }

  list(user: AuthUser) {
    if (user.role === 'admin') return projectsRepo.listForOrg(this.ctx.db, null);
    if (!user.orgId) throw new AppError('forbidden', 'only requesters have projects');
    return projectsRepo.listForOrg(this.ctx.db, user.orgId);
  }

  async update(user: AuthUser, id: string, input: ProjectInput) {
    return this.ctx.db.transaction().execute(async (trx) => {
      const p = await loadOwnedProject(trx, user, id, true);
      const problems: ErrorDetail[] = [];
      let template: Template | undefined;
      if (input.template !== undefined) {
        const t = validateTemplate(input.template);
        if (!t.ok) problems.push(...t.problems.map((x) => ({ path: `/template${x.path}`, problem: x.problem })));
        else template = t.template;
        if (t.ok && (await projectsRepo.countAnnotations(trx, id)) > 0) {
          throw new AppError('invalid_state', 'the form cannot change once work has been submitted; copy the project instead');
        }
      }
      let settings: ProjectSettings | undefined;
      if (input.settings !== undefined) {
        const s = resolveSettings(input.settings, p.settings as unknown as ProjectSettings);
        problems.push(...s.problems);
        settings = s.settings;
      }
      const tags = cleanTags(input.tags, problems);
      const name = input.name?.trim();
      if (name !== undefined && !name) problems.push({ path: '/name', problem: 'must not be empty' });
      if (problems.length) throw new AppError('validation_failed', 'the change is not valid', problems);
      if (input.status !== undefined && input.status !== p.status) {
        await this.checkTransition(trx, p, input.status);
      }
      const updated = await projectsRepo.update(trx, id, {
        name,
        instructions: input.instructions,
        template,
        settings,
        tags,
        status: input.status,
        statusReason: input.status !== undefined ? null : undefined,
        publishedAt: input.status === 'active' && !p.published_at ? new Date() : undefined,
      });
      if (settings && settings.overlap !== (p.settings as unknown as ProjectSettings).overlap) {
        await projectsRepo.retarget(trx, id, settings.overlap);
      }
      return updated;
    });
  }

  publish(user: AuthUser, id: string) {
    return this.update(user, id, { status: 'active' });
  }

  private async checkTransition(db: Queryable, p: ProjectRow, to: ProjectStatus) {
    if (!canTransition(p.status, to)) {
      throw new AppError('invalid_state', `a ${p.status} project cannot become ${to}`);
    }
    if (to === 'active') {
      const c = await projectsRepo.counts(db, p.id);
      if (c.items === 0) throw new AppError('invalid_state', 'import at least one item before publishing');
    }
  }

  async stats(user: AuthUser, id: string) {
    const p = await loadOwnedProject(this.ctx.db, user, id);
    const c = await projectsRepo.counts(this.ctx.db, id);
    return { project: p, counts: c };
  }

  async items(user: AuthUser, id: string, opts: { after: number; limit: number; gold?: boolean }) {
    await loadOwnedProject(this.ctx.db, user, id);
    return projectsRepo.listItems(this.ctx.db, id, opts);
  }
}
