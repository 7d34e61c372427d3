// `failover-drill desk`: serve the service desk's API on loopback.
import { randomBytes } from 'node:crypto';
import { numberOption, type Command } from '../command.ts';
import { DEFAULT_SQLITE_PATH, ensureWebBuilt, createSmtpMailer, demoSession, nextSaturday, openStore, seedDemo, startDesk } from '../../desk/index.ts';
import { UsageError } from '../command.ts';
import { systemClock } from '../../wire/index.ts';

const command: Command = {
  name: 'desk',
  summary: 'Serve the service desk (forms, deadlines, evidence, dashboard) over HTTP',
  details:
    'The store is a SQLite file (default) or PostgreSQL (--db postgres://user@host:port/db). Migrations are applied at start.\nThe conductor posts evidence to /api/evidence with "Authorization: Bearer <evidence token>".',
  options: {
    db: { type: 'string', default: DEFAULT_SQLITE_PATH, value: 'PATH|URL', description: 'SQLite file path or postgres:// URL' },
    port: { type: 'string', default: '8780', value: 'PORT', description: 'TCP port to listen on (0 = any free port)' },
    host: { type: 'string', default: '127.0.0.1', value: 'ADDR', description: 'Address to listen on' },
    'evidence-token': {
      type: 'string',
      value: 'TOKEN',
      description: 'Bearer token for evidence ingestion (default: $FD_EVIDENCE_TOKEN, else random and printed)',
    },
    'metrics-token': {
      type: 'string',
      value: 'TOKEN',
      description: 'Bearer token for GET /metrics (Prometheus) (default: $FD_METRICS_TOKEN, else random and printed)',
    },
    'seed-demo': {
      type: 'boolean',
      description: 'Create a demo notice, a PS2 session on the next Saturday, three subscribers and their accounts (passwords printed)',
    },
    'trust-proxy': {
      type: 'string',
      value: 'ADDRS',
      description: 'Comma-separated proxy addresses whose X-Forwarded-For and X-Forwarded-Proto are trusted (login rate limit, Secure cookie)',
    },
    'secure-cookies': {
      type: 'string',
      default: 'auto',
      value: 'auto|always|never',
      description:
        'Mark the session cookie Secure: auto = when the request came over TLS (directly, or from a --trust-proxy proxy sending X-Forwarded-Proto: https)',
    },
    'login-max-failures-per-address': {
      type: 'string',
      default: '20',
      value: 'N',
      description: 'Failed sign-ins one client address may make (any usernames) within 15 minutes before it is refused (password spraying)',
    },
    smtp: { type: 'string', value: 'HOST:PORT', description: 'SMTP server for reminder emails (none: reminders off)' },
    'mail-from': { type: 'string', default: 'service-desk@localhost', value: 'ADDRESS', description: 'Sender address of reminder emails' },
    'reminder-lead-hours': { type: 'string', default: '24', value: 'HOURS', description: 'Send reminders this many hours before each deadline' },
    'demo-password': { type: 'string', value: 'PASSWORD', description: 'Use this password for every demo account instead of random ones' },
  },
  async run(values) {
    const port = numberOption(values, 'port', { min: 0, max: 65535, integer: true });
    const db = String(values.db);
    const evidenceToken = (values['evidence-token'] as string | undefined) ?? process.env.FD_EVIDENCE_TOKEN ?? randomBytes(18).toString('base64url');
    const metricsToken = (values['metrics-token'] as string | undefined) ?? process.env.FD_METRICS_TOKEN ?? randomBytes(18).toString('base64url');
    if (metricsToken === evidenceToken) throw new UsageError('--metrics-token: must differ from the evidence token');
    let mailer;
    if (values.smtp) {
      const m = /^([^:]+):(\d{1,5})$/.exec(String(values.smtp));
      if (!m) throw new UsageError(`--smtp: expected HOST:PORT, got ${JSON.stringify(values.smtp)}`);
      mailer = createSmtpMailer({ host: m[1]!, port: Number(m[2]), from: String(values['mail-from']) });
    }
    const leadHours = numberOption(values, 'reminder-lead-hours', { min: 0, max: 24 * 14 });
    const secureMode = String(values['secure-cookies']);
    if (!['auto', 'always', 'never'].includes(secureMode))
      throw new UsageError(`--secure-cookies: expected auto, always or never, got ${JSON.stringify(secureMode)}`);
    const secureCookies = secureMode === 'auto' ? ('auto' as const) : secureMode === 'always';
    const maxFailuresPerAddress = numberOption(values, 'login-max-failures-per-address', { min: 1, max: 100_000, integer: true });
    // The browser UI (web/) is built on first start, or after its sources changed.
    const ui = ensureWebBuilt({ quiet: true });
    const store = openStore(db);
    const desk = await startDesk({
      store,
      port,
      host: String(values.host),
      evidenceToken,
      metricsToken,
      secureCookies,
      login: { maxFailuresPerAddress },
      ...(values['trust-proxy'] ? { trustProxy: String(values['trust-proxy']) } : {}),
      ...(mailer ? { mailer, reminderLeadMs: leadHours * 3600_000 } : {}),
    });
    console.log(
      `desk: ${desk.url} (store: ${store.dialect === 'sqlite' ? db : 'postgres'})${ui ? '' : ' — API only: the web UI is not built (npm run build:web)'}`,
    );
    if (!values['evidence-token'] && !process.env.FD_EVIDENCE_TOKEN) console.log(`evidence token: ${evidenceToken}`);
    console.log(`metrics: ${desk.url}/metrics${!values['metrics-token'] && !process.env.FD_METRICS_TOKEN ? ` (Bearer ${metricsToken})` : ''}`);
    if (values['seed-demo']) {
      const now = systemClock.now();
      const seed = await seedDemo(store, {
        now,
        session: demoSession({ date: nextSaturday(now) }),
        ...(values['demo-password'] ? { password: String(values['demo-password']) } : {}),
      });
      console.log(`demo session ${seed.session.id}: dashboard ${desk.url}/sessions/${seed.session.id}`);
      for (const a of seed.accounts) console.log(`  account ${a.username} / ${a.password} (${a.role}${a.subscriberId ? ' for ' + a.subscriberId : ''})`);
      if (seed.accounts.length === 0) console.log('  demo accounts already existed; their passwords were printed when they were created');
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await desk.close();
    await store.close();
    return 0;
  },
};
export default command;
