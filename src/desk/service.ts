// What a form submission and an evidence arrival do, whoever triggers them (an
// HTTP route, or an in-process caller such as the embedded demo's conductor and
// simulated subscribers): validate, store, and tell the live feed.
import { CONDUCTOR, validateEvidenceEvent, type EvidenceEvent, type EvidenceFieldError } from '../evidence/index.ts';
import type { Clock } from '../wire/index.ts';
import {
  cellState,
  message,
  renderMessage,
  unsafeText,
  validateIntentionForm,
  validateResultForm,
  type FormKind,
  type FormVersion,
  type User,
} from './domain/index.ts';
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

/** The documented batch limit of one evidence upload. */
export const MAX_EVIDENCE_EVENTS = 10_000;
/** Validation runs in slices of this many events, with other requests let in between. */
const VALIDATE_SLICE = 1000;

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
    const out = await this.store.submitForm({
      sessionId: session.id,
      subscriberId: subscriber.id,
      kind: r.kind,
      submissionId: r.submissionId,
      content: v.value,
      submittedBy: r.user.id,
      submitter: { name: r.user.displayName, role: r.user.role },
      submittedAt: now,
      late,
      onBehalfReason: reason,
    });
    if (out.created)
      this.live.publish({ type: 'form', session: session.id, subscriber: subscriber.id, kind: r.kind, version: out.version.version, late: out.version.late });
    return out;
  }

  /**
   * Validates each event, stores the new ones and publishes the new state of
   * every touched subscriber and service. The posting principal decides what
   * may be posted and owns the id space: the conductor (the evidence token,
   * `actor` 'conductor') and desk officers (a recorded file) post either
   * source; a subscriber user (`uploader`) only its own firm's probe evidence.
   * Ids are deduplicated within the principal's own id space only.
   */
  async ingestEvidence(raw: readonly unknown[], opts: { actor: string; uploader?: User; rejected?: EvidenceRejection[] }): Promise<EvidenceIngestion> {
    if (raw.length > MAX_EVIDENCE_EVENTS)
      throw new DeskError(400, 'TOO_MANY_EVENTS', `events: at most ${MAX_EVIDENCE_EVENTS} per request, got ${raw.length}; send them in several requests`, {
        field: 'events',
      });
    const rejected = opts.rejected ?? [];
    const user = opts.uploader;
    const postedBy = user ? user.id : opts.actor || CONDUCTOR;
    const valid: EvidenceEvent[] = [];
    for (let index = 0; index < raw.length; index++) {
      if (index > 0 && index % VALIDATE_SLICE === 0) await new Promise((r) => setImmediate(r));
      const v = validateEvidenceEvent(raw[index]);
      if (!v.ok) {
        rejected.push({ index, code: 'INVALID_EVENT', message: v.errors.map((e) => `events[${index}].${e.message}`).join('; '), errors: v.errors });
        continue;
      }
      // The venue's evidence comes from the conductor; a subscriber adds only what its own probe saw.
      if (user && user.role !== 'desk') {
        if (v.event.subscriber !== user.subscriberId) {
          rejected.push({
            index,
            code: 'FORBIDDEN_FIRM',
            message: `events[${index}].subscriber: you act for ${user.subscriberId}, not for ${v.event.subscriber}`,
          });
          continue;
        }
        if (v.event.source !== 'probe') {
          rejected.push({
            index,
            code: 'FORBIDDEN_SOURCE',
            message: `events[${index}].source: subscribers upload their own probe evidence only (source "probe"); the venue's evidence comes from the conductor`,
          });
          continue;
        }
      }
      valid.push(v.event);
    }
    const { inserted, duplicates, cells } = valid.length
      ? await this.store.ingestEvidence(valid, postedBy, this.clock.now())
      : { inserted: [], duplicates: 0, cells: [] };
    const known = new Set((await this.store.listSessions()).map((s) => s.id));
    const unknownSessions = [...new Set(valid.map((e) => e.session).filter((s) => !known.has(s)))];
    if (cells.length) {
      // A cell's state depends on whether the venue recorded anything for the firm (any of its services).
      const recorded = new Map<string, boolean>();
      for (const session of new Set(cells.map((c) => c.session))) {
        const firms = [...new Set(cells.filter((c) => c.session === session).map((c) => c.subscriber))];
        for (const f of await this.store.firmsWithVenueEvidence(session, firms)) recorded.set(`${session}\u0000${f}`, true);
      }
      for (const c of cells) {
        const { state } = cellState(c.summary, recorded.get(`${c.session}\u0000${c.subscriber}`) ?? false);
        this.live.publish({ type: 'evidence', session: c.session, subscriber: c.subscriber, service: c.service, state, count: c.summary.events });
      }
    }
    return { accepted: inserted.length, duplicates, rejected, unknownSessions };
  }
}
