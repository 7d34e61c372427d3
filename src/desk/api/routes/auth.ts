// Sign in and out, who am I. User accounts are in users.ts.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { message, verifyNothing, verifyPassword } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { SESSION_COOKIE, sha256, userOf, type DeskContext } from '../context.ts';

export default async function authRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock, throttle } = ctx;
  // 'auto': Secure when the browser reached the desk over TLS, directly or through a trusted
  // proxy that says so in X-Forwarded-Proto (Fastify's req.protocol, under `trustProxy`).
  const secureCookie = (req: FastifyRequest) => (ctx.secureCookies === 'auto' ? req.protocol === 'https' : ctx.secureCookies);

  app.post(
    '/api/auth/login',
    {
      config: { access: 'anonymous' },
      schema: {
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body as { username: string; password: string };
      const refused = await throttle.check(username, req.ip);
      if (refused) {
        const seconds = Math.ceil(refused.waitMs / 1000);
        reply.header('retry-after', String(seconds));
        throw DeskError.of(429, refused.code, message(refused.code, { username, seconds }));
      }
      const record = await store.getUserByUsername(username.toLowerCase());
      const ok = record ? await verifyPassword(password, record.passwordHash) : await verifyNothing(password);
      if (!record || !ok) {
        await throttle.fail(username, req.ip);
        await store.appendAudit(record?.id ?? 'anonymous', 'auth.login-failed', 'user', record?.id ?? username.toLowerCase(), { ip: req.ip }, clock.now());
        throw new DeskError(401, 'INVALID_CREDENTIALS', 'username or password is wrong');
      }
      await throttle.succeed(username, req.ip);
      // Told only to whoever knows the password, so it does not reveal which accounts exist.
      if ((await store.getUserAccount(record.id))?.disabled) {
        await store.appendAudit(record.id, 'auth.login-failed', 'user', record.id, { ip: req.ip, reason: 'disabled' }, clock.now());
        throw DeskError.of(403, 'ACCOUNT_DISABLED', message('user.disabled'));
      }
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const now = clock.now();
      await store.createAuthSession({ tokenHash: sha256(token), userId: record.id, csrfToken, createdAt: now, expiresAt: now + ctx.sessionTtlMs }, now);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie(req),
        maxAge: Math.floor(ctx.sessionTtlMs / 1000),
      });
      const { passwordHash: _, ...user } = record;
      return { user, csrfToken };
    },
  );

  app.post('/api/auth/logout', { schema: { querystring: { type: 'object', additionalProperties: false } } }, async (req, reply) => {
    const user = userOf(req);
    await store.deleteAuthSession(req.auth!.tokenHash, user.id, clock.now());
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookie(req) });
    return reply.status(204).send();
  });

  app.get('/api/auth/me', { schema: { querystring: { type: 'object', additionalProperties: false } } }, async (req) => {
    return { user: userOf(req), csrfToken: req.auth!.csrfToken };
  });
}
