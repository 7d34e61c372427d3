// Starting and stopping the desk: open the store, migrate, listen on loopback by default.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../wire/index.ts';
import { buildDeskApp } from './api/app.ts';
import { LiveFeed } from './api/live.ts';
import { LoginThrottle } from './api/login-throttle.ts';
import { ReminderScheduler, type ReminderMailer } from './reminders.ts';
import { openStore, type DeskStore } from './store/index.ts';
import { DeskService } from './service.ts';
import { registerDeskMetrics } from './metrics.ts';

export interface DeskOptions {
  /** SQLite file path (default data/desk.sqlite) or postgres://… URL. Ignored when `store` is given. */
  db?: string;
  store?: DeskStore;
  port?: number;
  host?: string;
  /** The conductor's bearer token for POST /api/evidence; random when omitted. */
  evidenceToken?: string;
  /** Bearer token for GET /metrics (Prometheus); random when omitted. */
  metricsToken?: string;
  clock?: Clock;
  /**
   * Secure on the session cookie: true, false, or 'auto' (default): when the request came
   * over TLS, which behind a reverse proxy needs `trustProxy` so X-Forwarded-Proto counts.
   */
  secureCookies?: boolean | 'auto';
  sessionTtlMs?: number;
  /** Sign-in failures allowed per username and address, per address (any usernames), within the window. */
  login?: { maxFailures?: number; maxFailuresPerAddress?: number; windowMs?: number };
  /** With a mailer, reminders go out `reminderLeadMs` before each deadline (checked every `reminderCheckMs`). */
  mailer?: ReminderMailer;
  reminderLeadMs?: number;
  reminderCheckMs?: number;
  logger?: boolean;
  /** Trust X-Forwarded-For / -Proto from these proxies (Fastify `trustProxy`): the login rate limit's client address, and TLS for Secure cookies. */
  trustProxy?: boolean | string;
  /** Folder of the built web UI (default web/dist of this checkout); null serves the API only. */
  webRoot?: string | null;
}

export interface RunningDesk {
  url: string;
  store: DeskStore;
  app: FastifyInstance;
  live: LiveFeed;
  /** In-process form submission and evidence ingestion, with live updates (the embedded demo uses these). */
  service: DeskService;
  evidenceToken: string;
  metricsToken: string;
  reminders: ReminderScheduler | null;
  close(): Promise<void>;
}

export async function startDesk(opts: DeskOptions = {}): Promise<RunningDesk> {
  const clock = opts.clock ?? systemClock;
  const store = opts.store ?? openStore(opts.db);
  await store.migrate(clock.now());
  const live = new LiveFeed(store.openLiveRelay ? await store.openLiveRelay() : null);
  const service = new DeskService(store, clock, live);
  const evidenceToken = opts.evidenceToken ?? randomBytes(24).toString('base64url');
  const metricsToken = opts.metricsToken ?? randomBytes(24).toString('base64url');
  if (metricsToken === evidenceToken) throw new Error('the metrics token must differ from the evidence token (a scrape must not post evidence)');
  const app = await buildDeskApp(
    {
      store,
      clock,
      live,
      service,
      throttle: new LoginThrottle(store, clock, {
        ...(opts.login?.maxFailures ? { max: opts.login.maxFailures } : {}),
        ...(opts.login?.maxFailuresPerAddress ? { maxPerAddress: opts.login.maxFailuresPerAddress } : {}),
        ...(opts.login?.windowMs ? { windowMs: opts.login.windowMs } : {}),
      }),
      evidenceToken,
      secureCookies: opts.secureCookies ?? 'auto',
      sessionTtlMs: opts.sessionTtlMs ?? 12 * 3600_000,
      mailer: opts.mailer ?? null,
    },
    {
      logger: opts.logger ?? false,
      ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
      ...(opts.webRoot !== undefined ? { webRoot: opts.webRoot } : {}),
    },
  );
  registerDeskMetrics(app, store, metricsToken);
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  const reminders = opts.mailer
    ? new ReminderScheduler(store, clock, opts.mailer, { ...(opts.reminderLeadMs !== undefined ? { leadMs: opts.reminderLeadMs } : {}) })
    : null;
  reminders?.start(opts.reminderCheckMs ?? 60_000);
  let closed = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    store,
    app,
    live,
    service,
    evidenceToken,
    metricsToken,
    reminders,
    async close() {
      if (closed) return;
      closed = true;
      await reminders?.stop();
      await app.close();
      await live.close();
      if (!opts.store) await store.close();
    },
  };
}
