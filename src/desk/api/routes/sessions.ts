// Notices and practice sessions (the audit trail is in audit.ts).
import type { FastifyInstance } from 'fastify';
import { validateNotice, validatePracticeSession } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { idParam, userOf, type DeskContext } from '../context.ts';

const noQuery = { type: 'object', additionalProperties: false } as const;

export default async function sessionRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock } = ctx;

  app.get('/api/notices', { schema: { querystring: noQuery } }, async () => ({ notices: await store.listNotices() }));

  app.get('/api/notices/:noticeId', { schema: { params: { type: 'object', properties: { noticeId: idParam } } } }, async (req) => {
    const { noticeId } = req.params as { noticeId: string };
    const n = await store.getNotice(noticeId);
    if (!n) throw new DeskError(404, 'NOTICE_NOT_FOUND', `no notice ${noticeId}`);
    return { notice: n };
  });

  app.post('/api/notices', { config: { access: 'desk' }, schema: { body: { type: 'object' } } }, async (req, reply) => {
    const v = validateNotice(req.body);
    if (!v.ok) throw DeskError.validation(v.errors);
    await store.createNotice(v.value, userOf(req).id, clock.now());
    return reply.status(201).send({ notice: v.value });
  });

  app.get('/api/sessions', { schema: { querystring: noQuery } }, async () => ({ sessions: await store.listSessions() }));

  app.get('/api/sessions/:sessionId', { schema: { params: { type: 'object', properties: { sessionId: idParam } } } }, async (req) => {
    const { sessionId } = req.params as { sessionId: string };
    const s = await store.getSession(sessionId);
    if (!s) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${sessionId}`);
    return { session: s, notice: s.noticeId ? await store.getNotice(s.noticeId) : null };
  });

  app.post('/api/sessions', { config: { access: 'desk' }, schema: { body: { type: 'object' } } }, async (req, reply) => {
    const v = validatePracticeSession(req.body);
    if (!v.ok) throw DeskError.validation(v.errors);
    await store.createSession(v.value, userOf(req).id, clock.now());
    return reply.status(201).send({ session: v.value });
  });

  app.put(
    '/api/sessions/:sessionId',
    { config: { access: 'desk' }, schema: { params: { type: 'object', properties: { sessionId: idParam } }, body: { type: 'object' } } },
    async (req) => {
      const { sessionId } = req.params as { sessionId: string };
      const v = validatePracticeSession({ ...(req.body as object), id: sessionId });
      if (!v.ok) throw DeskError.validation(v.errors);
      await store.updateSession(v.value, userOf(req).id, clock.now());
      return { session: v.value };
    },
  );
}
