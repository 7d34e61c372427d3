// Subscribers (firms): desk officers manage them; a subscriber user sees its own firm.
import type { FastifyInstance } from 'fastify';
import { parse as parseCsv } from 'csv-parse/sync';
import { message, validateSubscriber, type FieldError, type Subscriber } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { idParam, requireFirm, userOf, type DeskContext } from '../context.ts';
import { firmHistory } from '../../series.ts';

/**
 * CSV import columns (header row required): id, name, participantCode,
 * hsnPorts ("P1;P2"), identities ("OTP-C:COMP01:trading;OMD-C:RTS01:retransmission"),
 * primaryName, primaryPhone, primaryMobile, primaryEmail, and optionally
 * alternateName, alternatePhone, alternateMobile, alternateEmail.
 */
export function subscriberFromCsvRow(r: Record<string, string>): unknown {
  const split = (s: string | undefined) =>
    (s ?? '')
      .split(';')
      .map((x) => x.trim())
      .filter(Boolean);
  const contact = (p: string) => ({ name: r[`${p}Name`], phone: r[`${p}Phone`], mobile: r[`${p}Mobile`], email: r[`${p}Email`] });
  return {
    id: r.id,
    name: r.name,
    participantCode: r.participantCode,
    hsnPorts: split(r.hsnPorts),
    identities: split(r.identities).map((x) => {
      const [service, identity, role] = x.split(':').map((y) => y.trim());
      return { service, identity, role };
    }),
    contacts: { primary: contact('primary'), alternate: r.alternateName ? contact('alternate') : null },
  };
}

export default async function subscriberRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store, clock } = ctx;
  const params = { type: 'object', properties: { subscriberId: idParam } } as const;

  app.get('/api/subscribers', { schema: { querystring: { type: 'object', additionalProperties: false } } }, async (req) => {
    const user = userOf(req);
    if (user.role === 'desk') return { subscribers: await store.listSubscribers() };
    const own = user.subscriberId ? await store.getSubscriber(user.subscriberId) : null;
    return { subscribers: own ? [own] : [] };
  });

  app.get('/api/subscribers/:subscriberId', { schema: { params } }, async (req) => {
    const { subscriberId } = req.params as { subscriberId: string };
    requireFirm(req, subscriberId);
    const s = await store.getSubscriber(subscriberId);
    if (!s) throw new DeskError(404, 'SUBSCRIBER_NOT_FOUND', `no subscriber ${subscriberId}`);
    return { subscriber: s };
  });

  // The firm's outcome in every session, series by series, with the retake marks.
  app.get('/api/subscribers/:subscriberId/sessions', { schema: { params, querystring: { type: 'object', additionalProperties: false } } }, async (req) => {
    const { subscriberId } = req.params as { subscriberId: string };
    requireFirm(req, subscriberId);
    const s = await store.getSubscriber(subscriberId);
    if (!s) throw new DeskError(404, 'SUBSCRIBER_NOT_FOUND', `no subscriber ${subscriberId}`);
    return { sessions: await firmHistory(store, s) };
  });

  app.put('/api/subscribers/:subscriberId', { config: { access: 'desk' }, schema: { params, body: { type: 'object' } } }, async (req, reply) => {
    const { subscriberId } = req.params as { subscriberId: string };
    const v = validateSubscriber({ ...(req.body as object), id: subscriberId });
    if (!v.ok) throw DeskError.validation(v.errors);
    const { created } = await store.putSubscriber(v.value, userOf(req).id, clock.now());
    return reply.status(created ? 201 : 200).send({ subscriber: v.value, created });
  });

  // All or nothing: a file with one bad row imports nothing and names every bad field.
  app.post('/api/subscribers/import', { config: { access: 'desk' }, schema: { body: { type: 'string', minLength: 1 } } }, async (req) => {
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(req.body as string, { columns: true, skip_empty_lines: true, trim: true, bom: true });
    } catch (e) {
      throw new DeskError(400, 'CSV_UNREADABLE', `the CSV could not be read: ${(e as Error).message}`, { field: 'body' });
    }
    if (rows.length === 0) throw new DeskError(400, 'VALIDATION_FAILED', 'rows: the CSV has a header but no subscriber rows', { field: 'rows' });
    const issues: FieldError[] = [];
    const valid: Subscriber[] = [];
    rows.forEach((r, i) => {
      const v = validateSubscriber(subscriberFromCsvRow(r));
      // Row numbers as a person sees them in a spreadsheet: the header is row 1.
      if (!v.ok)
        for (const e of v.errors)
          issues.push({
            field: `rows[${i + 2}].${e.field}`,
            message: `row ${i + 2}: ${e.message}`,
            text: message('validation.row', { row: i + 2, detail: e.text }),
          });
      else valid.push(v.value);
    });
    if (issues.length) throw DeskError.validation(issues);
    let created = 0;
    for (const s of valid) if ((await store.putSubscriber(s, userOf(req).id, clock.now())).created) created++;
    return { imported: valid.length, created, updated: valid.length - created };
  });
}
