// The desk's HTTP API: one Fastify app, a plugin per area. Authentication and
// access rules run in onRequest, before the body is even parsed, so an
// anonymous or wrong-role caller is refused before validation.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_DIST } from '../web-build.ts';
import { DeskError } from '../errors.ts';
import { CSRF_HEADER, SESSION_COOKIE, sameSecret, sha256, type DeskContext } from './context.ts';
import authRoutes from './routes/auth.ts';
import sessionRoutes from './routes/sessions.ts';
import subscriberRoutes from './routes/subscribers.ts';
import formRoutes from './routes/forms.ts';
import evidenceRoutes from './routes/evidence.ts';
import dashboardRoutes from './routes/dashboard.ts';
import exportRoutes from './routes/exports.ts';
import reminderRoutes from './routes/reminders.ts';
import userRoutes from './routes/users.ts';
import auditRoutes from './routes/audit.ts';
import intentionExportRoutes from './routes/intention-export.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The built UI loads only its own script and stylesheet files (Vite emits no inline
 * code), talks only to this origin, and may not be framed (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The built web UI (`npm run build:web`), served beside the API. */
export const DEFAULT_WEB_ROOT = WEB_DIST;

function errorBody(code: string, message: string, field?: string, issues?: unknown, text?: unknown) {
  return { error: { code, message, ...(field !== undefined ? { field } : {}), ...(issues ? { issues } : {}), ...(text ? { text } : {}) } };
}

/** A Message (code, params that may be Messages) as the error schema lets it through. */
const messageSchema = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string' }, params: { type: 'object', additionalProperties: true } },
} as const;

export async function buildDeskApp(
  ctx: DeskContext,
  opts: { logger?: boolean; trustProxy?: boolean | string; webRoot?: string | null } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 8 * 1024 * 1024,
    // Clients get our own validation messages; keep Ajv from rewriting input silently.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    forceCloseConnections: true,
    // Behind a reverse proxy the client address (login rate limiting) comes from X-Forwarded-For.
    trustProxy: opts.trustProxy ?? false,
  });
  await app.register(cookie);
  app.decorateRequest('auth', null);
  app.decorateRequest('conductor', false);

  // Every route's error responses share one schema, so clients can rely on the shape.
  const errorSchema = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          field: { type: 'string' },
          issues: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' }, text: messageSchema } } },
          text: messageSchema,
        },
      },
    },
  } as const;
  app.addHook('onRoute', (route) => {
    route.schema = { ...(route.schema ?? {}), response: { '4xx': errorSchema, '5xx': errorSchema, ...((route.schema?.response as object | undefined) ?? {}) } };
  });

  app.addContentTypeParser(['application/x-tar', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser(['application/x-ndjson', 'text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 32 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  app.addHook('onRequest', (req, reply, done) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    // API answers carry firm data: no browser or proxy cache may keep them.
    if ((req.routeOptions.url ?? req.url).startsWith('/api') || req.url.startsWith('/api')) reply.header('cache-control', 'no-store');
    done();
  });

  app.addHook('onRequest', async (req) => {
    // The web UI's files hold no data: anyone may load them; the API decides what they see.
    // Decided on the matched route, not the raw URL, so an encoded path cannot dodge the checks.
    const route = req.routeOptions.url;
    if (SAFE_METHODS.has(req.method) && (route === undefined ? !req.url.startsWith('/api') : !route.startsWith('/api'))) return;
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      const tokenHash = sha256(token);
      const found = await ctx.store.getAuthSessionUser(tokenHash);
      if (found && found.session.expiresAt > ctx.clock.now()) req.auth = { user: found.user, tokenHash, csrfToken: found.session.csrfToken };
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) req.conductor = sameSecret(bearer, ctx.evidenceToken);

    const access = req.routeOptions.config?.access ?? 'user';
    if (access === 'anonymous') return;
    if (access === 'evidence') {
      if (bearer !== undefined && !req.conductor) throw new DeskError(401, 'EVIDENCE_TOKEN_INVALID', 'the bearer token is not the evidence token');
      if (req.conductor) return;
    }
    if (!req.auth) throw new DeskError(401, 'UNAUTHENTICATED', 'sign in first');
    if (access === 'desk' && req.auth.user.role !== 'desk') throw new DeskError(403, 'FORBIDDEN_ROLE', 'only desk officers may do this');
    if (!SAFE_METHODS.has(req.method)) {
      // Header token: a cross-site form cannot set a custom header (OWASP CSRF, "custom request headers").
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, req.auth.csrfToken)) {
        throw new DeskError(403, 'CSRF_TOKEN_INVALID', `send the csrfToken from /api/auth/me in the ${CSRF_HEADER} header`);
      }
    }
  });

  app.setErrorHandler((err: FastifyError | DeskError, req, reply) => {
    if (err instanceof DeskError) {
      return reply.status(err.status).send(errorBody(err.code, err.message, err.field, err.issues, err.text));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const v = fe.validation[0]!;
      const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
      const path = [v.instancePath.replace(/^\//, '').replace(/\//g, '.'), missing].filter(Boolean).join('.');
      const field = path || fe.validationContext || 'body';
      const where = fe.validationContext && fe.validationContext !== 'body' ? ` (${fe.validationContext})` : '';
      return reply.status(400).send(errorBody('VALIDATION_FAILED', `${field}${where}: ${missing ? 'required' : v.message}`, field));
    }
    const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
    if (status === 500) {
      req.log.error(err);
      return reply.status(500).send(errorBody('INTERNAL_ERROR', 'the desk could not complete this request'));
    }
    // Our own stable codes for what Fastify refuses before a handler runs.
    const code =
      status === 413 ? 'BODY_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : fe.code?.startsWith('FST_ERR_CTP') ? 'MALFORMED_BODY' : 'BAD_REQUEST';
    return reply.status(status).send(errorBody(code, fe.message, code === 'MALFORMED_BODY' ? 'body' : undefined));
  });

  const webRoot = opts.webRoot === undefined ? DEFAULT_WEB_ROOT : opts.webRoot;
  const hasWeb = webRoot !== null && existsSync(join(webRoot, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: 'index.html' });
  app.setNotFoundHandler((req, reply) => {
    // SPA fallback: any other page address gets the UI, which routes on the client.
    if (hasWeb && (req.method === 'GET' || req.method === 'HEAD') && !req.url.startsWith('/api') && !/\.[a-z0-9]+$/i.test(req.url.split('?')[0]!)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.status(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.get('/api/health', { config: { access: 'anonymous' }, schema: { querystring: { type: 'object', additionalProperties: false } } }, async () => ({
    ok: true,
    store: ctx.store.dialect,
  }));

  await app.register(authRoutes, { ctx });
  await app.register(sessionRoutes, { ctx });
  await app.register(subscriberRoutes, { ctx });
  await app.register(formRoutes, { ctx });
  await app.register(evidenceRoutes, { ctx });
  await app.register(dashboardRoutes, { ctx });
  await app.register(exportRoutes, { ctx });
  await app.register(reminderRoutes, { ctx });
  await app.register(userRoutes, { ctx });
  await app.register(auditRoutes, { ctx });
  await app.register(intentionExportRoutes, { ctx });
  return app;
}
