import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { requireUser, SESSION_COOKIE } from '../../plugins/auth.ts';
import { ErrorResponse, UserSchema } from '../../schemas.ts';
import { type AuthService, toPublicUser } from './auth.service.ts';

export function authRoutes(app: FastifyInstance, auth: AuthService, secureCookies: boolean) {
  const setSession = (reply: FastifyReply, token: string, expiresAt: Date) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      expires: expiresAt,
    });

  app.post(
    '/api/auth/signup',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an account (worker or requester) and sign in',
        body: Type.Object({
          email: Type.String({ maxLength: 254, examples: ['minji@example.kr'] }),
          password: Type.String({ maxLength: 256, examples: ['correct-horse-42'] }),
          displayName: Type.String({ maxLength: 100, examples: ['김민지'] }),
          role: Type.Union([Type.Literal('worker'), Type.Literal('requester')]),
          organisationName: Type.Optional(Type.String({ maxLength: 200 })),
          locale: Type.Optional(Type.Union([Type.Literal('ko'), Type.Literal('en')])),
        }),
        response: { 201: Type.Object({ user: UserSchema }), 400: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const b = req.body as { email: string; password: string; displayName: string; role: 'worker' | 'requester'; organisationName?: string; locale?: string };
      const user = await auth.signup(b);
      const s = await auth.createSession(user.id, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      setSession(reply, s.token, s.expiresAt);
      return reply.status(201).send({ user: toPublicUser(user) });
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign in with email and password',
        body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 256 }) }),
        response: { 200: Type.Object({ user: UserSchema }), 401: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (req, reply) => {
      const b = req.body as { email: string; password: string };
      const user = await auth.login(b.email, b.password, req.ip);
      const s = await auth.createSession(user.id, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      setSession(reply, s.token, s.expiresAt);
      return { user: toPublicUser(user) };
    },
  );

  app.post('/api/auth/logout', { schema: { tags: ['accounts'], summary: 'Sign out (revokes this session)' } }, async (req, reply) => {
    if (req.auth?.sessionToken) await auth.revokeSession(req.auth.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get(
    '/api/me',
    { schema: { tags: ['accounts'], summary: 'The signed-in user', response: { 200: Type.Object({ user: UserSchema }), 401: ErrorResponse } } },
    async (req) => ({ user: requireUser(req) }),
  );

  const TokenSchema = Type.Object({
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String(),
    scopes: Type.Array(Type.String()),
    createdAt: Type.String(),
    lastUsedAt: Type.Union([Type.String(), Type.Null()]),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
  });
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  const tokenOut = (t: { id: string; name: string; prefix: string; scopes: string[]; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    createdAt: iso(t.created_at)!,
    lastUsedAt: iso(t.last_used_at),
    revokedAt: iso(t.revoked_at),
  });

  app.post(
    '/api/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an API token (shown once). Use it as `Authorization: Bearer <token>`.',
        body: Type.Object({
          name: Type.String({ maxLength: 100, examples: ['training pipeline'] }),
          scopes: Type.Optional(Type.Array(Type.Union([Type.Literal('read'), Type.Literal('write')]), { minItems: 1 })),
        }),
        response: { 201: Type.Object({ token: Type.String(), apiToken: TokenSchema }), 401: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const b = req.body as { name: string; scopes?: string[] };
      const { token, row } = await auth.createToken(user.id, b.name, b.scopes ?? ['read', 'write']);
      return reply.status(201).send({ token, apiToken: tokenOut(row) });
    },
  );

  app.get(
    '/api/tokens',
    { schema: { tags: ['accounts'], summary: 'Your API tokens (never their secret)', response: { 200: Type.Object({ tokens: Type.Array(TokenSchema) }) } } },
    async (req) => {
      const user = requireUser(req);
      return { tokens: (await auth.listTokens(user.id)).map(tokenOut) };
    },
  );

  app.delete(
    '/api/tokens/:id',
    { schema: { tags: ['accounts'], summary: 'Revoke an API token', params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } },
    async (req, reply) => {
      const user = requireUser(req);
      await auth.revokeToken(user.id, (req.params as { id: string }).id);
      return reply.status(204).send();
    },
  );
}
