// Exports for the desk: every result as CSV, one line per form section.
import type { FastifyInstance } from 'fastify';
import { cellState, contradictionsFrom, type CellSummary, findContradictions, toHongKongIso, type ResultForm, withMarketPhases } from '../../domain/index.ts';
import type { Service } from '../../../evidence/index.ts';
import { toCsv } from '../../csv.ts';
import { DeskError } from '../../errors.ts';
import { idParam, requireFirm, userOf, type DeskContext } from '../context.ts';
import { buildEvidenceBundle, verifyEvidenceBundle } from '../../bundle.ts';
import { seriesStandings } from '../../series.ts';
import { NO_READINESS, foldReadiness } from '../../readiness.ts';
import { sessionPhases } from './evidence.ts';

export const RESULTS_CSV_COLUMNS = [
  'session',
  'subscriber',
  'subscriberName',
  'participantCode',
  'version',
  'submittedAtHKT',
  'late',
  'service',
  'identity',
  'connectedToPrimary',
  'connectedToPrimaryTime',
  'noticedLossAt',
  'reconnectedToBackup',
  'reconnectedToBackupTime',
  'logonSequenceOk',
  'orderAndCancelAcked',
  'dropCopyGapRecovered',
  'marketDataFromBackup',
  'retransmissionOrRefreshOk',
  'problems',
  'overall',
  'returnedToPrimary',
  'testDataCleaned',
  'signatoryName',
  'signatoryTitle',
  'signedOn',
  'contradictions',
  // What backs the service's dashboard cell (venue, self-reported, none), and each contradiction with who vouches for its evidence.
  'evidenceProvenance',
  'contradictionEvidence',
  // 'retake' when the firm passed none of the earlier sessions of the series (src/desk/series.ts).
  // The firm's readiness check before the session: passed, failed or none (src/desk/readiness.ts).
  'readiness',
  'retake',
] as const;

const yn = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');

