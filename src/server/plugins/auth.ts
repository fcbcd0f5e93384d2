import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/app-error.ts';
import type { Role } from '../../db/tables/foundation.ts';
import { type AuthService, type AuthUser, toPublicUser } from '../modules/auth/auth.service.ts';

export const SESSION_COOKIE = 'dure_session';

export interface RequestAuth {
  user: AuthUser;
  via: 'session' | 'token';
  scopes: string[];
  sessionToken?: string;
}

/**
 * A route's read-ahead: called as this request's session lookup starts, with the user the cookie
 * belonged to when this process last looked it up (`AuthService.lookupSession`'s hint), so the
 * route's first read runs beside the session read instead of after it. It may only start reads; the handler
 * uses what it started only when the session, confirmed by the lookup, is that user's.
 */
export type ReadAhead = (req: FastifyRequest, hintedUserId: string) => void;

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
    /** What the route's read-ahead started (its own shape; see ReadAhead). */
    readAhead: unknown;
  }
  interface FastifyContextConfig {
    readAhead?: ReadAhead;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Resolves who is calling (session cookie or `Authorization: Bearer` API token) and guards
 * against cross-site request forgery: a browser always sends `Sec-Fetch-Site` and/or `Origin` on
 * a cross-origin POST, so a mutating request whose origin is foreign is refused. Non-browser
 * clients (curl, the CLI) send neither and are unaffected; cookies are also SameSite=Lax.
 */
export function installAuth(app: FastifyInstance, auth: AuthService, publicUrl: string | null): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('readAhead', null);

  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    if (MUTATING.has(req.method)) checkOrigin(req, publicUrl);

    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const found = m ? await auth.userForToken(m[1]!) : null;
      if (!found) throw new AppError('unauthorized', 'the API token is invalid or revoked');
      if (MUTATING.has(req.method) && !found.scopes.includes('write')) {
        throw new AppError('forbidden', 'this API token is read-only (it lacks the write scope)');
      }
      if (!MUTATING.has(req.method) && !found.scopes.includes('read') && !found.scopes.includes('write')) {
        throw new AppError('forbidden', 'this API token lacks the read scope');
      }
      req.auth = { user: toPublicUser(found.user), via: 'token', scopes: found.scopes };
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) {
      const { hint, found: lookup } = auth.lookupSession(token);
      if (hint) req.routeOptions.config?.readAhead?.(req, hint);
      const found = await lookup;
      if (found) req.auth = { user: toPublicUser(found.user), via: 'session', scopes: ['read', 'write'], sessionToken: token };
    }
  });
}

function checkOrigin(req: FastifyRequest, publicUrl: string | null): void {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site') throw csrf();
  const origin = req.headers.origin;
  if (!origin || origin === 'null') {
    if (origin === 'null') throw csrf();
    return;
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw csrf();
  }
  if (req.headers.host && host === safeHost(req.headers.host)) return;
  if (publicUrl && host === new URL(publicUrl).host) return;
  throw csrf();
}

function safeHost(h: string): string {
  try {
    return new URL(`http://${h}`).host;
  } catch {
    return h;
  }
}

const csrf = () => new AppError('csrf_rejected', 'cross-site request refused');

/** The signed-in user, or 401. */
export function requireUser(req: FastifyRequest): AuthUser {
  if (!req.auth) throw new AppError('unauthorized', 'sign in first (your session is missing or has expired)');
  return req.auth.user;
}

/** The signed-in user if they hold one of these roles, else 401/403. */
export function requireRole(req: FastifyRequest, ...roles: Role[]): AuthUser {
  const user = requireUser(req);
  if (!roles.includes(user.role)) {
    throw new AppError('forbidden', `this needs the ${roles.join(' or ')} role; you are a ${user.role}`);
  }
  if (user.status === 'banned') throw new AppError('forbidden', 'this account has been closed');
  return user;
}
