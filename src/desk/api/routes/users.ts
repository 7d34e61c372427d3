// User administration for desk officers: list, create (a desk officer or a
// firm's user), disable and enable, reset a password. A firm's user reaches
// none of it (403 before anything else runs). Every change is audited.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { hashPassword, message, validateNewUser, type FieldError, type Message } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { userOf, type DeskContext } from '../context.ts';

const userParams = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } },
} as const;

/** The validator's English issues, each with the Message the UI shows in its language. */
function userIssues(errors: FieldError[], role: unknown): (FieldError & { text: Message })[] {
  return errors.map((e) => {
    const f = e.field.split('.')[0]!;
    const code =
      f === 'subscriberId'
        ? role === 'desk'
          ? 'user.invalid.deskWithFirm'
          : 'user.invalid.subscriberId'
        : f === 'username' || f === 'password' || f === 'displayName'
          ? `user.invalid.${f}`
          : 'user.invalid.role';
    return { ...e, text: message(code) };
  });
}

function invalid(issues: (FieldError & { text: Message })[]): DeskError {
  const first = issues[0]!;
  return new DeskError(400, 'VALIDATION_FAILED', first.message, { field: first.field, issues, text: first.text });
}

export default async function userRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock } = ctx;
  const notFound = (id: string) => DeskError.of(404, 'USER_NOT_FOUND', message('user.notFound', { id }));

  app.get('/api/users', { config: { access: 'desk' }, schema: { querystring: { type: 'object', additionalProperties: false } } }, async () => ({
    users: await store.listUserAccounts(),
  }));

  app.post('/api/users', { config: { access: 'desk' }, schema: { body: { type: 'object' } } }, async (req, reply) => {
    const body = req.body as Record<string, unknown>;
    const v = validateNewUser(body);
    if (!v.ok) throw invalid(userIssues(v.errors, body.role));
    const u = v.value;
    const record = {
      id: randomUUID(),
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      subscriberId: u.subscriberId,
      passwordHash: await hashPassword(u.password),
    };
    try {
      await store.createUser(record, userOf(req).id, clock.now());
    } catch (e) {
      if (e instanceof DeskError && e.code === 'ALREADY_EXISTS')
        throw DeskError.of(409, 'ALREADY_EXISTS', message('user.usernameTaken', { username: u.username }), { field: 'username' });
      if (e instanceof DeskError && e.code === 'UNKNOWN_SUBSCRIBER')
        throw DeskError.of(400, 'UNKNOWN_SUBSCRIBER', message('user.unknownFirm', { id: String(u.subscriberId) }), { field: 'subscriberId' });
      throw e;
    }
    return reply.status(201).send({ user: await store.getUserAccount(record.id) });
  });

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(`/api/users/:userId/${verb}`, { config: { access: 'desk' }, schema: { params: userParams } }, async (req) => {
      const { userId } = req.params as { userId: string };
      const me = userOf(req);
      // A desk that disables its last officer locks itself out; disabling oneself is always refused.
      if (disabled && userId === me.id) throw DeskError.of(409, 'CANNOT_DISABLE_SELF', message('user.cannotDisableSelf'));
      const user = await store.setUserDisabled(userId, disabled, me.id, clock.now());
      if (!user) throw notFound(userId);
      return { user };
    });
  }

  app.post(
    '/api/users/:userId/password',
    {
      config: { access: 'desk' },
      schema: {
        params: userParams,
        body: { type: 'object', required: ['password'], additionalProperties: false, properties: { password: { type: 'string' } } },
      },
    },
    async (req) => {
      const { userId } = req.params as { userId: string };
      const { password } = req.body as { password: string };
      // The same rule as for a new user's first password.
      if (password.length < 10 || password.length > 200)
        throw invalid([{ field: 'password', message: 'password: must be 10 to 200 characters', text: message('user.invalid.password') }]);
      if (!(await store.getUserAccount(userId))) throw notFound(userId);
      const user = await store.resetUserPassword(userId, await hashPassword(password), userOf(req).id, clock.now());
      if (!user) throw notFound(userId);
      return { user };
    },
  );
}