export default async function exportRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock } = ctx;

  app.get(
    '/api/sessions/:sessionId/export/results.csv',
    {
      config: { access: 'desk' },
      schema: {
        params: { type: 'object', properties: { sessionId: idParam } },
        querystring: { type: 'object', additionalProperties: false, properties: { only: { type: 'string', enum: ['retake'] } } },
      },
    },
    async (req, reply) => {
      const { sessionId } = req.params as { sessionId: string };
      const { only } = req.query as { only?: 'retake' };
      const session = await store.getSession(sessionId);
      if (!session) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${sessionId}`);
      const subscribers = new Map((await store.listSubscribers()).map((s) => [s.id, s]));
      const { retake } = await seriesStandings(store, session, [...subscribers.values()]);
      const forms = (await store.latestForms(sessionId, 'result')).filter((f) => only !== 'retake' || retake.has(f.subscriberId));
      const folds = new Map<string, Map<Service, CellSummary>>();
      for (const c of await store.listEvidenceCells(sessionId)) {
        let m = folds.get(c.subscriber);
        if (!m) folds.set(c.subscriber, (m = new Map()));
        m.set(c.service, c.summary);
      }
      const readiness = await store.listReadiness(sessionId);
      const rows: string[][] = [];
      for (const f of forms) {
        const s = subscribers.get(f.subscriberId);
        const form = f.content as ResultForm;
        const mine = folds.get(f.subscriberId) ?? new Map<Service, CellSummary>();
        const recorded = [...mine.values()].some((x) => x.venueEvents > 0);
        const flags = contradictionsFrom(form, (service) => mine.get(service));
        form.sections.forEach((x, i) => {
          const own = flags.filter((c) => c.field.startsWith(`sections[${i}].`));
          rows.push([
            sessionId,
            f.subscriberId,
            s?.name ?? '',
            s?.participantCode ?? '',
            String(f.version),
            toHongKongIso(Date.parse(f.submittedAt)),
            f.late ? 'late' : '',
            x.service,
            x.identity,
            yn(x.connectedToPrimary.value),
            x.connectedToPrimary.time ?? '',
            x.noticedLossAt ?? '',
            yn(x.reconnectedToBackup.value),
            x.reconnectedToBackup.time ?? '',
            yn(x.logonSequenceOk),
            yn(x.orderAndCancelAcked),
            yn(x.dropCopyGapRecovered),
            yn(x.marketDataFromBackup),
            yn(x.retransmissionOrRefreshOk),
            x.problems.map((p) => `${p.time} ${p.description}${p.reference ? ` [${p.reference}]` : ''}`).join(' | '),
            x.overall,
            yn(x.returnedToPrimary),
            yn(x.testDataCleaned),
            form.signatory.name,
            form.signatory.title,
            form.signedOn,
            own.map((c) => c.code).join(' '),
            cellState(mine.get(x.service), recorded).provenance,
            own.map((c) => `${c.code} (${c.provenance}): ${c.evidence}`).join(' | '),
            readiness.get(f.subscriberId)?.state ?? 'none',
            retake.has(f.subscriberId) ? 'retake' : '',
          ]);
        });
      }
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${sessionId}-results${only ? `-${only}` : ''}.csv"`);
      // Typed text (titles, problem descriptions) goes to spreadsheets: toCsv keeps formulas inert.
      return toCsv(RESULTS_CSV_COLUMNS, rows);
    },
  );

  // The evidence bundle: desk officers for any firm, a subscriber user for its own.
  app.get(
    '/api/sessions/:sessionId/subscribers/:subscriberId/evidence-bundle.tar',
    {
      schema: { params: { type: 'object', required: ['sessionId', 'subscriberId'], properties: { sessionId: idParam, subscriberId: idParam } } },
    },
    async (req, reply) => {
      const { sessionId, subscriberId } = req.params as { sessionId: string; subscriberId: string };
      requireFirm(req, subscriberId);
      const session = await store.getSession(sessionId);
      if (!session) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${sessionId}`);
      const subscriber = await store.getSubscriber(subscriberId);
      if (!subscriber) throw new DeskError(404, 'SUBSCRIBER_NOT_FOUND', `no subscriber ${subscriberId}`);
      const evidence = await store.listEvidence({ session: sessionId, subscriber: subscriberId });
      const result = await store.listFormVersions(sessionId, subscriberId, 'result');
      const latest = result.at(-1);
      const b = buildEvidenceBundle({
        session,
        subscriber,
        evidence: withMarketPhases(evidence, await sessionPhases(ctx, sessionId)),
        result,
        intention: await store.listFormVersions(sessionId, subscriberId, 'intention'),
        contradictions: latest ? findContradictions(latest.content as ResultForm, subscriberId, evidence) : [],
        readiness:
          foldReadiness(
            evidence
              .filter((e) => e.kind === 'readiness')
              .map((e) => ({ subscriber: e.subscriber, service: e.service, identity: e.identity, source: e.source, ts: e.ts, detail: e.detail })),
          ).get(subscriberId) ?? NO_READINESS,
        createdAt: new Date(clock.now()).toISOString(),
      });
      await store.appendAudit(
        userOf(req).id,
        'bundle.export',
        'bundle',
        b.manifestSha256,
        { session: sessionId, subscriber: subscriberId, files: b.manifest.files },
        clock.now(),
      );
      reply.header('content-type', 'application/x-tar');
      reply.header('content-disposition', `attachment; filename="${sessionId}-${subscriberId}-evidence.tar"`);
      reply.header('x-manifest-sha256', b.manifestSha256);
      return reply.send(b.tar);
    },
  );

  // Checks a bundle handed back: each file against the manifest, and the
  // manifest against the desk's audit log of exports.
  app.post(
    '/api/evidence-bundles/verify',
    {
      config: { access: 'desk' },
      schema: {
        headers: {
          type: 'object',
          required: ['content-type'],
          properties: { 'content-type': { type: 'string', pattern: '^application/(x-tar|octet-stream)' } },
        },
      },
    },
    async (req) => {
      const check = verifyEvidenceBundle(req.body as Buffer);
      const exported = check.manifestSha256 ? (await store.listAudit({ entity: 'bundle', entityId: check.manifestSha256, limit: 1 }))[0] : undefined;
      return {
        ...check,
        issuedByThisDesk: !!exported,
        ...(exported ? { exportedAt: exported.at, exportedBy: exported.actor } : {}),
        ok: check.ok && !!exported,
      };
    },
  );
}
