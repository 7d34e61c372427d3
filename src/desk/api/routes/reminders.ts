// Reminders by hand (the desk's "send reminders" button) and the record of
// those sent automatically.
import type { FastifyInstance } from 'fastify';
import { FORM_KINDS, type FormKind } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { missingSubscribers, reminderMessage } from '../../reminders.ts';
import { idParam, userOf, type DeskContext } from '../context.ts';

export default async function reminderRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock } = ctx;
  const params = { type: 'object', properties: { sessionId: idParam } } as const;

  app.get('/api/sessions/:sessionId/reminders', { config: { access: 'desk' }, schema: { params } }, async (req) => {
    const { sessionId } = req.params as { sessionId: string };
    return { reminders: await store.listReminders(sessionId) };
  });

  app.post('/api/sessions/:sessionId/reminders', {
    config: { access: 'desk' },
    schema: { params, body: { type: 'object', required: ['kind'], additionalProperties: false, properties: { kind: { type: 'string', enum: [...FORM_KINDS] } } } },
  }, async (req) => {
    const { sessionId } = req.params as { sessionId: string };
    const { kind } = req.body as { kind: FormKind };
    if (!ctx.mailer) throw new DeskError(503, 'MAILER_NOT_CONFIGURED', 'this desk has no SMTP server configured (failover-drill desk --smtp HOST:PORT)');
    const session = await store.getSession(sessionId);
    if (!session) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${sessionId}`);
    const sent: { subscriberId: string; to: string[] }[] = [];
    const failed: { subscriberId: string; error: string }[] = [];
    for (const s of await missingSubscribers(store, session, kind)) {
      const m = reminderMessage(session, s, kind);
      try {
        await ctx.mailer.send(m);
        sent.push({ subscriberId: s.id, to: m.to });
      } catch (e) {
        failed.push({ subscriberId: s.id, error: (e as Error).message });
      }
    }
    await store.appendAudit(userOf(req).id, `reminder.${kind}.manual`, 'session', sessionId, { sent: sent.map((x) => x.subscriberId), failed: failed.map((x) => x.subscriberId) }, clock.now());
    return { sent, failed };
  });
}
