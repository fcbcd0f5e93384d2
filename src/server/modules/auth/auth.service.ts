import crypto from 'node:crypto';
import { AppError } from '../../../core/app-error.ts';
import type { Role } from '../../../db/tables/foundation.ts';
import type { AppContext } from '../../context.ts';
import { Coalescer } from '../../coalescer.ts';
import { FailureLimiter } from '../../rate-limit.ts';
import { authRepo, type UserRow } from './auth.repo.ts';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './password.ts';

export interface PublicUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  level: number;
  orgId: string | null;
  locale: string;
  status: string;
  statusReason: string | null;
  createdAt: string;
}

export interface AuthUser extends PublicUser {}

export function toPublicUser(u: UserRow): PublicUser {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    role: u.role,
    level: u.level,
    orgId: u.org_id,
    locale: u.locale,
    status: u.status,
    statusReason: u.status_reason,
    createdAt: new Date(u.created_at).toISOString(),
  };
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const randomToken = () => crypto.randomBytes(32).toString('base64url');
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const TOKEN_PREFIX = 'dure_';

/** Session hints kept (each ~200 bytes: ~10 MB at most). */
const SEEN_MAX = 50_000;

export class AuthService {
  // Per account: 10 failures in 15 minutes; per address: 50 (shared offices and NAT).
  private readonly perAccount = new FailureLimiter(10, 15 * 60_000);
  private readonly perAddress = new FailureLimiter(50, 15 * 60_000);

  constructor(private readonly ctx: Pick<AppContext, 'db' | 'config'>) {}

