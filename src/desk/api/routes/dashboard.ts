// The live dashboard: one row per subscriber in scope, one cell per service,
// the forms on file, the contradictions; and the server-sent-events stream
// that tells browsers when to update.
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import {
  LINK_STATES,
  cellState,
  countContradictions,
  type CellProvenance,
  type CellSummary,
  type LinkState,
  type PracticeSession,
  type ResultForm,
} from '../../domain/index.ts';
import type { Service } from '../../../evidence/index.ts';
import type { DeskStore, LatestFormFacts } from '../../store/index.ts';
import { DeskError } from '../../errors.ts';
import { idParam, type DeskContext } from '../context.ts';
import type { LiveEvent } from '../live.ts';
import { seriesStandings } from '../../series.ts';
import { NO_READINESS, readinessStandings } from '../../readiness.ts';

const HEARTBEAT_MS = 15_000;

function formSummary(f: LatestFormFacts | undefined) {
  return f ? { version: f.version, submittedAt: new Date(f.submittedAtMs).toISOString(), late: f.late } : null;
}

/**
 * The dashboard from the stored cell folds (one row per firm and service,
 * kept up to date at ingestion), never from the session's raw evidence: its
 * cost does not grow with the number of events. The same for readiness (one
 * row per firm) and the forms: only the Appendix B contents are read (for the
 * contradictions); Appendix A's answer and every series verdict were stored
 * with their versions.
 */
export async function buildDashboard(store: DeskStore, session: PracticeSession) {
  const subscribers = (await store.listSubscribers()).filter((s) => s.identities.some((i) => session.services.includes(i.service)));
  const folds = new Map<string, Map<Service, CellSummary>>();
  for (const c of await store.listEvidenceCells(session.id)) {
    let m = folds.get(c.subscriber);
    if (!m) folds.set(c.subscriber, (m = new Map()));
    m.set(c.service, c.summary);
  }
  const facts = await store.latestFormFacts({ sessions: [session.id] });
  const intentionList = facts.filter((f) => f.kind === 'intention');
  const intentions = new Map(intentionList.map((f) => [f.subscriberId, f]));
  const results = new Map(facts.filter((f) => f.kind === 'result').map((f) => [f.subscriberId, f]));
  // Only the Appendix B contents are read, for the contradictions (each version parsed once).
  const resultForms = await store.latestFormContents(session.id, 'result');
  const series = await seriesStandings(store, session, subscribers, facts);
  const readiness = await readinessStandings(store, session, subscribers, intentionList);
  const counts = Object.fromEntries(session.services.map((s) => [s, Object.fromEntries(LINK_STATES.map((x) => [x, 0]))])) as Record<
    string,
    Record<LinkState, number>
  >;
  const rows = subscribers.map((s) => {
    const mine = folds.get(s.id) ?? new Map<Service, CellSummary>();
    // The venue is the authority for the firm once it recorded anything of it.
    const recorded = [...mine.values()].some((f) => f.venueEvents > 0);
    const cells: Record<string, LinkState | 'not-in-scope'> = {};
    const provenance: Record<string, CellProvenance> = {};
    for (const service of session.services) {
      if (!s.identities.some((i) => i.service === service)) {
        cells[service] = 'not-in-scope';
        provenance[service] = 'none';
        continue;
      }
      const cell = cellState(mine.get(service), recorded);
      cells[service] = cell.state;
      provenance[service] = cell.provenance;
      counts[service]![cell.state]++;
    }
    const intention = intentions.get(s.id);
    const result = results.get(s.id);
    return {
      subscriber: { id: s.id, name: s.name, participantCode: s.participantCode },
      cells,
      provenance,
      // The latest Appendix A says the firm will not take part: no Appendix B is owed.
      declined: intention?.participate === false,
      intention: formSummary(intention),
      result: formSummary(result),
      contradictions: resultForms.has(s.id) ? countContradictions(resultForms.get(s.id)!.content as ResultForm, (service) => mine.get(service)) : 0,
      evidenceCount: [...mine.values()].reduce((n, f) => n + f.events, 0),
      // Its outcome in each session of the series (this one too); empty for a session on its own.
      series: (series.history.get(s.id) ?? []).map((h) => ({ session: h.id, outcome: h.outcome })),
      retake: series.retake.has(s.id),
      // The firm's readiness check before the session (src/desk/readiness.ts), and the flag when it said it will take part without passing one.
      readiness: readiness.bySubscriber.get(s.id) ?? NO_READINESS,
      notReady: readiness.notReady.has(s.id),
    };
  });
  const owing = rows.filter((r) => !r.declined);
  return {
    session: {
      id: session.id,
      code: session.code,
      date: session.date,
      services: session.services,
      intentionDeadline: session.intentionDeadline,
      resultDeadline: session.resultDeadline,
    },
    series: series.series,
    rows,
    counts,
    declined: rows.length - owing.length,
    retake: rows.filter((r) => r.retake).length,
    readiness: {
      passed: rows.filter((r) => r.readiness.state === 'passed').length,
      failed: rows.filter((r) => r.readiness.state === 'failed').length,
      none: rows.filter((r) => r.readiness.state === 'none').length,
    },
    notReady: rows.filter((r) => r.notReady).length,
    missing: { intention: rows.filter((r) => !r.intention).length, result: owing.filter((r) => !r.result).length },
    late: { intention: rows.filter((r) => r.intention?.late).length, result: owing.filter((r) => r.result?.late).length },
  };
}

export default async function dashboardRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, live, clock } = ctx;
  const params = { type: 'object', properties: { sessionId: idParam } } as const;
  const streams = new Set<ServerResponse>();

  app.addHook('onClose', async () => {
    for (const s of streams) s.end();
    streams.clear();
  });

  app.get('/api/sessions/:sessionId/dashboard', { config: { access: 'desk' }, schema: { params } }, async (req) => {
    const { sessionId } = req.params as { sessionId: string };
    const session = await store.getSession(sessionId);
    if (!session) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${sessionId}`);
    return buildDashboard(store, session);
  });

  // Server-sent events: desk officers get every update of the session, a
  // subscriber user only its own firm's.
  app.get('/api/sessions/:sessionId/live', { schema: { params } }, async (req, reply) => {
    const { sessionId } = req.params as { sessionId: string };
    const session = await store.getSession(sessionId);
    if (!session) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${sessionId}`);
    const user = req.auth!.user;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ session: sessionId })}\n\n`);
    streams.add(res);
    let seq = 0;
    const unsubscribe = live.subscribe((e: LiveEvent) => {
      if (e.session !== sessionId) return;
      if (user.role !== 'desk' && e.subscriber !== user.subscriberId) return;
      res.write(`id: ${++seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    });
    // Each beat checks the sign-in again: a user disabled, signed out or given a new password loses the stream.
    const tokenHash = req.auth!.tokenHash;
    const beat = clock.setInterval(() => {
      store.getAuthSessionUser(tokenHash).then(
        (f) => {
          if (f && f.session.expiresAt > clock.now()) res.write(': keep-alive\n\n');
          else res.end();
        },
        () => res.end(),
      );
    }, HEARTBEAT_MS);
    const done = () => {
      unsubscribe();
      beat.cancel();
      streams.delete(res);
    };
    req.raw.on('close', done);
    res.on('close', done);
  });
}
