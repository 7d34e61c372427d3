// Reminder emails before each deadline to the subscribers that have not
// returned the form. Automatic reminders go out once per subscriber, session
// and form, `leadMs` before the deadline; a desk officer can also send them by
// hand at any time, and see beforehand who would get one.
import nodemailer from 'nodemailer';
import type { Clock, TimerHandle } from '../wire/index.ts';
import { FORM_KINDS, type FormKind, type IntentionForm, type PracticeSession, type Subscriber } from './domain/index.ts';
import type { DeskStore } from './store/index.ts';
import { seriesStandings } from './series.ts';
import { readinessStandings, type FirmReadiness } from './readiness.ts';

export interface ReminderMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface ReminderMailer {
  send(m: ReminderMessage): Promise<void>;
}

/** Sends through an SMTP server with nodemailer. */
export function createSmtpMailer(opts: { host: string; port: number; from: string; secure?: boolean; auth?: { user: string; pass: string } }): ReminderMailer {
  const transport = nodemailer.createTransport({
    host: opts.host,
    port: opts.port,
    secure: opts.secure ?? false,
    ...(opts.auth ? { auth: opts.auth } : {}),
    // A local sink or relay without TLS must still work; TLS is used when offered.
    ignoreTLS: !opts.secure && (opts.host === '127.0.0.1' || opts.host === 'localhost'),
  });
  return {
    async send(m) {
      await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text });
    },
  };
}

const FORM_NAMES: Record<FormKind, { en: string; zh: string }> = {
  intention: { en: 'Appendix A (intention form)', zh: '附錄A（意向表格）' },
  result: { en: 'Appendix B (result form)', zh: '附錄B（結果表格）' },
};

/** Bilingual text; English first, as the English text prevails. */
export function reminderMessage(session: PracticeSession, subscriber: Subscriber, kind: FormKind): ReminderMessage {
  const due = (kind === 'intention' ? session.intentionDeadline : session.resultDeadline).replace('T', ' ').slice(0, 16);
  const f = FORM_NAMES[kind];
  const to = [subscriber.contacts.primary.email, ...(subscriber.contacts.alternate ? [subscriber.contacts.alternate.email] : [])];
  return {
    to: [...new Set(to)],
    subject: `[${session.code}] Reminder: ${f.en} due ${due} HKT / 提示：${f.zh}截止時間 ${due}（香港時間）`,
    text: [
      `Dear ${subscriber.name} (${subscriber.participantCode}),`,
      '',
      `The service desk has not yet received your ${f.en} for practice session ${session.code} on ${session.date}.`,
      `Please submit it through the desk portal before ${due} Hong Kong time. Forms received after that are still accepted but recorded as late.`,
      '',
      `${subscriber.name}（${subscriber.participantCode}）：`,
      '',
      `服務台尚未收到 貴公司就 ${session.date} ${session.code} 演習提交的${f.zh}。`,
      `請於香港時間 ${due} 前經服務台網站提交。逾期提交的表格仍會受理，但會記錄為逾期。`,
    ].join('\n'),
  };
}

/** Firms whose latest Appendix A says they will not take part. */
export async function declinedSubscribers(store: DeskStore, sessionId: string): Promise<Set<string>> {
  return new Set(
    (await store.latestForms(sessionId, 'intention')).filter((f) => (f.content as IntentionForm).participate === false).map((f) => f.subscriberId),
  );
}

/**
 * Subscribers in scope of the session that have no form of this kind on file.
 * A firm that declined (latest Appendix A: participate = false) owes no Appendix B.
 */
export async function missingSubscribers(store: DeskStore, session: PracticeSession, kind: FormKind, filter: ReminderFilter = {}): Promise<Subscriber[]> {
  const have = new Set((await store.latestForms(session.id, kind)).map((f) => f.subscriberId));
  const declined = kind === 'result' ? await declinedSubscribers(store, session.id) : new Set<string>();
  const inScope = (await store.listSubscribers()).filter((s) => s.identities.some((i) => session.services.includes(i.service)));
  if (filter.only === 'not-ready') {
    // Not about a missing form: the firms that will take part and never passed a readiness check.
    const { notReady } = await readinessStandings(store, session, inScope);
    return inScope.filter((s) => notReady.has(s.id));
  }
  const missing = inScope.filter((s) => !have.has(s.id) && !declined.has(s.id));
  if (filter.only !== 'retake') return missing;
  const { retake } = await seriesStandings(store, session, missing);
  return missing.filter((s) => retake.has(s.id));
}

/**
 * `only: 'retake'`: just the firms marked to retake this session (src/desk/series.ts);
 * `only: 'not-ready'`: the firms flagged not ready (src/desk/readiness.ts), whatever forms they returned.
 */
export interface ReminderFilter {
  only?: 'retake' | 'not-ready';
}

