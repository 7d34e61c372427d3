// What a form submission and an evidence arrival do, whoever triggers them (an
// HTTP route, or an in-process caller such as the embedded demo's conductor and
// simulated subscribers): validate, store, and tell the live feed.
import { validateEvidenceEvent, type EvidenceEvent, type EvidenceFieldError } from '../evidence/index.ts';
import type { Clock } from '../wire/index.ts';
import { message, renderMessage, serviceState, unsafeText, validateIntentionForm, validateResultForm, type FormKind, type FormVersion, type User } from './domain/index.ts';
import { DeskError } from './errors.ts';
import type { LiveFeed } from './api/live.ts';
import type { DeskStore } from './store/index.ts';

export interface EvidenceRejection {
  index: number;
  line?: number;
  code: string;
  message: string;
  errors?: EvidenceFieldError[];
}

export interface EvidenceIngestion {
  accepted: number;
  duplicates: number;
  rejected: EvidenceRejection[];
  unknownSessions: string[];
}

export interface FormSubmissionRequest {
  /** Who submits: a desk officer (any firm) or a user of the firm. */
  user: User;
  sessionId: string;
  subscriberId: string;
  kind: FormKind;
  submissionId: string;
  form: unknown;
  /** A desk officer submitting for a firm says why (required then); a firm's own user gives none. */
  onBehalfReason?: string;
}

/** `unchanged`: the form deep-equals the latest version, which `version` is; nothing was stored. */
export interface FormSubmissionOutcome {
  version: FormVersion;
  created: boolean;
  unchanged: boolean;
}

export const ON_BEHALF_REASON_MAX = 500;

function reasonError(code: string, params: Record<string, string>): DeskError {
  return new DeskError(400, code, renderMessage(message(code, params)), { field: 'onBehalfReason' });
}

/** The reason a desk officer gives for submitting on a firm's behalf, checked; null for a firm's own user. */
function onBehalfReason(r: FormSubmissionRequest): string | null {
  const raw = r.onBehalfReason;
  if (r.user.role !== 'desk') {
    if (raw !== undefined) throw reasonError('ON_BEHALF_REASON_NOT_ALLOWED', {});
    return null;
  }
  const reason = typeof raw === 'string' ? raw.trim() : '';
  if (!reason) throw reasonError('ON_BEHALF_REASON_REQUIRED', { firm: r.subscriberId });
  if (reason.length > ON_BEHALF_REASON_MAX) throw reasonError('ON_BEHALF_REASON_INVALID', { problem: `at most ${ON_BEHALF_REASON_MAX} characters` });
  const unsafe = unsafeText(reason, { multiline: true });
  if (unsafe) throw reasonError('ON_BEHALF_REASON_INVALID', { problem: unsafe.replace('-', ' ') });
  return reason;
}

export class DeskService {
  readonly store: DeskStore;
  readonly clock: Clock;
  readonly live: LiveFeed;

  constructor(store: DeskStore, clock: Clock, live: LiveFeed) {
    this.store = store;
    this.clock = clock;
    this.live = live;
  }

  /**
   * Validates and stores a new form version (late after the deadline); idempotent on
   * submissionId; content deep-equal to the latest version stores nothing (`unchanged`).
   */
  async submitForm(r: FormSubmissionRequest): Promise<FormSubmissionOutcome> {
    if (r.user.role !== 'desk' && r.user.subscriberId !== r.subscriberId) {
      throw new DeskError(403, 'FORBIDDEN_FIRM', `you act for ${r.user.subscriberId}, not for ${r.subscriberId}`);
    }
    const reason = onBehalfReason(r);
    const { session, subscriber } = await this.store.getFormContext(r.sessionId, r.subscriberId);
    if (!session) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${r.sessionId}`);
    if (!subscriber) throw new DeskError(404, 'SUBSCRIBER_NOT_FOUND', `no subscriber ${r.subscriberId}`);
    const v = r.kind === 'intention' ? validateIntentionForm(r.form, { session, subscriber }) : validateResultForm(r.form, { session, subscriber });
    if (!v.ok) throw DeskError.validation(v.errors.map((e) => ({ ...e, field: `form.${e.field}`, message: `form.${e.message}` })));
    const now = this.clock.now();
    const deadline = Date.parse(r.kind === 'intention' ? session.intentionDeadline : session.resultDeadline);
    const late = now > deadline;
    const out = await this.store.submitForm({ sessionId: session.id, subscriberId: subscriber.id, kind: r.kind, submissionId: r.submissionId, content: v.value, submittedBy: r.user.id, submitter: { name: r.user.displayName, role: r.user.role }, submittedAt: now, late, onBehalfReason: reason });
    if (out.created) this.live.publish({ type: 'form', session: session.id, subscriber: subscriber.id, kind: r.kind, version: out.version.version, late: out.version.late });
    return out;
  }

  /**
   * Validates each event, stores the new ones (idempotent on id) and publishes
   * the new state of every touched subscriber and service. With `uploader`, a
   * subscriber user may add only its own firm's probe evidence.
   */
  async ingestEvidence(raw: readonly unknown[], opts: { actor: string; uploader?: User; rejected?: EvidenceRejection[] }): Promise<EvidenceIngestion> {
    const rejected = opts.rejected ?? [];
    const user = opts.uploader;
    const valid: EvidenceEvent[] = [];
    raw.forEach((x, index) => {
      const v = validateEvidenceEvent(x);
      if (!v.ok) {
        rejected.push({ index, code: 'INVALID_EVENT', message: v.errors.map((e) => `events[${index}].${e.message}`).join('; '), errors: v.errors });
        return;
      }
      // The venue's evidence comes from the conductor; a subscriber adds only what its own probe saw.
      if (user && user.role !== 'desk') {
        if (v.event.subscriber !== user.subscriberId) return void rejected.push({ index, code: 'FORBIDDEN_FIRM', message: `events[${index}].subscriber: you act for ${user.subscriberId}, not for ${v.event.subscriber}` });
        if (v.event.source !== 'probe') return void rejected.push({ index, code: 'FORBIDDEN_SOURCE', message: `events[${index}].source: subscribers upload probe evidence only` });
      }
      valid.push(v.event);
    });
    const { inserted, duplicates } = valid.length ? await this.store.ingestEvidence(valid, opts.actor, this.clock.now()) : { inserted: [], duplicates: 0 };
    const known = new Set((await this.store.listSessions()).map((s) => s.id));
    const unknownSessions = [...new Set(valid.map((e) => e.session).filter((s) => !known.has(s)))];
    const touched = new Map<string, EvidenceEvent>();
    for (const e of inserted) touched.set(`${e.session}\u0000${e.subscriber}\u0000${e.service}`, e);
    for (const e of touched.values()) {
      const all = await this.store.listEvidence({ session: e.session, subscriber: e.subscriber, service: e.service });
      this.live.publish({ type: 'evidence', session: e.session, subscriber: e.subscriber, service: e.service, state: serviceState(all, e.subscriber, e.service), count: all.length });
    }
    return { accepted: inserted.length, duplicates, rejected, unknownSessions };
  }
}
