// The site control API, server side (control-api.ts has the contract and the client): node:http,
// Bearer token compared in constant time, JSON bodies ≤ 64 KiB, stable error codes.
import http from 'node:http';
import https from 'node:https';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CONTROL_ERROR_CODES, parseFaultRequest } from './control-api.ts';
import type { ControlErrorBody, ControlErrorCode, IsolateRequest } from './control-api.ts';
import { Site, SiteStateError, TradeNotFoundError } from './site.ts';
import { SiteMetrics } from './metrics.ts';
import { SESSION_COMMANDS } from './market-phases.ts';
import type { SessionCommand } from './market-phases.ts';

const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  readonly code: ControlErrorCode;
  readonly field: string | undefined;
  constructor(code: ControlErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** Constant-time token check (hashing first makes the lengths equal). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const a = createHash('sha256').update(header.slice(7)).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > MAX_BODY) throw new HttpError('PAYLOAD_TOO_LARGE', `body over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  if (n === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError('VALIDATION_FAILED', 'body is not JSON');
  }
}

function objectBody(v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new HttpError('VALIDATION_FAILED', 'expected a JSON object');
  return v as Record<string, unknown>;
}

function optionalString(b: Record<string, unknown>, k: string): string | undefined {
  const v = b[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 500) throw new HttpError('VALIDATION_FAILED', `${k}: expected a string of at most 500 characters`, k);
  return v;
}

export interface SiteControlServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `site`'s control API on its host and control port (0 = any free port). */
export async function startSiteControlServer(site: Site, opts: { host?: string; port?: number; token?: string } = {}): Promise<SiteControlServer> {
  const token = opts.token ?? site.cfg.controlToken;
  const metricsToken = site.cfg.metricsToken;
  const metrics = new SiteMetrics(site);
  // GET /metrics takes the read-only metrics token (venue.yaml metricsToken) or the control token.
  const scrape = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const auth = req.headers.authorization;
    if (!tokenMatches(auth, token) && !(metricsToken !== undefined && tokenMatches(auth, metricsToken)))
      throw new HttpError('UNAUTHORIZED', 'missing or wrong Bearer token');
    if (req.method !== 'GET') throw new HttpError('METHOD_NOT_ALLOWED', `${req.method} /metrics: use GET`);
    const text = await metrics.metrics();
    res.writeHead(200, { 'content-type': metrics.contentType });
    res.end(text);
  };
  const route = async (req: http.IncomingMessage): Promise<[number, unknown]> => {
    if (!tokenMatches(req.headers.authorization, token)) throw new HttpError('UNAUTHORIZED', 'missing or wrong Bearer token');
    const url = new URL(req.url ?? '/', 'http://site');
    const method = req.method ?? 'GET';
    const want = (m: string) => {
      if (method !== m) throw new HttpError('METHOD_NOT_ALLOWED', `${method} ${url.pathname}: use ${m}`);
    };
    switch (url.pathname) {
      case '/status':
        want('GET');
        return [200, site.status()];
      case '/activate': {
        want('POST');
        const b = objectBody(await readJson(req));
        return [200, await site.activate(optionalString(b, 'reason') ?? 'control API')];
      }
      case '/isolate': {
        want('POST');
        const b = objectBody(await readJson(req));
        const mode = b['mode'];
        if (mode !== undefined && mode !== 'graceful' && mode !== 'abrupt')
          throw new HttpError('VALIDATION_FAILED', 'mode: expected graceful or abrupt', 'mode');
        const r: IsolateRequest = {};
        if (mode !== undefined) r.mode = mode;
        const reason = optionalString(b, 'reason');
        if (reason !== undefined) r.reason = reason;
        return [200, await site.isolate(r)];
      }
      case '/failback':
        want('POST');
        objectBody(await readJson(req));
        return [200, await site.failback()];
      case '/fault': {
        want('POST');
        const f = parseFaultRequest(await readJson(req));
        if (!f.ok) throw new HttpError('VALIDATION_FAILED', f.message, f.field);
        if (f.value.kind === 'kill') {
          // Answer first: the process (or the embedded site) is gone right after.
          const at = new Date().toISOString();
          setImmediate(() => site.injectFault(f.value));
          return [200, { ok: true, kind: 'kill', at, active: site.faults.active }];
        }
        return [200, site.injectFault(f.value)];
      }
      case '/market-phase': {
        // Start a session of the day: {session: pre-open | continuous-trading | closing-auction | close | day-close, accelerate?}
        want('POST');
        const b = objectBody(await readJson(req));
        const session = b['session'];
        if (!(SESSION_COMMANDS as readonly unknown[]).includes(session))
          throw new HttpError('VALIDATION_FAILED', `session: expected one of ${SESSION_COMMANDS.join(', ')}`, 'session');
        const acc = b['accelerate'];
        if (acc !== undefined && !(typeof acc === 'number' && Number.isFinite(acc) && acc > 0 && acc <= 100_000))
          throw new HttpError('VALIDATION_FAILED', 'accelerate: expected a number in (0, 100000]', 'accelerate');
        return [200, { ok: true, ...site.marketSession(session as SessionCommand, (acc as number | undefined) ?? 1) }];
      }
      case '/security-status': {
        // Halt or resume one security: {securityId, halted}
        want('POST');
        const b = objectBody(await readJson(req));
        const id = b['securityId'];
        if (typeof id !== 'string' || !/^[0-9]{1,6}$/.test(id))
          throw new HttpError('VALIDATION_FAILED', 'securityId: expected a security code of up to 6 digits', 'securityId');
        if (typeof b['halted'] !== 'boolean') throw new HttpError('VALIDATION_FAILED', 'halted: expected true or false', 'halted');
        try {
          return [200, { ok: true, ...site.securityStatus(id, b['halted']) }];
        } catch (e) {
          if (e instanceof RangeError) throw new HttpError('VALIDATION_FAILED', e.message, 'securityId');
          throw e;
        }
      }
      case '/trade-cancel': {
        want('POST');
        const b = objectBody(await readJson(req));
        const id = b['securityId'];
        const tradeId = b['tradeId'];
        if (typeof id !== 'string' || !/^[0-9]{1,6}$/.test(id))
          throw new HttpError('VALIDATION_FAILED', 'securityId: expected a security code of up to 6 digits', 'securityId');
        if (typeof tradeId !== 'string' || !/^[1-9][0-9]{0,14}$/.test(tradeId))
          throw new HttpError('VALIDATION_FAILED', 'tradeId: expected the engine trade id (digits)', 'tradeId');
        try {
          return [200, { ok: true, ...site.tradeCancel(id, tradeId) }];
        } catch (e) {
          if (e instanceof RangeError) throw new HttpError('VALIDATION_FAILED', e.message, e instanceof TradeNotFoundError ? 'tradeId' : 'securityId');
          throw e;
        }
      }
      case '/clean-up':
        want('POST');
        objectBody(await readJson(req));
        return [200, site.cleanUpReport()];
      case '/connectivity-test': {
        want('POST');
        const b = objectBody(await readJson(req));
        if (b['close'] === true) await site.closeConnectivityTest();
        else {
          const until = typeof b['until'] === 'string' ? Date.parse(b['until']) : NaN;
          if (!Number.isFinite(until)) throw new HttpError('VALIDATION_FAILED', 'until: expected an ISO time (or close: true)', 'until');
          await site.openConnectivityTest(until);
        }
        const st = site.status();
        return [200, { ok: true, role: st.role, state: st.state, connectivityTest: st.connectivityTest }];
      }
      case '/evidence': {
        want('GET');
        const after = Number(url.searchParams.get('after') ?? '0');
        const limit = Number(url.searchParams.get('limit') ?? '10000');
        if (!Number.isInteger(after) || after < 0) throw new HttpError('VALIDATION_FAILED', 'after: expected a non-negative integer', 'after');
        if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
          throw new HttpError('VALIDATION_FAILED', 'limit: expected an integer in 1..100000', 'limit');
        return [200, site.evidence(after, limit)];
      }
      default:
        throw new HttpError('NOT_FOUND', `no route ${url.pathname}`);
    }
  };
  const tlsCfg = site.cfg.tls;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const answer =
      (req.url ?? '/').split('?')[0] === '/metrics'
        ? scrape(req, res)
        : route(req).then(([status, body]) => {
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
          });
    answer.catch((e: unknown) => {
      const err =
        e instanceof HttpError
          ? e
          : e instanceof SiteStateError
            ? new HttpError('INVALID_STATE', e.message)
            : new HttpError('INTERNAL_ERROR', (e as Error).message ?? String(e));
      const body: ControlErrorBody = { error: { code: err.code, message: err.message } };
      if (err.field !== undefined) body.error.field = err.field;
      res.writeHead(CONTROL_ERROR_CODES[err.code], { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      req.resume();
    });
  };
  const server = tlsCfg ? https.createServer({ cert: tlsCfg.cert, key: tlsCfg.key }, handler) : http.createServer(handler);
  const host = opts.host ?? site.host;
  const port = opts.port ?? site.cfg.sites[site.role].control;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as { port: number }).port;
  site.sockets.exclude(bound);
  return {
    url: `${tlsCfg ? 'https' : 'http'}://${host}:${bound}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