export interface ReminderPreview {
  kind: FormKind;
  subscriberId: string;
  name: string;
  participantCode: string;
  recipients: string[];
}

/** Who a reminder of this kind would go to now, and at which addresses. */
export async function previewReminders(store: DeskStore, session: PracticeSession, kind: FormKind, filter: ReminderFilter = {}): Promise<ReminderPreview[]> {
  return (await missingSubscribers(store, session, kind, filter)).map((s) => ({
    kind,
    subscriberId: s.id,
    name: s.name,
    participantCode: s.participantCode,
    recipients: reminderMessage(session, s, kind).to,
  }));
}

export interface ReminderRun {
  sent: { sessionId: string; subscriberId: string; kind: FormKind; to: string[] }[];
  failed: { sessionId: string; subscriberId: string; kind: FormKind; error: string }[];
}

export class ReminderScheduler {
  readonly leadMs: number;
  #store: DeskStore;
  #clock: Clock;
  #mailer: ReminderMailer;
  #timer: TimerHandle | null = null;
  #running: Promise<ReminderRun> | null = null;
  /** Called after each run with what was sent; tests and logs listen here. */
  onRun: ((r: ReminderRun) => void) | null = null;

  constructor(store: DeskStore, clock: Clock, mailer: ReminderMailer, opts: { leadMs?: number } = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#mailer = mailer;
    this.leadMs = opts.leadMs ?? 24 * 3600_000;
  }

  start(everyMs = 60_000): void {
    // A failed run (store or SMTP down) is retried on the next tick; it must not crash the desk.
    this.#timer ??= this.#clock.setInterval(() => {
      this.runDue().catch(() => {});
    }, everyMs);
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = null;
    await this.#running?.catch(() => {});
  }

  /** Sends the reminders that are due now; runs never overlap. */
  runDue(): Promise<ReminderRun> {
    this.#running ??= this.#runDue().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #runDue(): Promise<ReminderRun> {
    const now = this.#clock.now();
    const run: ReminderRun = { sent: [], failed: [] };
    const already = new Set<string>();
    for (const session of await this.#store.listSessions()) {
      for (const r of await this.#store.listReminders(session.id)) already.add(`${r.sessionId}/${r.subscriberId}/${r.kind}`);
      for (const kind of FORM_KINDS) {
        const deadline = Date.parse(kind === 'intention' ? session.intentionDeadline : session.resultDeadline);
        if (now < deadline - this.leadMs || now >= deadline) continue;
        for (const s of await missingSubscribers(this.#store, session, kind)) {
          if (already.has(`${session.id}/${s.id}/${kind}`)) continue;
          const m = reminderMessage(session, s, kind);
          try {
            await this.#mailer.send(m);
            await this.#store.recordReminder({ sessionId: session.id, subscriberId: s.id, kind, sentAt: now, recipients: m.to }, 'reminders');
            run.sent.push({ sessionId: session.id, subscriberId: s.id, kind, to: m.to });
          } catch (e) {
            // Not recorded: the next run tries again.
            run.failed.push({ sessionId: session.id, subscriberId: s.id, kind, error: (e as Error).message });
          }
        }
      }
    }
    this.onRun?.(run);
    return run;
  }
}

/** The reminder to a firm flagged not ready: run the readiness check in the connectivity-test window. */
export function readinessReminderMessage(session: PracticeSession, subscriber: Subscriber, readiness: FirmReadiness): ReminderMessage {
  const to = [subscriber.contacts.primary.email, ...(subscriber.contacts.alternate ? [subscriber.contacts.alternate.email] : [])];
  const status = readiness.state === 'failed' ? 'failed' : 'has not been run';
  return {
    to: [...new Set(to)],
    subject: `[${session.code}] Reminder: readiness check before ${session.date} / 提示：${session.date} 演習前的連線準備檢查`,
    text: [
      `Dear ${subscriber.name} (${subscriber.participantCode}),`,
      '',
      `Your Appendix A says you will take part in practice session ${session.code} on ${session.date}, but your readiness check ${status}.`,
      'Please run `failover-drill preflight --config subscriber.yaml` in the connectivity-test window and send its results to the desk.',
      ...(readiness.failed.length ? ['', 'Failed in your latest check:', ...readiness.failed.slice(0, 10).map((f) => `  - ${f}`)] : []),
      '',
      `${subscriber.name}（${subscriber.participantCode}）：`,
      '',
      `貴公司的附錄A表示將參與 ${session.date} 的 ${session.code} 演習，但連線準備檢查${readiness.state === 'failed' ? '未能通過' : '尚未進行'}。`,
      '請於連線測試時段內執行 `failover-drill preflight --config subscriber.yaml`，並將結果送交服務台。',
    ].join('\n'),
  };
}
