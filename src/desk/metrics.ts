// Prometheus metrics of the desk (GET /metrics, Bearer metrics token): per practice session, the
// forms on file and late per appendix, the evidence stored, the contradictions open. Read from the
// store at scrape time through the dashboard's own fold, so every desk replica on one PostgreSQL
// reports the same numbers. One registry per desk: nothing goes to prom-client's global one.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { buildDashboard } from './api/routes/dashboard.ts';
import { sameSecret } from './api/context.ts';
import { DeskError } from './errors.ts';
import type { DeskStore } from './store/index.ts';

/** Appendix A is the intention form, Appendix B the result form. */
const APPENDICES = [
  ['A', 'intention'],
  ['B', 'result'],
] as const;

interface SessionFigures {
  session: string;
  code: string;
  forms: Record<'A' | 'B', { submitted: number; late: number; missing: number }>;
  contradictions: number;
  firmsWithContradictions: number;
  evidence: { venue: number; selfReported: number };
}

export class DeskMetrics {
  readonly registry = new Registry();
  readonly #store: DeskStore;
  /** One read of the store per scrape, shared by the metrics below. */
  #figures: Promise<SessionFigures[]> | null = null;

  constructor(store: DeskStore) {
    this.#store = store;
    const registers = [this.registry];
    const figures = () => (this.#figures ??= this.#read());
    const formGauge = (name: string, help: string, pick: (f: SessionFigures['forms']['A']) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['session', 'code', 'appendix'],
        registers,
        async collect() {
          this.reset();
          for (const s of await figures())
            for (const [appendix] of APPENDICES) this.set({ session: s.session, code: s.code, appendix }, pick(s.forms[appendix]));
        },
      });
    formGauge(
      'failover_drill_desk_forms_submitted',
      'Firms with the appendix on file (A: intention, B: result; B only for firms taking part)',
      (f) => f.submitted,
    );
    formGauge('failover_drill_desk_forms_late', 'Firms whose latest version of the appendix came after its deadline', (f) => f.late);
    formGauge('failover_drill_desk_forms_missing', 'Firms that owe the appendix and have none on file', (f) => f.missing);
    new Counter({
      name: 'failover_drill_desk_evidence_events_total',
      help: "Evidence events stored for the session's firms, by provenance (venue or self-reported)",
      labelNames: ['session', 'code', 'provenance'],
      registers,
      async collect() {
        this.reset();
        for (const s of await figures()) {
          this.inc({ session: s.session, code: s.code, provenance: 'venue' }, s.evidence.venue);
          this.inc({ session: s.session, code: s.code, provenance: 'self-reported' }, s.evidence.selfReported);
        }
      },
    });
    new Gauge({
      name: 'failover_drill_desk_contradictions_open',
      help: 'Contradictions between the latest Appendix B and the evidence',
      labelNames: ['session', 'code'],
      registers,
      async collect() {
        this.reset();
        for (const s of await figures()) this.set({ session: s.session, code: s.code }, s.contradictions);
      },
    });
    new Gauge({
      name: 'failover_drill_desk_firms_with_contradictions',
      help: 'Firms whose latest Appendix B the evidence contradicts',
      labelNames: ['session', 'code'],
      registers,
      async collect() {
        this.reset();
        for (const s of await figures()) this.set({ session: s.session, code: s.code }, s.firmsWithContradictions);
      },
    });
  }

  async #read(): Promise<SessionFigures[]> {
    const out: SessionFigures[] = [];
    for (const session of await this.#store.listSessions()) {
      const d = await buildDashboard(this.#store, session);
      let venue = 0,
        all = 0;
      for (const c of await this.#store.listEvidenceCells(session.id)) {
        all += c.summary.events;
        venue += c.summary.venueEvents;
      }
      const owing = d.rows.filter((r) => !r.declined);
      out.push({
        session: session.id,
        code: session.code,
        forms: {
          A: { submitted: d.rows.filter((r) => r.intention).length, late: d.late.intention, missing: d.missing.intention },
          B: { submitted: owing.filter((r) => r.result).length, late: d.late.result, missing: d.missing.result },
        },
        contradictions: d.rows.reduce((n, r) => n + r.contradictions, 0),
        firmsWithContradictions: d.rows.filter((r) => r.contradictions > 0).length,
        evidence: { venue, selfReported: all - venue },
      });
    }
    return out;
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async metrics(): Promise<string> {
    this.#figures = null;
    try {
      return await this.registry.metrics();
    } finally {
      this.#figures = null;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** GET /metrics: only with `Authorization: Bearer <metrics token>` (a scrape config's `authorization`). */
export function registerDeskMetrics(app: FastifyInstance, store: DeskStore, token: string): DeskMetrics {
  const metrics = new DeskMetrics(store);
  app.get('/metrics', { config: { access: 'anonymous' } }, async (req, reply) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !sameSecret(bearer, token)) throw new DeskError(401, 'METRICS_TOKEN_INVALID', 'send the metrics token as a Bearer token');
    const text = await metrics.metrics();
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
  });
  return metrics;
}
