// Evidence ingestion (the conductor with its bearer token, a desk officer
// uploading a recorded file, or a subscriber uploading its own probe report)
// and evidence reading. Idempotent on event id.
import type { FastifyInstance } from 'fastify';
import { SERVICES, parseEvidenceLines, validateEvidenceEvent, type EvidenceEvent, type EvidenceFieldError } from '../../../evidence/index.ts';
import { serviceState } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { idParam, requireFirm, type DeskContext } from '../context.ts';

const MAX_EVENTS = 10_000;

interface Rejected {
  index: number;
  line?: number;
  code: string;
  message: string;
  errors?: EvidenceFieldError[];
}

export default async function evidenceRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock, live } = ctx;

  app.post('/api/evidence', {
    config: { access: 'evidence' },
    schema: {
      body: {
        anyOf: [
          { type: 'object', required: ['events'], additionalProperties: false, properties: { events: { type: 'array', maxItems: MAX_EVENTS } } },
          { type: 'string', maxLength: 32 * 1024 * 1024 },
        ],
      },
    },
  }, async (req) => {
    const rejected: Rejected[] = [];
    let raw: unknown[];
    if (typeof req.body === 'string') {
      // application/x-ndjson: the evidence file as written, bad lines reported and skipped.
      const parsed = parseEvidenceLines(req.body);
      for (const e of parsed.errors) rejected.push({ index: -1, line: e.line, code: 'INVALID_EVENT', message: e.message, ...(e.errors ? { errors: e.errors } : {}) });
      raw = parsed.events;
      if (raw.length > MAX_EVENTS) throw new DeskError(400, 'TOO_MANY_EVENTS', `events: at most ${MAX_EVENTS} per request`, { field: 'events' });
    } else {
      raw = (req.body as { events: unknown[] }).events;
    }
    const user = req.conductor ? null : req.auth!.user;
    const valid: EvidenceEvent[] = [];
    raw.forEach((x, index) => {
      const v = validateEvidenceEvent(x);
      if (!v.ok) {
        rejected.push({ index, code: 'INVALID_EVENT', message: v.errors.map((e) => `events[${index}].${e.message}`).join('; '), errors: v.errors });
        return;
      }
      // A subscriber may upload only its own probe's evidence; the venue's comes from the conductor.
      if (user && user.role !== 'desk') {
        if (v.event.subscriber !== user.subscriberId) return void rejected.push({ index, code: 'FORBIDDEN_FIRM', message: `events[${index}].subscriber: you act for ${user.subscriberId}, not for ${v.event.subscriber}` });
        if (v.event.source !== 'probe') return void rejected.push({ index, code: 'FORBIDDEN_SOURCE', message: `events[${index}].source: subscribers upload probe evidence only` });
      }
      valid.push(v.event);
    });
    const actor = user ? user.id : 'conductor';
    const { inserted, duplicates } = valid.length ? await store.ingestEvidence(valid, actor, clock.now()) : { inserted: [], duplicates: 0 };
    const knownSessions = new Set((await store.listSessions()).map((s) => s.id));
    const unknownSessions = [...new Set(valid.map((e) => e.session).filter((s) => !knownSessions.has(s)))];
    // One live update per touched subscriber and service, with its new state.
    const touched = new Map<string, EvidenceEvent>();
    for (const e of inserted) touched.set(`${e.session}\u0000${e.subscriber}\u0000${e.service}`, e);
    for (const e of touched.values()) {
      const all = await store.listEvidence({ session: e.session, subscriber: e.subscriber, service: e.service });
      live.publish({ type: 'evidence', session: e.session, subscriber: e.subscriber, service: e.service, state: serviceState(all, e.subscriber, e.service), count: all.length });
    }
    return { accepted: inserted.length, duplicates, rejected, unknownSessions };
  });

  app.get('/api/sessions/:sessionId/evidence', {
    schema: {
      params: { type: 'object', properties: { sessionId: idParam } },
      querystring: { type: 'object', additionalProperties: false, properties: { subscriber: idParam, service: { type: 'string', enum: [...SERVICES] } } },
    },
  }, async (req) => {
    const { sessionId } = req.params as { sessionId: string };
    const q = req.query as { subscriber?: string; service?: (typeof SERVICES)[number] };
    const user = req.auth!.user;
    const subscriber = q.subscriber ?? (user.role === 'desk' ? undefined : user.subscriberId ?? undefined);
    if (user.role !== 'desk') requireFirm(req, subscriber ?? '');
    const events = await store.listEvidence({ session: sessionId, ...(subscriber ? { subscriber } : {}), ...(q.service ? { service: q.service } : {}) });
    return { events };
  });
}
