// Sign in and out, who am I, and user accounts (desk officers create them).
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { hashPassword, validateNewUser, verifyNothing, verifyPassword } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { SESSION_COOKIE, sha256, userOf, type DeskContext } from '../context.ts';

export default async function authRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock, throttle } = ctx;

  app.post('/api/auth/login', {
    config: { access: 'anonymous' },
    schema: {
      body: {
        type: 'object', required: ['username', 'password'], additionalProperties: false,
        properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
      },
    },
  }, async (req, reply) => {
    const { username, password } = req.body as { username: string; password: string };
    const key = `${username.toLowerCase()}|${req.ip}`;
    const wait = await throttle.retryAfter(key);
    if (wait > 0) {
      const e = new DeskError(429, 'LOGIN_RATE_LIMITED', `too many failed sign-ins for ${username} from this address; try again in ${Math.ceil(wait / 1000)} s`);
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw e;
    }
    const record = await store.getUserByUsername(username.toLowerCase());
    const ok = record ? await verifyPassword(password, record.passwordHash) : await verifyNothing(password);
    if (!record || !ok) {
      await throttle.fail(key);
      await store.appendAudit(record?.id ?? 'anonymous', 'auth.login-failed', 'user', record?.id ?? username.toLowerCase(), { ip: req.ip }, clock.now());
      throw new DeskError(401, 'INVALID_CREDENTIALS', 'username or password is wrong');
    }
    await throttle.succeed(key);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = clock.now();
    await store.createAuthSession({ tokenHash: sha256(token), userId: record.id, csrfToken, createdAt: now, expiresAt: now + ctx.sessionTtlMs }, now);
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.secureCookies, maxAge: Math.floor(ctx.sessionTtlMs / 1000) });
    const { passwordHash: _, ...user } = record;
    return { user, csrfToken };
  });

  app.post('/api/auth/logout', { schema: { querystring: { type: 'object', additionalProperties: false } } }, async (req, reply) => {
    const user = userOf(req);
    await store.deleteAuthSession(req.auth!.tokenHash, user.id, clock.now());
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/auth/me', { schema: { querystring: { type: 'object', additionalProperties: false } } }, async (req) => {
    return { user: userOf(req), csrfToken: req.auth!.csrfToken };
  });

  app.get('/api/users', { config: { access: 'desk' }, schema: { querystring: { type: 'object', additionalProperties: false } } }, async () => ({ users: await store.listUsers() }));

  app.post('/api/users', { config: { access: 'desk' }, schema: { body: { type: 'object' } } }, async (req, reply) => {
    const v = validateNewUser(req.body);
    if (!v.ok) throw DeskError.validation(v.errors);
    const u = v.value;
    const record = { id: randomUUID(), username: u.username, displayName: u.displayName, role: u.role, subscriberId: u.subscriberId, passwordHash: await hashPassword(u.password) };
    await store.createUser(record, userOf(req).id, clock.now());
    const { passwordHash: _, ...user } = record;
    return reply.status(201).send({ user });
  });
}