  async signup(input: {
    email: string;
    password: string;
    displayName: string;
    role: 'worker' | 'requester';
    organisationName?: string;
    locale?: string;
  }): Promise<UserRow> {
    const email = input.email.trim();
    if (!EMAIL.test(email)) throw new AppError('validation_failed', 'email is not a valid address', [{ path: '/email', problem: 'not a valid email address' }]);
    const displayName = input.displayName.trim();
    if (!displayName) throw new AppError('validation_failed', 'displayName is required', [{ path: '/displayName', problem: 'must not be empty' }]);
    const weak = passwordProblem(input.password, email);
    if (weak) throw new AppError('weak_password', weak, [{ path: '/password', problem: weak }]);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.ctx.db.transaction().execute(async (trx) => {
        if (await authRepo.findUserByEmail(trx, email)) throw emailTaken();
        let orgId: string | null = null;
        if (input.role === 'requester') {
          const org = await authRepo.insertOrganisation(trx, input.organisationName?.trim() || displayName);
          orgId = org.id;
        }
        return authRepo.insertUser(trx, {
          email,
          password_hash: passwordHash,
          display_name: displayName,
          role: input.role,
          org_id: orgId,
          locale: input.locale === 'en' ? 'en' : 'ko',
          status_reason: null,
        });
      });
    } catch (e) {
      // Two signups racing past the check meet the unique index instead.
      if ((e as { code?: string }).code === '23505') throw emailTaken();
      throw e;
    }
  }

  async login(email: string, password: string, ip: string): Promise<UserRow> {
    const accountKey = email.trim().toLowerCase();
    const wait = Math.max(this.perAccount.retryAfter(accountKey), this.perAddress.retryAfter(ip));
    if (wait > 0) {
      throw new AppError('rate_limited', `too many failed log-in attempts; try again in ${wait} seconds`, undefined, {
        'retry-after': String(wait),
      });
    }
    const user = await authRepo.findUserByEmail(this.ctx.db, accountKey);
    const ok = user ? await verifyPassword(user.password_hash, password) : (await verifyPassword(await dummyHash(), password), false);
    if (!user || !ok) {
      this.perAccount.fail(accountKey);
      this.perAddress.fail(ip);
      throw new AppError('invalid_credentials', 'email or password is incorrect');
    }
    if (user.status === 'banned') throw new AppError('forbidden', 'this account has been closed');
    this.perAccount.reset(accountKey);
    return user;
  }

  async createSession(userId: string, meta: { ip: string | null; userAgent: string | null }) {
    const token = randomToken();
    const expiresAt = new Date(Date.now() + this.ctx.config.sessionTtlHours * 3600_000);
    await authRepo.insertSession(this.ctx.db, { id: sha256(token), userId, expiresAt, ...meta });
    return { token, expiresAt };
  }

  async revokeSession(token: string): Promise<void> {
    const id = sha256(token);
    await authRepo.revokeSession(this.ctx.db, id);
    this.seen.delete(id);
  }

  /**
   * Every request with a session cookie looks its session up: concurrent lookups go to the
   * database together, one statement per batch (see coalescer.ts). Each lookup still reads the
   * database after its request arrived: a logout or a pause counts at once.
   */
  /** How session lookups were batched (GET /api/work/batches shows it beside the work lanes). */
  get sessionStats() {
    return this.sessions.stats;
  }
  private readonly sessions = new Coalescer<string, UserRow & { session_id: string } | undefined>(
    async (_lane, ids) => {
      const rows = await authRepo.findLiveSessions(this.ctx.db, [...new Set(ids)]);
      const byId = new Map(rows.map((r) => [r.session_id, r]));
      return ids.map((id) => byId.get(id));
    },
    { max: 500, concurrency: 2 },
  );

  /**
   * Looks a session cookie up (`found`: its user, or null when it is unknown, revoked or
   * expired) and says at once whom it belonged to when this process last looked it up (`hint`):
   * a hint for routes that read ahead (plugins/auth.ts `ReadAhead`), never an authority — every
   * request still looks its session up, and a read-ahead is used only when that lookup names the
   * same user. A hint is forgotten when a lookup finds the session gone or it is revoked here.
   */
  lookupSession(token: string) {
    const id = sha256(token);
    return { hint: this.seen.get(id), found: this.findSession(id) };
  }

  /** The hint `lookupSession` would give, without a lookup (tests, operators). */
  sessionHint(token: string): string | undefined {
    return this.seen.get(sha256(token));
  }

  private async findSession(id: string) {
    const row = await this.sessions.call('', id);
    if (!row) {
      this.seen.delete(id);
      return null;
    }
    if (this.seen.get(id) !== row.id) {
      if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(id, row.id);
    }
    return { user: row, sessionId: row.session_id };
  }

  /** Session id (hash) → user id, oldest first; at most SEEN_MAX entries. */
  private readonly seen = new Map<string, string>();

  async userForToken(token: string) {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const row = await authRepo.findLiveToken(this.ctx.db, sha256(token));
    if (!row) return null;
    await authRepo.touchToken(this.ctx.db, row.token_id);
    return { user: row, tokenId: row.token_id, scopes: row.token_scopes };
  }

  async createToken(userId: string, name: string, scopes: string[]) {
    const clean = name.trim();
    if (!clean) throw new AppError('validation_failed', 'token name is required', [{ path: '/name', problem: 'must not be empty' }]);
    const uniq = [...new Set(scopes)];
    const token = TOKEN_PREFIX + randomToken();
    const row = await authRepo.insertToken(this.ctx.db, {
      userId,
      name: clean,
      hash: sha256(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      scopes: uniq,
    });
    return { token, row };
  }

  listTokens(userId: string) {
    return authRepo.listTokens(this.ctx.db, userId);
  }

  async revokeToken(userId: string, id: string) {
    const r = await authRepo.revokeToken(this.ctx.db, userId, id);
    if (!r) throw new AppError('not_found', 'token not found');
  }

  /** Creates the operator from DURE_ADMIN_EMAIL / DURE_ADMIN_PASSWORD when no such user exists. */
  async bootstrapAdmin(): Promise<'created' | 'exists' | 'skipped'> {
    const { adminEmail, adminPassword } = this.ctx.config;
    if (!adminEmail || !adminPassword) return 'skipped';
    const existing = await authRepo.findUserByEmail(this.ctx.db, adminEmail);
    if (existing) {
      if (existing.role !== 'admin') await authRepo.setRole(this.ctx.db, existing.id, 'admin');
      return 'exists';
    }
    await authRepo.insertUser(this.ctx.db, {
      email: adminEmail,
      password_hash: await hashPassword(adminPassword),
      display_name: 'Operator',
      role: 'admin',
      org_id: null,
      status_reason: null,
    });
    return 'created';
  }
}

const emailTaken = () =>
  new AppError('email_taken', 'an account with this email already exists', [{ path: '/email', problem: 'already registered' }]);
