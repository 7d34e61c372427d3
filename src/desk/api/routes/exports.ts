// Exports for the desk: every result as CSV, one line per form section.
import type { FastifyInstance } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import { findContradictions, toHongKongIso, type ResultForm } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { idParam, type DeskContext } from '../context.ts';

export const RESULTS_CSV_COLUMNS = [
  'session', 'subscriber', 'subscriberName', 'participantCode', 'version', 'submittedAtHKT', 'late',
  'service', 'identity', 'connectedToPrimary', 'connectedToPrimaryTime', 'noticedLossAt', 'reconnectedToBackup', 'reconnectedToBackupTime',
  'logonSequenceOk', 'orderAndCancelAcked', 'dropCopyGapRecovered', 'marketDataFromBackup', 'retransmissionOrRefreshOk',
  'problems', 'overall', 'returnedToPrimary', 'testDataCleaned', 'signatoryName', 'signatoryTitle', 'signedOn', 'contradictions',
] as const;

const yn = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');

export default async function exportRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store } = ctx;

  app.get('/api/sessions/:sessionId/export/results.csv', { config: { access: 'desk' }, schema: { params: { type: 'object', properties: { sessionId: idParam } } } }, async (req, reply) => {
    const { sessionId } = req.params as { sessionId: string };
    const session = await store.getSession(sessionId);
    if (!session) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${sessionId}`);
    const subscribers = new Map((await store.listSubscribers()).map((s) => [s.id, s]));
    const forms = await store.latestForms(sessionId, 'result');
    const evidence = await store.listEvidence({ session: sessionId });
    const rows: string[][] = [];
    for (const f of forms) {
      const s = subscribers.get(f.subscriberId);
      const form = f.content as ResultForm;
      const flags = findContradictions(form, f.subscriberId, evidence.filter((e) => e.subscriber === f.subscriberId));
      form.sections.forEach((x, i) => {
        rows.push([
          sessionId, f.subscriberId, s?.name ?? '', s?.participantCode ?? '', String(f.version), toHongKongIso(Date.parse(f.submittedAt)), f.late ? 'late' : '',
          x.service, x.identity, yn(x.connectedToPrimary.value), x.connectedToPrimary.time ?? '', x.noticedLossAt ?? '', yn(x.reconnectedToBackup.value), x.reconnectedToBackup.time ?? '',
          yn(x.logonSequenceOk), yn(x.orderAndCancelAcked), yn(x.dropCopyGapRecovered), yn(x.marketDataFromBackup), yn(x.retransmissionOrRefreshOk),
          x.problems.map((p) => `${p.time} ${p.description}${p.reference ? ` [${p.reference}]` : ''}`).join(' | '),
          x.overall, yn(x.returnedToPrimary), yn(x.testDataCleaned), form.signatory.name, form.signatory.title, form.signedOn,
          flags.filter((c) => c.field.startsWith(`sections[${i}].`)).map((c) => c.code).join(' '),
        ]);
      });
    }
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${sessionId}-results.csv"`);
    // A BOM so spreadsheet programs read the Chinese names as UTF-8.
    return '\uFEFF' + stringify([[...RESULTS_CSV_COLUMNS], ...rows]);
  });
}
