// Evidence ingestion (the conductor with its bearer token, a desk officer
// uploading a recorded file, or a subscriber uploading its own probe report)
// and evidence reading. Idempotent on event id within each poster's own ids.
import type { FastifyInstance } from 'fastify';
import { CONDUCTOR, SERVICES, parseEvidenceLines } from '../../../evidence/index.ts';
import { MAX_EVIDENCE_EVENTS, type EvidenceRejection } from '../../service.ts';
import { DeskError } from '../../errors.ts';
import { idParam, requireFirm, type DeskContext } from '../context.ts';
import { marketPhaseTimeline, withMarketPhases } from '../../domain/index.ts';

/**
 * At most this many bytes per upload (413 BODY_TOO_LARGE beyond): 10,000 events
 * of the size conductors and probes write (~300 bytes) with room to spare, and
 * small enough that parsing it never holds other requests for long.
 */
export const MAX_EVIDENCE_BODY = 8 * 1024 * 1024;

export default async function evidenceRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store } = ctx;

  app.post(
    '/api/evidence',
    {
      config: { access: 'evidence' },
      bodyLimit: MAX_EVIDENCE_BODY,
      schema: {
        body: {
          anyOf: [
            // The count is checked by the service (400 TOO_MANY_EVENTS), the same for both forms.
            { type: 'object', required: ['events'], additionalProperties: false, properties: { events: { type: 'array' } } },
            { type: 'string' },
          ],
        },
      },
    },
    async (req) => {
      const rejected: EvidenceRejection[] = [];
      let raw: unknown[];
      if (typeof req.body === 'string') {
        // application/x-ndjson: the evidence file as written, bad lines reported and skipped.
        const parsed = parseEvidenceLines(req.body);
        // Bad lines count toward the limit too.
        const lines = parsed.events.length + parsed.errors.length;
        if (lines > MAX_EVIDENCE_EVENTS)
          throw new DeskError(400, 'TOO_MANY_EVENTS', `events: at most ${MAX_EVIDENCE_EVENTS} per request, got ${lines} lines; send them in several requests`, {
            field: 'events',
          });
        for (const e of parsed.errors)
          rejected.push({ index: -1, line: e.line, code: 'INVALID_EVENT', message: e.message, ...(e.errors ? { errors: e.errors } : {}) });
        raw = parsed.events;
      } else {
        raw = (req.body as { events: unknown[] }).events;
      }
      const user = req.conductor ? undefined : req.auth!.user;
      return ctx.service.ingestEvidence(raw, { actor: user ? user.id : CONDUCTOR, rejected, ...(user ? { uploader: user } : {}) });
    },
  );

  app.get(
    '/api/sessions/:sessionId/evidence',
    {
      schema: {
        params: { type: 'object', properties: { sessionId: idParam } },
        querystring: { type: 'object', additionalProperties: false, properties: { subscriber: idParam, service: { type: 'string', enum: [...SERVICES] } } },
      },
    },
    async (req) => {
      const { sessionId } = req.params as { sessionId: string };
      const q = req.query as { subscriber?: string; service?: (typeof SERVICES)[number] };
      const user = req.auth!.user;
      const subscriber = q.subscriber ?? (user.role === 'desk' ? undefined : (user.subscriberId ?? undefined));
      if (user.role !== 'desk') requireFirm(req, subscriber ?? '');
      const events = await store.listEvidence({ session: sessionId, ...(subscriber ? { subscriber } : {}), ...(q.service ? { service: q.service } : {}) });
      return { events: withMarketPhases(events, await sessionPhases(ctx, sessionId)) };
    },
  );
}

/** The session's phase changes: the venue records them for every firm at once (subscriber '*'). */
export async function sessionPhases(ctx: DeskContext, session: string) {
  return marketPhaseTimeline(await ctx.store.listEvidence({ session, subscriber: '*' }));
}
