// Appendix A (intention) and Appendix B (result) forms: submit a new version,
// read the latest and every earlier one, the evidence pre-fill and the
// contradictions. Submissions after the deadline are accepted and marked late.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  FORM_KINDS,
  findContradictions,
  prefillResultForm,
  type FormKind,
  type PracticeSession,
  type ResultForm,
  type Subscriber,
} from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { idParam, requireFirm, type DeskContext } from '../context.ts';
import { renderFormPdf } from '../../form-pdf.ts';
import { NO_READINESS, readinessStandings } from '../../readiness.ts';

const formParams = {
  type: 'object',
  required: ['sessionId', 'subscriberId', 'kind'],
  properties: { sessionId: idParam, subscriberId: idParam, kind: { type: 'string', enum: [...FORM_KINDS] } },
} as const;

const resultParams = { type: 'object', required: ['sessionId', 'subscriberId'], properties: { sessionId: idParam, subscriberId: idParam } } as const;

export default async function formRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store } = ctx;

  /** The session and firm a form route is about, after the firm check (403 before 404, so nothing leaks). */
  async function scope(req: FastifyRequest): Promise<{ session: PracticeSession; subscriber: Subscriber }> {
    const { sessionId, subscriberId } = req.params as { sessionId: string; subscriberId: string };
    requireFirm(req, subscriberId);
    const session = await store.getSession(sessionId);
    if (!session) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${sessionId}`);
    const subscriber = await store.getSubscriber(subscriberId);
    if (!subscriber) throw new DeskError(404, 'SUBSCRIBER_NOT_FOUND', `no subscriber ${subscriberId}`);
    return { session, subscriber };
  }

  app.post(
    '/api/sessions/:sessionId/forms/:kind/:subscriberId',
    {
      schema: {
        params: formParams,
        body: {
          type: 'object',
          required: ['submissionId', 'form'],
          additionalProperties: false,
          properties: {
            submissionId: { type: 'string', minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' },
            form: { type: 'object' },
            // A desk officer's reason for submitting on the firm's behalf (DeskService.submitForm checks it).
            onBehalfReason: { type: 'string', minLength: 1, maxLength: 500 },
          },
        },
      },
    },
    async (req, reply) => {
      const { kind, sessionId, subscriberId } = req.params as { kind: FormKind; sessionId: string; subscriberId: string };
      const { submissionId, form, onBehalfReason } = req.body as { submissionId: string; form: unknown; onBehalfReason?: string };
      requireFirm(req, subscriberId);
      const { version, created, unchanged } = await ctx.service.submitForm({
        user: req.auth!.user,
        sessionId,
        subscriberId,
        kind,
        submissionId,
        form,
        ...(onBehalfReason !== undefined ? { onBehalfReason } : {}),
      });
      return reply.status(created ? 201 : 200).send(unchanged ? { version, created, unchanged } : { version, created });
    },
  );

  app.get('/api/sessions/:sessionId/forms/:kind/:subscriberId', { schema: { params: formParams } }, async (req) => {
    const { kind } = req.params as { kind: FormKind };
    const { session, subscriber } = await scope(req);
    const versions = await store.listFormVersions(session.id, subscriber.id, kind);
    return {
      latest: versions.at(-1) ?? null,
      versions: versions.map(({ content: _, ...meta }) => meta),
      deadline: kind === 'intention' ? session.intentionDeadline : session.resultDeadline,
    };
  });

  app.get(
    '/api/sessions/:sessionId/forms/:kind/:subscriberId/versions/:version',
    {
      schema: {
        params: {
          ...formParams,
          required: [...formParams.required, 'version'],
          properties: { ...formParams.properties, version: { type: 'string', pattern: '^[1-9][0-9]{0,6}$' } },
        },
      },
    },
    async (req) => {
      const { kind, version } = req.params as { kind: FormKind; version: string };
      const { session, subscriber } = await scope(req);
      const v = (await store.listFormVersions(session.id, subscriber.id, kind)).find((x) => x.version === Number(version));
      if (!v) throw new DeskError(404, 'FORM_VERSION_NOT_FOUND', `no version ${version} of ${subscriber.id}'s ${kind} form`);
      return { version: v };
    },
  );

  // A printable PDF of the latest version (or ?version=N), authorised like the form itself.
  app.get(
    '/api/sessions/:sessionId/forms/:kind/:subscriberId/pdf',
    {
      schema: {
        params: formParams,
        querystring: { type: 'object', additionalProperties: false, properties: { version: { type: 'string', pattern: '^[1-9][0-9]{0,6}$' } } },
      },
    },
    async (req, reply) => {
      const { kind } = req.params as { kind: FormKind };
      const q = req.query as { version?: string };
      const { session, subscriber } = await scope(req);
      const versions = await store.listFormVersions(session.id, subscriber.id, kind);
      const version = q.version ? versions.find((x) => x.version === Number(q.version)) : versions.at(-1);
      if (q.version && !version) throw new DeskError(404, 'FORM_VERSION_NOT_FOUND', `no version ${q.version} of ${subscriber.id}'s ${kind} form`);
      const contradictions =
        kind === 'result' && version
          ? findContradictions(version.content as ResultForm, subscriber.id, await store.listEvidence({ session: session.id, subscriber: subscriber.id }))
          : [];
      const pdf = await renderFormPdf({
        kind,
        session,
        notice: session.noticeId ? await store.getNotice(session.noticeId) : null,
        subscriber,
        version: version ?? null,
        contradictions,
      });
      reply.header('content-type', 'application/pdf');
      reply.header('content-disposition', `attachment; filename="${session.id}-${subscriber.id}-${kind}${version ? '-v' + version.version : ''}.pdf"`);
      return reply.send(pdf);
    },
  );

  // The firm's readiness check before the session (src/desk/readiness.ts), for the line on its Appendix A page.
  app.get('/api/sessions/:sessionId/readiness/:subscriberId', { schema: { params: resultParams } }, async (req) => {
    const { session, subscriber } = await scope(req);
    const { bySubscriber, notReady } = await readinessStandings(store, session, [subscriber]);
    return { readiness: bySubscriber.get(subscriber.id) ?? NO_READINESS, notReady: notReady.has(subscriber.id) };
  });

  app.get('/api/sessions/:sessionId/forms/result/:subscriberId/prefill', { schema: { params: resultParams } }, async (req) => {
    const { session, subscriber } = await scope(req);
    const evidence = await store.listEvidence({ session: session.id, subscriber: subscriber.id });
    return { sections: prefillResultForm(session, subscriber, evidence), evidenceCount: evidence.length };
  });

  app.get('/api/sessions/:sessionId/forms/result/:subscriberId/contradictions', { schema: { params: resultParams } }, async (req) => {
    const { session, subscriber } = await scope(req);
    const versions = await store.listFormVersions(session.id, subscriber.id, 'result');
    const latest = versions.at(-1);
    if (!latest) return { version: null, contradictions: [] };
    const evidence = await store.listEvidence({ session: session.id, subscriber: subscriber.id });
    return { version: latest.version, contradictions: findContradictions(latest.content as ResultForm, subscriber.id, evidence) };
  });
}
