// Appendix A across a session: who takes part and who to call on the day, as
// JSON for the desk's pages and as CSV (through toCsv, like every CSV).
import type { FastifyInstance } from 'fastify';
import { message, toHongKongIso, type FormVersion, type IntentionForm, type PracticeSession, type Subscriber } from '../../domain/index.ts';
import type { DeskStore } from '../../store/index.ts';
import { toCsv } from '../../csv.ts';
import { DeskError } from '../../errors.ts';
import { idParam, type DeskContext } from '../context.ts';
import { seriesStandings } from '../../series.ts';
import { NO_READINESS, readinessStandings, type FirmReadiness } from '../../readiness.ts';

export const INTENTIONS_CSV_COLUMNS = [
  'session',
  'subscriber',
  'subscriberName',
  'participantCode',
  'status',
  'version',
  'submittedAtHKT',
  'participate',
  'services',
  'connectFromPrimary',
  'connectFromBackup',
  'software',
  'contactOnDayName',
  'contactOnDayMobile',
  'contactOnDayEmail',
  'alternateContactName',
  'alternateContactMobile',
  'alternateContactEmail',
  'willJoin',
  'willCheckOtherHsn',
  'hasReadRundown',
  'signatoryName',
  'signatoryTitle',
  'signedOn',
  'firmPrimaryName',
  'firmPrimaryPhone',
  'firmPrimaryMobile',
  'firmPrimaryEmail',
  'firmAlternateName',
  'firmAlternatePhone',
  'firmAlternateMobile',
  'firmAlternateEmail',
  // The readiness check before the session (passed, failed, none) and the flag of a firm that will take part without passing one.
  'readiness',
  'readinessAt',
  'notReady',
  'retake',
] as const;

export interface IntentionRow {
  subscriber: Pick<Subscriber, 'id' | 'name' | 'participantCode' | 'contacts'>;
  /** The latest Appendix A, or null when none is on file. */
  latest: FormVersion<IntentionForm> | null;
  /** The latest Appendix A says the firm will not take part. */
  declined: boolean;
  /** The firm passed none of the earlier sessions of the series (src/desk/series.ts). */
  retake: boolean;
  readiness: FirmReadiness;
  notReady: boolean;
}

/** One row per firm in scope of the session, in firm id order; `only: 'retake'` keeps the firms marked to retake. */
export async function intentionRows(store: DeskStore, session: PracticeSession, filter: { only?: 'retake' | 'not-ready' } = {}): Promise<IntentionRow[]> {
  const latest = new Map((await store.latestForms(session.id, 'intention')).map((f) => [f.subscriberId, f as FormVersion<IntentionForm>]));
  const firms = (await store.listSubscribers()).filter((s) => s.identities.some((i) => session.services.includes(i.service)));
  const { retake } = await seriesStandings(store, session, firms);
  const ready = await readinessStandings(store, session, firms, [...latest.values()]);
  return firms
    .filter((s) => (filter.only !== 'retake' || retake.has(s.id)) && (filter.only !== 'not-ready' || ready.notReady.has(s.id)))
    .map((s) => {
      const f = latest.get(s.id) ?? null;
      return {
        subscriber: { id: s.id, name: s.name, participantCode: s.participantCode, contacts: s.contacts },
        latest: f,
        declined: f?.content.participate === false,
        retake: retake.has(s.id),
        readiness: ready.bySubscriber.get(s.id) ?? NO_READINESS,
        notReady: ready.notReady.has(s.id),
      };
    });
}

const yn = (b: boolean | undefined) => (b === undefined ? '' : b ? 'yes' : 'no');

export function intentionsCsv(session: PracticeSession, rows: IntentionRow[]): string {
  return toCsv(
    INTENTIONS_CSV_COLUMNS,
    rows.map(({ subscriber: s, latest: v, retake, readiness, notReady }) => {
      const f = v?.content;
      const p = s.contacts.primary,
        a = s.contacts.alternate;
      return [
        session.id,
        s.id,
        s.name,
        s.participantCode,
        v ? (v.late ? 'late' : 'returned') : 'missing',
        v?.version ?? '',
        v ? toHongKongIso(Date.parse(v.submittedAt)) : '',
        yn(f?.participate),
        f ? f.services.map((x) => `${x.service}: ${x.identities.join(' ')}`).join('; ') : '',
        yn(f?.connectFrom.primary),
        yn(f?.connectFrom.backup),
        f ? f.software.map((x) => `${x.service} ${x.kind} ${x.name} ${x.version}`).join('; ') : '',
        f?.contactOnDay.name ?? '',
        f?.contactOnDay.mobile ?? '',
        f?.contactOnDay.email ?? '',
        f?.alternateContact.name ?? '',
        f?.alternateContact.mobile ?? '',
        f?.alternateContact.email ?? '',
        yn(f?.willJoin),
        yn(f?.willCheckOtherHsn),
        yn(f?.hasReadRundown),
        f?.signatory.name ?? '',
        f?.signatory.title ?? '',
        f?.signedOn ?? '',
        p.name,
        p.phone,
        p.mobile,
        p.email,
        a?.name ?? '',
        a?.phone ?? '',
        a?.mobile ?? '',
        a?.email ?? '',
        readiness.state,
        readiness.at ? toHongKongIso(Date.parse(readiness.at)) : '',
        notReady ? 'not-ready' : '',
        retake ? 'retake' : '',
      ];
    }),
  );
}

export default async function intentionExportRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store } = ctx;
  const params = { type: 'object', properties: { sessionId: idParam } } as const;
  const sessionOf = async (sessionId: string) => {
    const session = await store.getSession(sessionId);
    if (!session) throw DeskError.of(404, 'SESSION_NOT_FOUND', message('session.notFound', { id: sessionId }));
    return session;
  };

  app.get('/api/sessions/:sessionId/intentions', { config: { access: 'desk' }, schema: { params } }, async (req) => {
    const { sessionId } = req.params as { sessionId: string };
    return { rows: await intentionRows(store, await sessionOf(sessionId)) };
  });

  app.get(
    '/api/sessions/:sessionId/export/intentions.csv',
    {
      config: { access: 'desk' },
      schema: { params, querystring: { type: 'object', additionalProperties: false, properties: { only: { type: 'string', enum: ['retake', 'not-ready'] } } } },
    },
    async (req, reply) => {
      const { sessionId } = req.params as { sessionId: string };
      const filter = req.query as { only?: 'retake' | 'not-ready' };
      const session = await sessionOf(sessionId);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${sessionId}-appendix-a${filter.only ? `-${filter.only}` : ''}.csv"`);
      return intentionsCsv(session, await intentionRows(store, session, filter));
    },
  );
}
