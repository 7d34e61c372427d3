// Evidence ingestion (the conductor with its bearer token, a desk officer
// uploading a recorded file, or a subscriber uploading its own probe report)
// and evidence reading. Idempotent on event id.
import type { FastifyInstance } from 'fastify';
import { SERVICES, parseEvidenceLines } from '../../../evidence/index.ts';
import type { EvidenceRejection } from '../../service.ts';
import { DeskError } from '../../errors.ts';
import { idParam, requireFirm, type DeskContext } from '../context.ts';

const MAX_EVENTS = 10_000;

export default async function evidenceRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store } = ctx;

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
    const rejected: EvidenceRejection[] = [];
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
    const user = req.conductor ? undefined : req.auth!.user;
    return ctx.service.ingestEvidence(raw, { actor: user ? user.id : 'conductor', rejected, ...(user ? { uploader: user } : {}) });
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
