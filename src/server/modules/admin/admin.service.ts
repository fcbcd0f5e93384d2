import { AppError } from '../../../core/app-error.ts';
import type { Role } from '../../../db/tables/foundation.ts';
import type { AppContext } from '../../context.ts';
import { authRepo } from '../auth/auth.repo.ts';
import { type AuthUser, toPublicUser } from '../auth/auth.service.ts';

export class AdminService {
  constructor(private readonly ctx: Pick<AppContext, 'db'>) {}

  /**
   * Changes a user's role. Requesters own an organisation's projects and money, workers own
   * earnings: moving an account across that line would orphan one or the other, so it is refused.
   */
  setRole(me: AuthUser, id: string, role: Role) {
    return this.ctx.db.transaction().execute(async (trx) => {
      const target = await authRepo.findUserById(trx, id);
      if (!target) throw new AppError('not_found', 'user not found');
      if (target.id === me.id && role !== 'admin') throw new AppError('invalid_state', 'an operator cannot demote themselves');
      const workerSide = (r: Role) => r === 'worker' || r === 'reviewer';
      if ((target.role === 'requester' && workerSide(role)) || (workerSide(target.role) && role === 'requester')) {
        throw new AppError('invalid_state', 'a requester account cannot become a worker or the reverse');
      }
      return toPublicUser((await authRepo.setRole(trx, id, role))!);
    });
  }

  async listUsers(opts: { q?: string; limit: number; offset: number }) {
    return (await authRepo.listUsers(this.ctx.db, opts)).map(toPublicUser);
  }
}
