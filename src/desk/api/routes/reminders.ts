// Reminders: who would be reminded now (with or without a mail server), the
// reminders already sent (automatic and by hand), and sending them by hand.
import type { FastifyInstance } from 'fastify';
import { FORM_KINDS, message, type FormKind, type Message } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { missingSubscribers, previewReminders, reminderMessage, type ReminderFilter } from '../../reminders.ts';
import { idParam, userOf, type DeskContext } from '../context.ts';
import { NO_READINESS, readinessStandings } from '../../readiness.ts';
import { readinessReminderMessage } from '../../reminders.ts';

export default async function reminderRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock } = ctx;
  const params = { type: 'object', properties: { sessionId: idParam } } as const;
  // `only: 'retake'`: the firms marked to retake this session of a series; 'not-ready': the firms
  // that will take part and never passed a readiness check (the message asks them to run it).
  const only = { type: 'string', enum: ['retake', 'not-ready'] } as const;
  const sessionOf = async (sessionId: string) => {
    const session = await store.getSession(sessionId);
    if (!session) throw DeskError.of(404, 'SESSION_NOT_FOUND', message('session.notFound', { id: sessionId }));
    return session;
  };

  // The automatic reminders, as before (one per firm and form).
  app.get('/api/sessions/:sessionId/reminders', { config: { access: 'desk' }, schema: { params } }, async (req) => {
    const { sessionId } = req.params as { sessionId: string };
    return { reminders: await store.listReminders(sessionId) };
  });

  // What the reminder buttons would do, and what was done: usable on a desk without SMTP.
  app.get(
    '/api/sessions/:sessionId/reminders/overview',
    { config: { access: 'desk' }, schema: { params, querystring: { type: 'object', additionalProperties: false, properties: { only } } } },
    async (req) => {
      const { sessionId } = req.params as { sessionId: string };
      const filter = req.query as ReminderFilter;
      const session = await sessionOf(sessionId);
      const preview: Record<string, unknown> = {};
      for (const kind of FORM_KINDS) preview[kind] = await previewReminders(store, session, kind, filter);
      return {
        mailer: ctx.mailer !== null,
        ...(ctx.mailer ? {} : { note: message('reminder.mailerNotConfigured') }),
        preview,
        sent: (await store.listSentReminders(sessionId)).map((r) => ({ ...r, sentAt: new Date(r.sentAt).toISOString() })),
      };
    },
  );

  app.post(
    '/api/sessions/:sessionId/reminders',
    {
      config: { access: 'desk' },
      schema: {
        params,
        body: { type: 'object', required: ['kind'], additionalProperties: false, properties: { kind: { type: 'string', enum: [...FORM_KINDS] }, only } },
      },
    },
    async (req) => {
      const { sessionId } = req.params as { sessionId: string };
      const { kind, only: which } = req.body as { kind: FormKind } & ReminderFilter;
      const session = await sessionOf(sessionId);
      if (!ctx.mailer) throw DeskError.of(503, 'MAILER_NOT_CONFIGURED', message('reminder.mailerNotConfigured'));
      const sent: { subscriberId: string; to: string[] }[] = [];
      const failed: { subscriberId: string; error: string; text: Message }[] = [];
      const targets = await missingSubscribers(store, session, kind, which ? { only: which } : {});
      const readiness = which === 'not-ready' ? (await readinessStandings(store, session, targets)).bySubscriber : null;
      for (const s of targets) {
        const m = readiness ? readinessReminderMessage(session, s, readiness.get(s.id) ?? NO_READINESS) : reminderMessage(session, s, kind);
        try {
          await ctx.mailer.send(m);
          sent.push({ subscriberId: s.id, to: m.to });
        } catch (e) {
          failed.push({
            subscriberId: s.id,
            error: (e as Error).message,
            text: message('reminder.sendFailed', { subscriber: s.name, error: (e as Error).message }),
          });
        }
      }
      await store.recordManualReminders(
        sessionId,
        kind,
        sent,
        failed.map((x) => x.subscriberId),
        userOf(req).id,
        clock.now(),
      );
      return { sent, failed };
    },
  );
}
