// The desk's storage: one interface, one SQL implementation over either
// runner. Every change writes its audit entry in the same transaction.
import { provenanceOf, type EvidenceEvent, type Service, type Source, type StoredEvidenceEvent } from '../../evidence/index.ts';
import { CellFold, FOLD_VERSION, type CellDigest, type CellSummary } from '../domain/verification.ts';
import type {
  AuditEntry,
  FormKind,
  OverallResult,
  FormVersion,
  IntentionForm,
  Notice,
  PracticeSession,
  ResultForm,
  Subscriber,
  User,
  UserAccount,
  UserRecord,
} from '../domain/index.ts';
import { message } from '../domain/messages/index.ts';
import { worstResult } from '../domain/series.ts';
import { DeskError } from '../errors.ts';
import { migrate } from './migrations.ts';
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { isUniqueViolation, type Row, type SqlRunner, type SqlTx } from './sql.ts';
import { TickBatch } from './tick-batch.ts';
import { foldReadiness, type FirmReadiness, type ReadinessEventRow } from '../domain/readiness.ts';

export interface AuthSessionRecord {
  tokenHash: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface FormSubmission {
  sessionId: string;
  subscriberId: string;
  kind: FormKind;
  submissionId: string;
  content: IntentionForm | ResultForm;
  submittedBy: string;
  submittedAt: number;
  late: boolean;
  /** Why a desk officer submitted for the firm; null (or absent) when the firm's own user did. */
  onBehalfReason?: string | null;
  /** The submitting user's display name and role when the caller has them (saves a read); else read from users. */
  submitter?: { name: string; role: User['role'] };
}

/**
 * `created`: stored as a new version. Otherwise nothing was stored: the submission id
 * was seen before (`version` is that one), or `unchanged`: the content deep-equals the
 * latest version (`version` is the latest).
 */
export interface FormSubmitOutcome {
  version: FormVersion;
  created: boolean;
  unchanged: boolean;
}

export interface LatestFormsQuery {
  /** Only these sessions (none: nothing); absent: every session. */
  sessions?: readonly string[];
  subscriber?: string;
}

/** An Appendix A's participate answer, or an Appendix B's verdict (its worst section, see worstResult), with the version's marks. */
export interface LatestFormFacts {
  sessionId: string;
  subscriberId: string;
  kind: FormKind;
  participate?: boolean;
  verdict?: OverallResult;
  version: number;
  /** Epoch ms (most readers of facts never show it: no date is made for them). */
  submittedAtMs: number;
  late: boolean;
}

export interface EvidenceQuery {
  session: string;
  subscriber?: string;
  service?: Service;
}

/** The folded evidence of one firm's service in a session (see CellFold), as the dashboard reads it. */
/** One readiness event as the desk folds it (src/desk/domain/readiness.ts). */
export type { ReadinessEventRow } from '../domain/readiness.ts';

export interface EvidenceCell {
  session: string;
  subscriber: string;
  service: Service;
  summary: CellSummary;
}

export interface EvidenceIngest {
  /** The new events, as stored. */
  inserted: StoredEvidenceEvent[];
  /** Events whose id this principal had already posted (its own id space only). */
  duplicates: number;
  /** The cells the new events changed, as folded after them. */
  cells: EvidenceCell[];
}

/** Events per transaction: big enough for multi-row INSERTs, small enough that no other request waits long. */
export const EVIDENCE_CHUNK = 500;
const INSERT_ROWS = 250;

export interface ReminderRecord {
  sessionId: string;
  subscriberId: string;
  kind: FormKind;
  sentAt: number;
  recipients: string[];
}

export interface AuditQuery {
  entity?: string;
  entityId?: string;
  actor?: string;
  /** Only entries older than this entry id (the next page of a newest-first list). */
  before?: number;
  limit?: number;
}

export interface SentReminder extends ReminderRecord {
  /** 'reminders' for the automatic ones, else the desk officer who sent it by hand. */
  actor: string;
  manual: boolean;
}

/** Carries live dashboard events between API replicas (a store that can, e.g. PostgreSQL LISTEN/NOTIFY). */
export interface LiveRelay {
  send(payload: string): Promise<void>;
  onMessage(fn: (payload: string) => void): void;
  close(): Promise<void>;
}

export interface DeskStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** A relay of live updates between processes sharing this store, where the store has one (PostgreSQL). */
  openLiveRelay?(): Promise<LiveRelay>;
  migrate(now: number): Promise<number[]>;
  close(): Promise<void>;

  createNotice(n: Notice, actor: string, now: number): Promise<void>;
  getNotice(id: string): Promise<Notice | null>;
  listNotices(): Promise<Notice[]>;

  createSession(s: PracticeSession, actor: string, now: number): Promise<void>;
  updateSession(s: PracticeSession, actor: string, now: number): Promise<void>;
  getSession(id: string): Promise<PracticeSession | null>;
  listSessions(): Promise<PracticeSession[]>;
  /** The sessions of a series, in series order. */
  listSeriesSessions(seriesId: string): Promise<PracticeSession[]>;

  /** Creates or replaces; returns whether it was new. */
  putSubscriber(s: Subscriber, actor: string, now: number): Promise<{ created: boolean }>;
  getSubscriber(id: string): Promise<Subscriber | null>;
  listSubscribers(): Promise<Subscriber[]>;

  createUser(u: UserRecord, actor: string, now: number): Promise<void>;
  getUser(id: string): Promise<User | null>;
  getUserByUsername(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<User[]>;

  createAuthSession(s: AuthSessionRecord, now: number): Promise<void>;
  getAuthSession(tokenHash: string): Promise<AuthSessionRecord | null>;
  /** The session and its user in one read (every authenticated request does this). */
  getAuthSessionUser(tokenHash: string): Promise<{ session: AuthSessionRecord; user: User } | null>;
  deleteAuthSession(tokenHash: string, actor: string, now: number): Promise<void>;

  /**
   * Stores a new version; returns the stored one when submissionId was seen (idempotent),
   * or the latest one, storing nothing, when the content deep-equals it.
   */
  submitForm(s: FormSubmission): Promise<FormSubmitOutcome>;
  listFormVersions(sessionId: string, subscriberId: string, kind: FormKind): Promise<FormVersion[]>;
  /** The session and the firm a form is for, in one read. */
  getFormContext(sessionId: string, subscriberId: string): Promise<{ session: PracticeSession | null; subscriber: Subscriber | null }>;
  getFormBySubmissionId(submissionId: string): Promise<FormVersion | null>;
  /** The latest version of each subscriber's form of this kind in a session. */
  latestForms(sessionId: string, kind: FormKind): Promise<FormVersion[]>;
  /** The content of each firm's latest version of this kind (frozen, shared: read it, do not change it), by firm. */
  latestFormContents(sessionId: string, kind: FormKind): Promise<Map<string, { version: number; content: IntentionForm | ResultForm }>>;
  /** What a series needs of the latest version of every form (both kinds) of these sessions and/or this firm, in one read. */
  latestFormFacts(q: LatestFormsQuery): Promise<LatestFormFacts[]>;

  /**
   * Inserts new events posted by `postedBy` (the principal: 'conductor' or a
   * user id) and folds them into their cells, in transactions of at most
   * EVIDENCE_CHUNK events. An id this principal already posted is a duplicate;
   * other principals' ids are never consulted.
   */
  ingestEvidence(events: EvidenceEvent[], postedBy: string, now: number): Promise<EvidenceIngest>;
  listEvidence(q: EvidenceQuery): Promise<StoredEvidenceEvent[]>;
  /** Of these firms, those the venue recorded any evidence for in the session. */
  firmsWithVenueEvidence(session: string, subscribers: readonly string[]): Promise<string[]>;
  /** The folded cells of a session, optionally of some firms only. */
  listEvidenceCells(session: string, subscribers?: readonly string[]): Promise<EvidenceCell[]>;
  /** The session's readiness events (kind 'readiness'), by firm, each firm's oldest first (the partial index's order): what src/desk/readiness.ts folds. */
  listReadinessEvents(session: string): Promise<ReadinessEventRow[]>;
  /** Each firm's readiness in the session as folded at ingestion (firms without a check are absent); `subscriber`: that firm only. */
  listReadiness(session: string, subscriber?: string): Promise<Map<string, FirmReadiness>>;

  recordReminder(r: ReminderRecord, actor: string): Promise<boolean>;
  listReminders(sessionId: string): Promise<ReminderRecord[]>;

  /** Failed sign-ins for a throttle key since `since`: how many, and when the oldest was. */
  loginFailures(key: string, since: number): Promise<{ count: number; oldest: number | null }>;
  /** Records one failure under each key (and forgets failures older than `forgetBefore`). */
  recordLoginFailure(key: string | readonly string[], at: number, forgetBefore: number): Promise<void>;
  clearLoginFailures(key: string): Promise<void>;

  appendAudit(actor: string, action: string, entity: string, entityId: string, detail: Record<string, unknown>, now: number): Promise<void>;
  listAudit(q: { entity?: string; entityId?: string; limit?: number }): Promise<AuditEntry[]>;

  // User administration, the audit log page and the reminders sent (desk officers).
  listUserAccounts(): Promise<UserAccount[]>;
  getUserAccount(id: string): Promise<UserAccount | null>;
  /** Disabling also ends every auth session of the user; null when there is no such user. */
  setUserDisabled(id: string, disabled: boolean, actor: string, now: number): Promise<UserAccount | null>;
  /** A new password hash; the user's auth sessions end. Null when there is no such user. */
  resetUserPassword(id: string, passwordHash: string, actor: string, now: number): Promise<UserAccount | null>;
  /** Newest first; `more` when older entries match too. */
  searchAudit(q: AuditQuery): Promise<{ entries: AuditEntry[]; more: boolean }>;
  /** Reminders a desk officer sent by hand (and those the mail server refused, audited only). */
  recordManualReminders(
    sessionId: string,
    kind: FormKind,
    sent: { subscriberId: string; to: string[] }[],
    failed: string[],
    actor: string,
    now: number,
  ): Promise<void>;
  /** Every reminder sent for the session, automatic and by hand, newest first. */
  listSentReminders(sessionId: string): Promise<SentReminder[]>;
}

const json = (x: unknown) => JSON.stringify(x);

/** Parsed cell summaries kept (about 1 KB each): the cells of a few sessions of 500 firms. */
const MAX_CACHED_SUMMARIES = 20_000;
/** Parsed form versions kept (about 2 KB each): the latest forms of a few sessions of 500 firms. */
const MAX_CACHED_CONTENTS = 10_000;

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

const parse = <T>(x: unknown) => JSON.parse(String(x)) as T;

/** JSON with every object's keys sorted: two values are deep-equal exactly when these texts are. */
function canonicalJson(x: unknown): string {
  // Plain loops: this runs for every submission (a few times cheaper than map/filter/join).
  if (typeof x !== 'object' || x === null) return JSON.stringify(x) ?? 'null';
  if (Array.isArray(x)) {
    let out = '[';
    for (let i = 0; i < x.length; i++) out += (i ? ',' : '') + (x[i] === undefined ? 'null' : canonicalJson(x[i]));
    return out + ']';
  }
  const o = x as Record<string, unknown>;
  let out = '{';
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined) continue;
    out += (out.length > 1 ? ',' : '') + JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return out + '}';
}

/** What "unchanged" compares: the SHA-256 of the form's canonical JSON (stored with each version since migration 5). */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Deep equality of two stored forms (JSON texts), for versions stored without a hash. */
function sameContent(a: string, b: string): boolean {
  if (a === b) return true;
  // Reordered keys leave the length and the characters as they were: most different forms stop here.
  if (a.length !== b.length || !sameCharacters(a, b)) return false;
  return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
}

function sameCharacters(a: string, b: string): boolean {
  const counts = new Int32Array(128);
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i),
      y = b.charCodeAt(i);
    if (x > 127 || y > 127) return true; // beyond ASCII: let the deep comparison decide
    counts[x]!++;
    counts[y]!--;
  }
  return counts.every((n) => n === 0);
}

/** The audit entry of a stored submission, after its version number. */
function auditDetail(s: FormSubmission): Record<string, unknown> {
  return { submissionId: s.submissionId, late: s.late, ...(s.onBehalfReason ? { onBehalfReason: s.onBehalfReason } : {}) };
}

async function audit(tx: SqlTx, actor: string, action: string, entity: string, entityId: string, detail: Record<string, unknown>, now: number): Promise<void> {
  await tx.run('INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)', [
    now,
    actor,
    action,
    entity,
    entityId,
    json(detail),
  ]);
}

function readinessRow(r: Row): ReadinessEventRow {
  return {
    subscriber: String(r.subscriber_id),
    service: r.service as Service,
    identity: String(r.identity),
    source: r.source as Source,
    ts: String(r.ts),
    detail: parse<Record<string, unknown>>(r.detail),
  };
}

/** What the dashboard and the series read of a version, stored beside its content (migration 9). */
function formAnswers(s: FormSubmission): { participate: number | null; verdict: OverallResult | null } {
  if (s.kind === 'intention') return { participate: (s.content as IntentionForm).participate === true ? 1 : 0, verdict: null };
  return { participate: null, verdict: worstResult(((s.content as ResultForm).sections ?? []).map((x) => x.overall)) };
}

/** A form version's columns with its submitter's name and role (the user may be gone: then the id stands in). */
const FORM_SELECT =
  'SELECT v.session_id, v.subscriber_id, v.kind, v.version, v.submission_id, v.content, v.submitted_by, v.submitted_at, v.late, v.on_behalf_reason, u.display_name AS submitted_by_name, u.role AS submitted_by_role FROM form_versions v LEFT JOIN users u ON u.id = v.submitted_by';

function submitterRole(role: unknown, onBehalfReason: unknown): User['role'] {
  if (role === 'desk' || role === 'subscriber') return role;
  return onBehalfReason === null || onBehalfReason === undefined ? 'subscriber' : 'desk';
}

function formRow(r: Row): FormVersion {
  const reason = r.on_behalf_reason ?? null;
  return {
    sessionId: String(r.session_id),
    subscriberId: String(r.subscriber_id),
    kind: r.kind as FormKind,
    version: Number(r.version),
    submissionId: String(r.submission_id),
    content: parse(r.content),
    submittedBy: String(r.submitted_by),
    submittedByName: r.submitted_by_name === null || r.submitted_by_name === undefined ? String(r.submitted_by) : String(r.submitted_by_name),
    submittedByRole: submitterRole(r.submitted_by_role, reason),
    onBehalfReason: reason === null ? null : String(reason),
    submittedAt: new Date(Number(r.submitted_at)).toISOString(),
    late: Number(r.late) === 1,
  };
}

function userRow(r: Row): UserRecord {
  return {
    id: String(r.id),
    username: String(r.username),
    displayName: String(r.display_name),
    role: r.role as User['role'],
    subscriberId: r.subscriber_id === null ? null : String(r.subscriber_id),
    passwordHash: String(r.password_hash),
  };
}

function accountRow(r: Row): UserAccount {
  const { passwordHash: _, ...user } = userRow(r);
  return {
    ...user,
    disabled: r.disabled_at !== null,
    disabledAt: r.disabled_at === null ? null : new Date(Number(r.disabled_at)).toISOString(),
    createdAt: new Date(Number(r.created_at)).toISOString(),
  };
}

function auditRow(r: Row): AuditEntry {
  return {
    id: Number(r.id),
    at: new Date(Number(r.at)).toISOString(),
    actor: String(r.actor),
    action: String(r.action),
    entity: String(r.entity),
    entityId: String(r.entity_id),
    detail: parse<Record<string, unknown>>(r.detail),
  };
}

function evidenceRow(r: Row): StoredEvidenceEvent {
  const e: EvidenceEvent = {
    id: String(r.id),
    ts: String(r.ts),
    session: String(r.session_id),
    site: r.site as EvidenceEvent['site'],
    service: r.service as EvidenceEvent['service'],
    subscriber: String(r.subscriber_id),
    identity: String(r.identity),
    kind: r.kind as EvidenceEvent['kind'],
    detail: parse(r.detail),
    source: r.source as EvidenceEvent['source'],
  };
  return { ...e, postedBy: String(r.posted_by), provenance: provenanceOf(e) };
}

const EVIDENCE_COLUMNS = '(posted_by, id, session_id, subscriber_id, service, site, identity, kind, source, ts, ts_ms, detail, received_at)';
const cellKey = (session: string, subscriber: string, service: string) => `${session}\u0000${subscriber}\u0000${service}`;
const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

/** PostgreSQL's deadlock and serialisation failures: the transaction is retried. */
function isRetryable(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === '40P01' || code === '40001';
}

export class SqlDeskStore implements DeskStore {
  readonly db: SqlRunner;

  // PostgreSQL only: what concurrent requests ask in one turn goes in one round trip.
  // (SQLite answers in-process, without a round trip to save.)
  readonly #submitBatch: TickBatch<{ s: FormSubmission; content: string; hash: string }, FormSubmitOutcome> | null;
  readonly #authBatch: TickBatch<string, { session: AuthSessionRecord; user: User } | null> | null;
  readonly #summaries = new Map<string, { events: number; venueEvents: number; summary: CellSummary }>();
  readonly #contents = new Map<string, IntentionForm | ResultForm>();
  readonly #contextBatch: TickBatch<{ sessionId: string; subscriberId: string }, { session: PracticeSession | null; subscriber: Subscriber | null }> | null;

  constructor(db: SqlRunner) {
    this.db = db;
    const grouped = db.dialect === 'postgres';
    this.#submitBatch = grouped ? new TickBatch((items) => this.#submitFormsPostgres(items)) : null;
    this.#authBatch = grouped ? new TickBatch((hashes) => this.#authSessionUsers(hashes)) : null;
    this.#contextBatch = grouped ? new TickBatch((keys) => this.#formContexts(keys)) : null;
  }

  get dialect() {
    return this.db.dialect;
  }

  async migrate(now: number) {
    const applied = await migrate(this.db, now);
    // Evidence stored before the cells existed, or folded by an older fold, is folded now.
    await this.#rebuildStaleCells();
    await this.#rebuildMissingReadiness();
    return applied;
  }

  close() {
    return this.db.close();
  }

  async #insertUnique(tx: SqlTx, sql: string, params: (string | number | null)[], what: string, id: string): Promise<void> {
    try {
      await tx.run(sql, params);
    } catch (e) {
      if (isUniqueViolation(e)) throw new DeskError(409, 'ALREADY_EXISTS', `${what} ${id} already exists`, { field: 'id' });
      throw e;
    }
  }

  createNotice(n: Notice, actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      await this.#insertUnique(tx, 'INSERT INTO notices (id, body, created_at) VALUES (?, ?, ?)', [n.id, json(n), now], 'notice', n.id);
      await audit(tx, actor, 'notice.create', 'notice', n.id, { references: n.references }, now);
    });
  }

  async getNotice(id: string) {
    const r = await this.db.all('SELECT body FROM notices WHERE id = ?', [id]);
    return r.length ? parse<Notice>(r[0]!.body) : null;
  }

  async listNotices() {
    return (await this.db.all('SELECT body FROM notices ORDER BY created_at, id')).map((r) => parse<Notice>(r.body));
  }

  async #checkNotice(tx: SqlTx, s: PracticeSession) {
    if (s.noticeId && !(await tx.all('SELECT 1 FROM notices WHERE id = ?', [s.noticeId])).length) {
      throw new DeskError(400, 'UNKNOWN_NOTICE', `noticeId: no notice ${s.noticeId}`, { field: 'noticeId' });
    }
  }

  /** One session per place in a series: another session already there is a clear 409 (the unique index is the backstop). */
  async #checkSeriesPlace(tx: SqlTx, s: PracticeSession) {
    if (!s.series) return;
    const taken = await tx.all('SELECT id FROM practice_sessions WHERE series_id = ? AND series_order = ? AND id <> ?', [s.series.id, s.series.order, s.id]);
    if (taken.length) {
      throw DeskError.of(409, 'SERIES_ORDER_TAKEN', message('series.orderTaken', { other: String(taken[0]!.id), order: s.series.order, series: s.series.id }), {
        field: 'series.order',
      });
    }
  }

  createSession(s: PracticeSession, actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      await this.#checkNotice(tx, s);
      await this.#checkSeriesPlace(tx, s);
      await this.#insertUnique(
        tx,
        'INSERT INTO practice_sessions (id, code, notice_id, body, created_at, updated_at, series_id, series_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [s.id, s.code, s.noticeId, json(s), now, now, s.series?.id ?? null, s.series?.order ?? null],
        'session',
        s.id,
      );
      await audit(
        tx,
        actor,
        'session.create',
        'session',
        s.id,
        { code: s.code, date: s.date, intentionDeadline: s.intentionDeadline, resultDeadline: s.resultDeadline, ...(s.series ? { series: s.series } : {}) },
        now,
      );
    });
  }

  updateSession(s: PracticeSession, actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      await this.#checkNotice(tx, s);
      const before = await tx.all('SELECT body FROM practice_sessions WHERE id = ?', [s.id]);
      if (!before.length) throw new DeskError(404, 'SESSION_NOT_FOUND', `no practice session ${s.id}`);
      await this.#checkSeriesPlace(tx, s);
      await tx.run('UPDATE practice_sessions SET code = ?, notice_id = ?, body = ?, updated_at = ?, series_id = ?, series_order = ? WHERE id = ?', [
        s.code,
        s.noticeId,
        json(s),
        now,
        s.series?.id ?? null,
        s.series?.order ?? null,
        s.id,
      ]);
      const old = parse<PracticeSession>(before[0]!.body);
      // Absent and null are the same (a session stored before series existed has no `series`).
      const changed = (Object.keys(s) as (keyof PracticeSession)[]).filter((k) => json(s[k] ?? null) !== json(old[k] ?? null));
      // Before and after in full (the rundown too, at most 200 kB each): the audit shows what the desk changed.
      await audit(
        tx,
        actor,
        'session.update',
        'session',
        s.id,
        { changed, before: Object.fromEntries(changed.map((k) => [k, old[k]])), after: Object.fromEntries(changed.map((k) => [k, s[k]])) },
        now,
      );
    });
  }

  async getSession(id: string) {
    const r = await this.db.all('SELECT body FROM practice_sessions WHERE id = ?', [id]);
    return r.length ? parse<PracticeSession>(r[0]!.body) : null;
  }

  async listSessions() {
    return (await this.db.all('SELECT body FROM practice_sessions ORDER BY created_at, id')).map((r) => parse<PracticeSession>(r.body));
  }

  async listSeriesSessions(seriesId: string) {
    return (await this.db.all('SELECT body FROM practice_sessions WHERE series_id = ? ORDER BY series_order', [seriesId])).map((r) =>
      parse<PracticeSession>(r.body),
    );
  }

  putSubscriber(s: Subscriber, actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      const exists = (await tx.all('SELECT 1 FROM subscribers WHERE id = ?', [s.id])).length > 0;
      if (exists) await tx.run('UPDATE subscribers SET body = ?, updated_at = ? WHERE id = ?', [json(s), now, s.id]);
      else await tx.run('INSERT INTO subscribers (id, body, created_at, updated_at) VALUES (?, ?, ?, ?)', [s.id, json(s), now, now]);
      await audit(
        tx,
        actor,
        exists ? 'subscriber.update' : 'subscriber.create',
        'subscriber',
        s.id,
        { name: s.name, participantCode: s.participantCode, identities: s.identities.length },
        now,
      );
      return { created: !exists };
    });
  }

  async getSubscriber(id: string) {
    const r = await this.db.all('SELECT body FROM subscribers WHERE id = ?', [id]);
    return r.length ? parse<Subscriber>(r[0]!.body) : null;
  }

  async listSubscribers() {
    return (await this.db.all('SELECT body FROM subscribers ORDER BY id')).map((r) => parse<Subscriber>(r.body));
  }

  createUser(u: UserRecord, actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      if (u.subscriberId && !(await tx.all('SELECT 1 FROM subscribers WHERE id = ?', [u.subscriberId])).length) {
        throw new DeskError(400, 'UNKNOWN_SUBSCRIBER', `subscriberId: no subscriber ${u.subscriberId}`, { field: 'subscriberId' });
      }
      try {
        await tx.run('INSERT INTO users (id, username, display_name, role, subscriber_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          u.id,
          u.username,
          u.displayName,
          u.role,
          u.subscriberId,
          u.passwordHash,
          now,
        ]);
      } catch (e) {
        if (isUniqueViolation(e)) throw new DeskError(409, 'ALREADY_EXISTS', `username: ${u.username} is taken`, { field: 'username' });
        throw e;
      }
      await audit(tx, actor, 'user.create', 'user', u.id, { username: u.username, role: u.role, subscriberId: u.subscriberId }, now);
    });
  }

  async getUser(id: string) {
    const r = await this.db.all('SELECT * FROM users WHERE id = ?', [id]);
    if (!r.length) return null;
    const { passwordHash: _, ...user } = userRow(r[0]!);
    return user;
  }

  async getUserByUsername(username: string) {
    const r = await this.db.all('SELECT * FROM users WHERE username = ?', [username]);
    return r.length ? userRow(r[0]!) : null;
  }

  async listUsers() {
    return (await this.db.all('SELECT * FROM users ORDER BY username')).map((r) => {
      const { passwordHash: _, ...user } = userRow(r);
      return user;
    });
  }

  createAuthSession(s: AuthSessionRecord, now: number) {
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM auth_sessions WHERE expires_at < ?', [now]);
      await tx.run('INSERT INTO auth_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
        s.tokenHash,
        s.userId,
        s.csrfToken,
        s.createdAt,
        s.expiresAt,
      ]);
      await audit(tx, s.userId, 'auth.login', 'user', s.userId, {}, now);
    });
  }

  async getAuthSession(tokenHash: string) {
    const r = await this.db.all('SELECT * FROM auth_sessions WHERE token_hash = ?', [tokenHash]);
    if (!r.length) return null;
    const x = r[0]!;
    return { tokenHash, userId: String(x.user_id), csrfToken: String(x.csrf_token), createdAt: Number(x.created_at), expiresAt: Number(x.expires_at) };
  }

  async getAuthSessionUser(tokenHash: string) {
    if (this.#authBatch) return this.#authBatch.add(tokenHash);
    return (await this.#authSessionUsers([tokenHash]))[0]!;
  }

  async #authSessionUsers(hashes: string[]): Promise<({ session: AuthSessionRecord; user: User } | null)[]> {
    const cols =
      'SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, u.id, u.username, u.display_name, u.role, u.subscriber_id, u.password_hash FROM auth_sessions s JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL';
    // Groups of more than one come only from the PostgreSQL batch, hence its JSON functions.
    const rows =
      hashes.length === 1
        ? await this.db.all(`${cols} WHERE s.token_hash = ?`, [hashes[0]!])
        : await this.db.all(`${cols} WHERE s.token_hash IN (SELECT jsonb_array_elements_text(?::jsonb))`, [json(hashes)]);
    const found = new Map(
      rows.map((x) => {
        const { passwordHash: _, ...user } = userRow(x);
        const tokenHash = String(x.token_hash);
        return [
          tokenHash,
          {
            session: {
              tokenHash,
              userId: String(x.user_id),
              csrfToken: String(x.csrf_token),
              createdAt: Number(x.created_at),
              expiresAt: Number(x.expires_at),
            },
            user,
          },
        ];
      }),
    );
    return hashes.map((h) => found.get(h) ?? null);
  }

  deleteAuthSession(tokenHash: string, actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM auth_sessions WHERE token_hash = ?', [tokenHash]);
      await audit(tx, actor, 'auth.logout', 'user', actor, {}, now);
    });
  }

  submitForm(s: FormSubmission): Promise<FormSubmitOutcome> {
    const content = json(s.content);
    const hash = contentHash(s.content);
    if (this.#submitBatch) return this.#submitBatch.add({ s, content, hash });
    return this.#submitFormInTransaction(s, content, hash);
  }

  /** SQLite: one writer, so checking first and then writing, in one transaction, is race-free. */
  async #submitFormInTransaction(s: FormSubmission, content: string, hash: string): Promise<FormSubmitOutcome> {
    const reason = s.onBehalfReason ?? null;
    try {
      return await this.db.transaction(async (tx) => {
        // One read: was this submission id seen, which version is the latest, and its content.
        const [state] = await tx.all(
          `SELECT (SELECT 1 FROM form_versions WHERE submission_id = ?) AS seen, h.latest_version, v.content_hash, v.content
           FROM (SELECT 1) AS one
           LEFT JOIN form_heads h ON h.session_id = ? AND h.subscriber_id = ? AND h.kind = ?
           LEFT JOIN form_versions v ON v.session_id = h.session_id AND v.subscriber_id = h.subscriber_id AND v.kind = h.kind AND v.version = h.latest_version`,
          [s.submissionId, s.sessionId, s.subscriberId, s.kind],
        );
        if (state!.seen !== null) {
          const seen = await tx.all(`${FORM_SELECT} WHERE v.submission_id = ?`, [s.submissionId]);
          return { version: this.#sameSubmission(seen[0]!, s, content), created: false, unchanged: false };
        }
        const latest = state!.latest_version === null ? 0 : Number(state!.latest_version);
        const same = state!.content_hash !== null ? state!.content_hash === hash : state!.content !== null && sameContent(String(state!.content), content);
        if (latest > 0 && same) {
          const last = await tx.all(`${FORM_SELECT} WHERE v.session_id = ? AND v.subscriber_id = ? AND v.kind = ? AND v.version = ?`, [
            s.sessionId,
            s.subscriberId,
            s.kind,
            latest,
          ]);
          return { version: formRow(last[0]!), created: false, unchanged: true };
        }
        const version = latest + 1;
        await tx.run(
          'INSERT INTO form_heads (session_id, subscriber_id, kind, latest_version) VALUES (?, ?, ?, ?) ON CONFLICT (session_id, subscriber_id, kind) DO UPDATE SET latest_version = excluded.latest_version',
          [s.sessionId, s.subscriberId, s.kind, version],
        );
        const a = formAnswers(s);
        await tx.run(
          'INSERT INTO form_versions (session_id, subscriber_id, kind, version, submission_id, content, content_hash, submitted_by, submitted_at, late, on_behalf_reason, participate, verdict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            s.sessionId,
            s.subscriberId,
            s.kind,
            version,
            s.submissionId,
            content,
            hash,
            s.submittedBy,
            s.submittedAt,
            s.late ? 1 : 0,
            reason,
            a.participate,
            a.verdict,
          ],
        );
        await audit(
          tx,
          s.submittedBy,
          `form.${s.kind}.submit`,
          `form.${s.kind}`,
          `${s.sessionId}/${s.subscriberId}`,
          { version, ...auditDetail(s) },
          s.submittedAt,
        );
        const who = s.submitter ?? (await tx.all('SELECT display_name AS name, role FROM users WHERE id = ?', [s.submittedBy]))[0];
        return { version: this.#created(s, version, who?.name, who?.role), created: true, unchanged: false };
      });
    } catch (e) {
      // The same submission id raced in from another process: report it, do not store twice.
      if (isUniqueViolation(e)) {
        const stored = (await this.db.all(`${FORM_SELECT} WHERE v.submission_id = ?`, [s.submissionId]))[0];
        if (stored) return { version: this.#sameSubmission(stored, s, content), created: false, unchanged: false };
      }
      throw e;
    }
  }

  /** PostgreSQL: a group of submissions through desk_submit_forms (migration 5), one round trip. */
  async #submitFormsPostgres(items: { s: FormSubmission; content: string; hash: string }[]): Promise<(FormSubmitOutcome | Error)[]> {
    const order = items
      .map((_, i) => i)
      .sort((a, b) => {
        const x = items[a]!.s,
          y = items[b]!.s;
        return x.sessionId < y.sessionId
          ? -1
          : x.sessionId > y.sessionId
            ? 1
            : x.subscriberId < y.subscriberId
              ? -1
              : x.subscriberId > y.subscriberId
                ? 1
                : x.kind < y.kind
                  ? -1
                  : x.kind > y.kind
                    ? 1
                    : a - b;
      });
    const batch = json(
      order.map((i) => {
        const { s, content, hash } = items[i]!;
        return {
          i,
          sessionId: s.sessionId,
          subscriberId: s.subscriberId,
          kind: s.kind,
          submissionId: s.submissionId,
          content,
          hash,
          submittedBy: s.submittedBy,
          submittedAt: s.submittedAt,
          late: s.late,
          onBehalfReason: s.onBehalfReason ?? null,
          audit: json(auditDetail(s)),
          ...formAnswers(s),
        };
      }),
    );
    let rows;
    try {
      rows = await this.db.all('SELECT r_idx, r_outcome, r_version, r_detail FROM desk_submit_forms(?::jsonb)', [batch]);
    } catch (e) {
      // One bad submission fails its group: the others go again, each on its own.
      if (items.length === 1) return [e as Error];
      return (await Promise.all(items.map((x) => this.#submitFormsPostgres([x])))).flat();
    }
    const out: (FormSubmitOutcome | Error)[] = items.map((x) => new Error(`submission ${x.s.submissionId} got no answer`));
    for (const r of rows) {
      const i = Number(r.r_idx);
      const { s, content } = items[i]!;
      const detail = r.r_detail === null ? null : parse<Row>(r.r_detail);
      try {
        if (r.r_outcome === 'created')
          out[i] = {
            version: this.#created(s, Number(r.r_version), s.submitter?.name ?? detail?.name, s.submitter?.role ?? detail?.role),
            created: true,
            unchanged: false,
          };
        else if (r.r_outcome === 'replay') out[i] = { version: this.#sameSubmission(detail!, s, content), created: false, unchanged: false };
        else if (r.r_outcome === 'unchanged') out[i] = { version: formRow(detail!), created: false, unchanged: true };
        else out[i] = new Error(`submission ${s.submissionId}: unexpected answer ${String(r.r_outcome)}`);
      } catch (e) {
        out[i] = e as Error;
      }
    }
    return out;
  }

  #created(s: FormSubmission, version: number, name: unknown, role: unknown): FormVersion {
    const reason = s.onBehalfReason ?? null;
    return {
      sessionId: s.sessionId,
      subscriberId: s.subscriberId,
      kind: s.kind,
      version,
      submissionId: s.submissionId,
      content: s.content,
      submittedBy: s.submittedBy,
      submittedByName: name === null || name === undefined ? s.submittedBy : String(name),
      submittedByRole: submitterRole(role, reason),
      onBehalfReason: reason,
      submittedAt: new Date(s.submittedAt).toISOString(),
      late: s.late,
    };
  }

  async getFormContext(sessionId: string, subscriberId: string) {
    if (this.#contextBatch) return this.#contextBatch.add({ sessionId, subscriberId });
    return (await this.#formContexts([{ sessionId, subscriberId }]))[0]!;
  }

  async #formContexts(keys: { sessionId: string; subscriberId: string }[]): Promise<{ session: PracticeSession | null; subscriber: Subscriber | null }[]> {
    if (keys.length === 1) {
      const r = (
        await this.db.all('SELECT (SELECT body FROM practice_sessions WHERE id = ?) AS session, (SELECT body FROM subscribers WHERE id = ?) AS subscriber', [
          keys[0]!.sessionId,
          keys[0]!.subscriberId,
        ])
      )[0]!;
      return [
        { session: r.session === null ? null : parse<PracticeSession>(r.session), subscriber: r.subscriber === null ? null : parse<Subscriber>(r.subscriber) },
      ];
    }
    // More than one: the PostgreSQL batch (JSON array parameters).
    const rows = await this.db.all(
      `SELECT 's' AS t, id, body FROM practice_sessions WHERE id IN (SELECT jsonb_array_elements_text(?::jsonb))
       UNION ALL SELECT 'f' AS t, id, body FROM subscribers WHERE id IN (SELECT jsonb_array_elements_text(?::jsonb))`,
      [json([...new Set(keys.map((k) => k.sessionId))]), json([...new Set(keys.map((k) => k.subscriberId))])],
    );
    // Parsed per caller: each gets its own objects, as from a read of its own.
    const sessions = new Map<string, string>(),
      firms = new Map<string, string>();
    for (const r of rows) (r.t === 's' ? sessions : firms).set(String(r.id), String(r.body));
    return keys.map((k) => {
      const session = sessions.get(k.sessionId),
        subscriber = firms.get(k.subscriberId);
      return {
        session: session === undefined ? null : parse<PracticeSession>(session),
        subscriber: subscriber === undefined ? null : parse<Subscriber>(subscriber),
      };
    });
  }

  #sameSubmission(r: Row, s: FormSubmission, content: string): FormVersion {
    if (r.session_id !== s.sessionId || r.subscriber_id !== s.subscriberId || r.kind !== s.kind || String(r.content) !== content) {
      throw new DeskError(409, 'SUBMISSION_ID_REUSED', 'submissionId: already used for a different submission; generate a new one for a new version', {
        field: 'submissionId',
      });
    }
    return formRow(r);
  }

  async listFormVersions(sessionId: string, subscriberId: string, kind: FormKind) {
    return (
      await this.db.all(`${FORM_SELECT} WHERE v.session_id = ? AND v.subscriber_id = ? AND v.kind = ? ORDER BY v.version`, [sessionId, subscriberId, kind])
    ).map(formRow);
  }

  async getFormBySubmissionId(submissionId: string) {
    const r = await this.db.all(`${FORM_SELECT} WHERE v.submission_id = ?`, [submissionId]);
    return r.length ? formRow(r[0]!) : null;
  }

  async latestForms(sessionId: string, kind: FormKind) {
    return (
      await this.db.all(
        `${FORM_SELECT} JOIN form_heads h ON h.session_id = v.session_id AND h.subscriber_id = v.subscriber_id AND h.kind = v.kind AND h.latest_version = v.version WHERE v.session_id = ? AND v.kind = ? ORDER BY v.subscriber_id`,
        [sessionId, kind],
      )
    ).map(formRow);
  }

  async latestFormContents(sessionId: string, kind: FormKind) {
    const heads = await this.db.all('SELECT subscriber_id, latest_version FROM form_heads WHERE session_id = ? AND kind = ?', [sessionId, kind]);
    const out = new Map<string, { version: number; content: IntentionForm | ResultForm }>();
    const missing: string[] = [];
    for (const h of heads) {
      const firm = String(h.subscriber_id),
        version = Number(h.latest_version);
      const content = this.#contents.get(`${sessionId}\u0000${firm}\u0000${kind}\u0000${version}`);
      if (content) out.set(firm, { version, content });
      else missing.push(firm);
    }
    // A stored version never changes: only the versions not seen before are read and parsed.
    for (let i = 0; i < missing.length; i += INSERT_ROWS) {
      const part = missing.slice(i, i + INSERT_ROWS);
      const rows = await this.db.all(
        `SELECT v.subscriber_id, v.version, v.content FROM form_heads h JOIN form_versions v ON v.session_id = h.session_id AND v.subscriber_id = h.subscriber_id AND v.kind = h.kind AND v.version = h.latest_version WHERE h.session_id = ? AND h.kind = ? AND h.subscriber_id IN (${part.map(() => '?').join(', ')})`,
        [sessionId, kind, ...part],
      );
      if (this.#contents.size + rows.length > MAX_CACHED_CONTENTS) this.#contents.clear();
      for (const r of rows) {
        const firm = String(r.subscriber_id),
          version = Number(r.version);
        const content = deepFreeze(parse<IntentionForm | ResultForm>(r.content));
        this.#contents.set(`${sessionId}\u0000${firm}\u0000${kind}\u0000${version}`, content);
        out.set(firm, { version, content });
      }
    }
    return out;
  }

  async latestFormFacts(q: LatestFormsQuery): Promise<LatestFormFacts[]> {
    const sessions = q.sessions;
    if (sessions && !sessions.length) return [];
    // The two answers were stored with each version (migration 9): no form's JSON is read here.
    // form_heads names each latest version: one indexed join, whatever the number of firms.
    let sql = `SELECT v.session_id, v.subscriber_id, v.kind, v.version, v.submitted_at, v.late, v.participate, v.verdict FROM form_heads h JOIN form_versions v ON v.session_id = h.session_id AND v.subscriber_id = h.subscriber_id AND v.kind = h.kind AND v.version = h.latest_version WHERE 1 = 1`;
    const params: string[] = [];
    if (sessions) {
      sql += ` AND h.session_id IN (${sessions.map(() => '?').join(', ')})`;
      params.push(...sessions);
    }
    if (q.subscriber !== undefined) {
      sql += ' AND h.subscriber_id = ?';
      params.push(q.subscriber);
    }
    return (await this.db.all(sql, params)).map((r) => {
      const kind = r.kind as FormKind;
      const f: LatestFormFacts = {
        sessionId: String(r.session_id),
        subscriberId: String(r.subscriber_id),
        kind,
        version: Number(r.version),
        submittedAtMs: Number(r.submitted_at),
        late: Number(r.late) === 1,
      };
      if (kind === 'intention') f.participate = Number(r.participate) === 1;
      else f.verdict = (r.verdict ?? 'not-tested') as OverallResult;
      return f;
    });
  }

  async ingestEvidence(events: EvidenceEvent[], postedBy: string, now: number): Promise<EvidenceIngest> {
    const inserted: StoredEvidenceEvent[] = [];
    const cells = new Map<string, EvidenceCell>();
    let duplicates = 0;
    // Cell by cell, in time order within each: a chunk then folds each of its cells once, and in order.
    const ordered = events
      .map((e) => ({ e, k: cellKey(e.session, e.subscriber, e.service), ms: Date.parse(e.ts) }))
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.ms - b.ms))
      .map((x) => x.e);
    for (let i = 0; i < ordered.length; i += EVIDENCE_CHUNK) {
      // Each chunk commits on its own and lets other requests run before the next.
      if (i > 0) await yieldToEventLoop();
      const chunk = ordered.slice(i, i + EVIDENCE_CHUNK);
      const r = await this.#retrying(() => this.db.transaction((tx) => this.#ingestChunk(tx, chunk, postedBy, now)));
      inserted.push(...r.inserted);
      duplicates += r.duplicates;
      for (const c of r.cells) cells.set(cellKey(c.session, c.subscriber, c.service), c);
    }
    return { inserted, duplicates, cells: [...cells.values()] };
  }

  async #retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= 5 || !isRetryable(e)) throw e;
      }
    }
  }

  async #ingestChunk(tx: SqlTx, events: EvidenceEvent[], postedBy: string, now: number): Promise<EvidenceIngest> {
    const fresh = new Set<string>();
    for (let i = 0; i < events.length; i += INSERT_ROWS) {
      const rows = events.slice(i, i + INSERT_ROWS);
      const params: (string | number)[] = [];
      for (const e of rows)
        params.push(postedBy, e.id, e.session, e.subscriber, e.service, e.site, e.identity, e.kind, e.source, e.ts, Date.parse(e.ts), json(e.detail), now);
      const values = rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      const got = await tx.all(`INSERT INTO evidence_events ${EVIDENCE_COLUMNS} VALUES ${values} ON CONFLICT (posted_by, id) DO NOTHING RETURNING id`, params);
      for (const r of got) fresh.add(String(r.id));
    }
    // The first occurrence of a new id is the one stored; a repeat within the request is a duplicate.
    const inserted: StoredEvidenceEvent[] = [];
    for (const e of events) {
      if (!fresh.delete(e.id)) continue;
      inserted.push({ ...e, postedBy, provenance: provenanceOf(e) });
    }
    const cells = inserted.length ? await this.#foldCells(tx, inserted, false) : [];
    const checked = inserted.filter((e) => e.kind === 'readiness');
    if (checked.length) await this.#foldReadiness(tx, checked);
    if (inserted.length) {
      const sessions = [...new Set(inserted.map((e) => e.session))];
      await audit(
        tx,
        postedBy,
        'evidence.ingest',
        'evidence',
        sessions.join(','),
        { inserted: inserted.length, duplicates: events.length - inserted.length },
        now,
      );
    }
    return { inserted, duplicates: events.length - inserted.length, cells };
  }

  /**
   * Brings the cells of these new events up to date inside the ingesting
   * transaction: the cell rows are locked first (in key order, so concurrent
   * replicas queue rather than deadlock), then each cell's fold is extended by
   * its new events when they come after all it has folded, and rebuilt from the
   * cell's stored events otherwise.
   */
  async #foldCells(tx: SqlTx, events: readonly EvidenceEvent[], rebuild: boolean): Promise<EvidenceCell[]> {
    const byCell = new Map<string, { session: string; subscriber: string; service: Service; events: EvidenceEvent[] }>();
    for (const e of events) {
      const k = cellKey(e.session, e.subscriber, e.service);
      let c = byCell.get(k);
      if (!c) byCell.set(k, (c = { session: e.session, subscriber: e.subscriber, service: e.service, events: [] }));
      c.events.push(e);
    }
    const keys = [...byCell.keys()].sort();
    const out: EvidenceCell[] = [];
    // Placeholders first, so that there is a row to lock for a cell seen for the first time.
    for (let i = 0; i < keys.length; i += INSERT_ROWS) {
      const part = keys.slice(i, i + INSERT_ROWS).map((k) => byCell.get(k)!);
      await tx.run(
        `INSERT INTO evidence_cells (session_id, subscriber_id, service, fold_version, events, venue_events, digest) VALUES ${part.map(() => '(?, ?, ?, 0, 0, 0, NULL)').join(', ')} ON CONFLICT (session_id, subscriber_id, service) DO NOTHING`,
        part.flatMap((c) => [c.session, c.subscriber, c.service]),
      );
    }
    const stored = new Map<string, CellDigest | 'fresh' | null>();
    const sessions = [...new Set(keys.map((k) => byCell.get(k)!.session))];
    for (const session of sessions) {
      const cells = keys.map((k) => byCell.get(k)!).filter((c) => c.session === session);
      for (let i = 0; i < cells.length; i += INSERT_ROWS) {
        const part = cells.slice(i, i + INSERT_ROWS);
        const lock = this.db.dialect === 'postgres' ? ' ORDER BY subscriber_id, service FOR UPDATE' : '';
        const which = part.map(() => '(subscriber_id = ? AND service = ?)').join(' OR ');
        const rows = await tx.all(`SELECT subscriber_id, service, fold_version, digest FROM evidence_cells WHERE session_id = ? AND (${which})${lock}`, [
          session,
          ...part.flatMap((c) => [c.subscriber, c.service]),
        ]);
        for (const r of rows) {
          const k = cellKey(session, String(r.subscriber_id), String(r.service));
          if (!byCell.has(k)) continue;
          // fold_version 0: the placeholder just made, never folded: nothing stored before these events.
          const fresh = Number(r.fold_version) === 0;
          stored.set(k, fresh ? 'fresh' : r.digest === null || Number(r.fold_version) !== FOLD_VERSION ? null : parse<CellDigest>(r.digest));
        }
      }
    }
    const writes: (EvidenceCell & { digest: CellDigest })[] = [];
    for (const k of keys) {
      const c = byCell.get(k)!;
      const digest = rebuild ? null : (stored.get(k) ?? null);
      let fold: CellFold | null = digest === 'fresh' ? CellFold.build(c.service, c.events) : null;
      if (digest && digest !== 'fresh') {
        fold = new CellFold(c.service, digest);
        const mine = [...c.events].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        for (const e of mine)
          if (!fold.append(e)) {
            fold = null;
            break;
          }
      }
      if (!fold) {
        const all = (
          await tx.all('SELECT * FROM evidence_events WHERE session_id = ? AND subscriber_id = ? AND service = ?', [c.session, c.subscriber, c.service])
        ).map(evidenceRow);
        fold = CellFold.build(c.service, all);
      }
      writes.push({ session: c.session, subscriber: c.subscriber, service: c.service, digest: fold.digest(), summary: fold.summary() });
    }
    for (let i = 0; i < writes.length; i += INSERT_ROWS) {
      const part = writes.slice(i, i + INSERT_ROWS);
      await tx.run(
        `INSERT INTO evidence_cells (session_id, subscriber_id, service, fold_version, events, venue_events, digest, summary) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (session_id, subscriber_id, service) DO UPDATE SET fold_version = excluded.fold_version, events = excluded.events, venue_events = excluded.venue_events, digest = excluded.digest, summary = excluded.summary`,
        part.flatMap((w) => [w.session, w.subscriber, w.service, FOLD_VERSION, w.digest.events, w.digest.venueEvents, json(w.digest), json(w.summary)]),
      );
    }
    out.push(...writes.map(({ digest: _digest, ...cell }) => cell));
    return out;
  }

  /** Cells missing or folded by an older fold (after an upgrade): rebuilt from their events, a transaction per session. */
  async #rebuildStaleCells(): Promise<number> {
    const stale = await this.db.all(
      'SELECT DISTINCT e.session_id, e.subscriber_id, e.service FROM evidence_events e LEFT JOIN evidence_cells c ON c.session_id = e.session_id AND c.subscriber_id = e.subscriber_id AND c.service = e.service WHERE c.digest IS NULL OR c.fold_version <> ?',
      [FOLD_VERSION],
    );
    const bySession = new Map<string, EvidenceEvent[]>();
    for (const r of stale) {
      // One representative event per cell is enough: the rebuild reads the cell's events itself.
      const e = { session: String(r.session_id), subscriber: String(r.subscriber_id), service: r.service as Service } as EvidenceEvent;
      let l = bySession.get(e.session);
      if (!l) bySession.set(e.session, (l = []));
      l.push(e);
    }
    for (const cells of bySession.values()) await this.#retrying(() => this.db.transaction((tx) => this.#foldCells(tx, cells, true)));
    return stale.length;
  }

  /**
   * Folds again the readiness of each firm these events are about, from all its readiness
   * events (a firm has a few: one per identity and run), inside the ingesting transaction.
   * The standing rows are locked first, in key order, so that concurrent replicas queue: the
   * second then reads the first one's events too.
   */
  async #foldReadiness(tx: SqlTx, events: readonly Pick<EvidenceEvent, 'session' | 'subscriber'>[]): Promise<void> {
    const bySession = new Map<string, Set<string>>();
    for (const e of events) {
      let firms = bySession.get(e.session);
      if (!firms) bySession.set(e.session, (firms = new Set()));
      firms.add(e.subscriber);
    }
    for (const session of [...bySession.keys()].sort()) {
      const firms = [...bySession.get(session)!].sort();
      for (let i = 0; i < firms.length; i += INSERT_ROWS) {
        const part = firms.slice(i, i + INSERT_ROWS);
        const marks = part.map(() => '?').join(', ');
        await tx.run(
          `INSERT INTO readiness_standings (session_id, subscriber_id, state, at, failed, provenance) VALUES ${part.map(() => "(?, ?, 'none', NULL, '[]', 'none')").join(', ')} ON CONFLICT (session_id, subscriber_id) DO NOTHING`,
          part.flatMap((f) => [session, f]),
        );
        if (this.db.dialect === 'postgres')
          await tx.all(`SELECT subscriber_id FROM readiness_standings WHERE session_id = ? AND subscriber_id IN (${marks}) ORDER BY subscriber_id FOR UPDATE`, [
            session,
            ...part,
          ]);
        const rows = await tx.all(
          `SELECT subscriber_id, service, identity, source, ts, detail FROM evidence_events WHERE session_id = ? AND kind = 'readiness' AND subscriber_id IN (${marks}) ORDER BY subscriber_id, ts_ms`,
          [session, ...part],
        );
        const folded = foldReadiness(rows.map(readinessRow));
        const writes = part.map((f) => [f, folded.get(f)] as const).filter((x): x is readonly [string, FirmReadiness] => x[1] !== undefined);
        if (!writes.length) continue;
        await tx.run(
          `INSERT INTO readiness_standings (session_id, subscriber_id, state, at, failed, provenance) VALUES ${writes.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (session_id, subscriber_id) DO UPDATE SET state = excluded.state, at = excluded.at, failed = excluded.failed, provenance = excluded.provenance`,
          writes.flatMap(([f, r]) => [session, f, r.state, r.at, json(r.failed), r.provenance]),
        );
      }
    }
  }

  /** Readiness events stored before the standings existed (migration 9): folded now, a transaction per session. */
  async #rebuildMissingReadiness(): Promise<number> {
    const missing = await this.db.all(
      `SELECT DISTINCT e.session_id, e.subscriber_id FROM evidence_events e WHERE e.kind = 'readiness' AND NOT EXISTS (SELECT 1 FROM readiness_standings r WHERE r.session_id = e.session_id AND r.subscriber_id = e.subscriber_id AND r.state <> 'none')`,
    );
    const bySession = new Map<string, { session: string; subscriber: string }[]>();
    for (const r of missing) {
      const session = String(r.session_id);
      let l = bySession.get(session);
      if (!l) bySession.set(session, (l = []));
      l.push({ session, subscriber: String(r.subscriber_id) });
    }
    for (const firms of bySession.values()) await this.#retrying(() => this.db.transaction((tx) => this.#foldReadiness(tx, firms)));
    return missing.length;
  }

  async listReadiness(session: string, subscriber?: string) {
    const rows = await this.db.all(
      `SELECT subscriber_id, state, at, failed, provenance FROM readiness_standings WHERE session_id = ? AND state <> 'none'${subscriber === undefined ? '' : ' AND subscriber_id = ?'}`,
      subscriber === undefined ? [session] : [session, subscriber],
    );
    return new Map(
      rows.map((r) => [
        String(r.subscriber_id),
        {
          state: r.state as FirmReadiness['state'],
          at: r.at === null ? null : String(r.at),
          failed: parse<string[]>(r.failed),
          provenance: r.provenance as FirmReadiness['provenance'],
        },
      ]),
    );
  }

  async listEvidence(q: EvidenceQuery) {
    let sql = 'SELECT * FROM evidence_events WHERE session_id = ?';
    const params: string[] = [q.session];
    if (q.subscriber !== undefined) {
      sql += ' AND subscriber_id = ?';
      params.push(q.subscriber);
    }
    if (q.service !== undefined) {
      sql += ' AND service = ?';
      params.push(q.service);
    }
    return (await this.db.all(sql + ' ORDER BY ts_ms, id, posted_by', params)).map(evidenceRow);
  }

  async firmsWithVenueEvidence(session: string, subscribers: readonly string[]) {
    if (!subscribers.length) return [];
    const rows = await this.db.all(
      `SELECT DISTINCT subscriber_id FROM evidence_cells WHERE session_id = ? AND venue_events > 0 AND subscriber_id IN (${subscribers.map(() => '?').join(', ')})`,
      [session, ...subscribers],
    );
    return rows.map((r) => String(r.subscriber_id));
  }

  async listReadinessEvents(session: string) {
    const rows = await this.db.all(
      `SELECT subscriber_id, service, identity, source, ts, detail FROM evidence_events WHERE session_id = ? AND kind = 'readiness' ORDER BY subscriber_id, ts_ms`,
      [session],
    );
    return rows.map(readinessRow);
  }

  async listEvidenceCells(session: string, subscribers?: readonly string[]) {
    if (subscribers && !subscribers.length) return [];
    const only = subscribers ? ` AND subscriber_id IN (${subscribers.map(() => '?').join(', ')})` : '';
    const cells = await this.db.all(
      `SELECT subscriber_id, service, events, venue_events FROM evidence_cells WHERE session_id = ? AND summary IS NOT NULL AND fold_version = ?${only} ORDER BY subscriber_id, service`,
      [session, FOLD_VERSION, ...(subscribers ?? [])],
    );
    // A cell's stored summary changes only when it folds new events (none is ever removed), so its
    // counts tell whether the summary parsed before still holds: only the cells that grew are read.
    const got = new Map<string, CellSummary>();
    const grown = new Set<string>();
    for (const r of cells) {
      const k = cellKey(session, String(r.subscriber_id), String(r.service));
      const hit = this.#summaries.get(k);
      if (hit && hit.events === Number(r.events) && hit.venueEvents === Number(r.venue_events)) got.set(k, hit.summary);
      else grown.add(String(r.subscriber_id));
    }
    // Read by firm; parsed only where the cell is not already known (or grew meanwhile).
    const firms = [...grown];
    for (let i = 0; i < firms.length; i += INSERT_ROWS) {
      const part = firms.slice(i, i + INSERT_ROWS);
      const rows = await this.db.all(
        `SELECT subscriber_id, service, events, venue_events, summary FROM evidence_cells WHERE session_id = ? AND summary IS NOT NULL AND fold_version = ? AND subscriber_id IN (${part.map(() => '?').join(', ')})`,
        [session, FOLD_VERSION, ...part],
      );
      if (this.#summaries.size + rows.length > MAX_CACHED_SUMMARIES) this.#summaries.clear();
      for (const r of rows) {
        const k = cellKey(session, String(r.subscriber_id), String(r.service));
        const hit = this.#summaries.get(k);
        if (got.has(k) && hit && hit.events === Number(r.events) && hit.venueEvents === Number(r.venue_events)) continue;
        // Frozen: the same object goes to every later reader.
        const summary = deepFreeze(parse<CellSummary>(r.summary));
        this.#summaries.set(k, { events: Number(r.events), venueEvents: Number(r.venue_events), summary });
        got.set(k, summary);
      }
    }
    const out: EvidenceCell[] = [];
    for (const r of cells) {
      const summary = got.get(cellKey(session, String(r.subscriber_id), String(r.service)));
      if (summary) out.push({ session, subscriber: String(r.subscriber_id), service: r.service as Service, summary });
    }
    return out;
  }

  recordReminder(r: ReminderRecord, actor: string) {
    return this.db.transaction(async (tx) => {
      const res = await tx.run(
        'INSERT INTO reminders_sent (session_id, subscriber_id, kind, sent_at, recipients) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [r.sessionId, r.subscriberId, r.kind, r.sentAt, json(r.recipients)],
      );
      if (res.changes) await audit(tx, actor, `reminder.${r.kind}`, 'subscriber', r.subscriberId, { session: r.sessionId, recipients: r.recipients }, r.sentAt);
      return res.changes > 0;
    });
  }

  async listReminders(sessionId: string) {
    return (await this.db.all('SELECT * FROM reminders_sent WHERE session_id = ? ORDER BY subscriber_id, kind', [sessionId])).map((r) => ({
      sessionId: String(r.session_id),
      subscriberId: String(r.subscriber_id),
      kind: r.kind as FormKind,
      sentAt: Number(r.sent_at),
      recipients: parse<string[]>(r.recipients),
    }));
  }

  async loginFailures(key: string, since: number) {
    const r = (await this.db.all('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE throttle_key = ? AND at > ?', [key, since]))[0]!;
    return { count: Number(r.n), oldest: r.oldest === null ? null : Number(r.oldest) };
  }

  recordLoginFailure(key: string | readonly string[], at: number, forgetBefore: number) {
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM login_failures WHERE at <= ?', [forgetBefore]);
      for (const k of typeof key === 'string' ? [key] : key) await tx.run('INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)', [k, at]);
    });
  }

  async clearLoginFailures(key: string) {
    await this.db.run('DELETE FROM login_failures WHERE throttle_key = ?', [key]);
  }

  appendAudit(actor: string, action: string, entity: string, entityId: string, detail: Record<string, unknown>, now: number) {
    return this.db.transaction((tx) => audit(tx, actor, action, entity, entityId, detail, now));
  }

  async listAudit(q: { entity?: string; entityId?: string; limit?: number }) {
    let sql = 'SELECT * FROM audit_log WHERE 1 = 1';
    const params: (string | number)[] = [];
    if (q.entity) {
      sql += ' AND entity = ?';
      params.push(q.entity);
    }
    if (q.entityId) {
      sql += ' AND entity_id = ?';
      params.push(q.entityId);
    }
    sql += ' ORDER BY id DESC LIMIT ?';
    params.push(Math.min(Math.max(q.limit ?? 200, 1), 5000));
    return (await this.db.all(sql, params)).map((r) => ({
      id: Number(r.id),
      at: new Date(Number(r.at)).toISOString(),
      actor: String(r.actor),
      action: String(r.action),
      entity: String(r.entity),
      entityId: String(r.entity_id),
      detail: parse<Record<string, unknown>>(r.detail),
    }));
  }

  async listUserAccounts() {
    return (await this.db.all('SELECT * FROM users ORDER BY username')).map(accountRow);
  }

  async getUserAccount(id: string) {
    const r = await this.db.all('SELECT * FROM users WHERE id = ?', [id]);
    return r.length ? accountRow(r[0]!) : null;
  }

  setUserDisabled(id: string, disabled: boolean, actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      const r = await tx.all('SELECT * FROM users WHERE id = ?', [id]);
      if (!r.length) return null;
      const was = r[0]!.disabled_at !== null;
      // Disabling twice keeps the first time; enabling an enabled user changes nothing.
      if (was === disabled) return accountRow(r[0]!);
      await tx.run('UPDATE users SET disabled_at = ? WHERE id = ?', [disabled ? now : null, id]);
      const ended = disabled ? (await tx.run('DELETE FROM auth_sessions WHERE user_id = ?', [id])).changes : 0;
      await audit(
        tx,
        actor,
        disabled ? 'user.disable' : 'user.enable',
        'user',
        id,
        { username: String(r[0]!.username), ...(disabled ? { endedSessions: ended } : {}) },
        now,
      );
      return accountRow((await tx.all('SELECT * FROM users WHERE id = ?', [id]))[0]!);
    });
  }

  resetUserPassword(id: string, passwordHash: string, actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      const r = await tx.all('SELECT * FROM users WHERE id = ?', [id]);
      if (!r.length) return null;
      await tx.run('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, id]);
      // Whoever knew the old password is signed out with it.
      const ended = (await tx.run('DELETE FROM auth_sessions WHERE user_id = ?', [id])).changes;
      await audit(tx, actor, 'user.password-reset', 'user', id, { username: String(r[0]!.username), endedSessions: ended }, now);
      return accountRow(r[0]!);
    });
  }

  async searchAudit(q: AuditQuery) {
    let sql = 'SELECT * FROM audit_log WHERE 1 = 1';
    const params: (string | number)[] = [];
    if (q.entity) {
      sql += ' AND entity = ?';
      params.push(q.entity);
    }
    if (q.entityId) {
      sql += ' AND entity_id = ?';
      params.push(q.entityId);
    }
    if (q.actor) {
      sql += ' AND actor = ?';
      params.push(q.actor);
    }
    if (q.before !== undefined) {
      sql += ' AND id < ?';
      params.push(q.before);
    }
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 5000);
    // One more than asked tells whether an older page exists.
    const rows = await this.db.all(sql + ' ORDER BY id DESC LIMIT ?', [...params, limit + 1]);
    return { entries: rows.slice(0, limit).map(auditRow), more: rows.length > limit };
  }

  recordManualReminders(sessionId: string, kind: FormKind, sent: { subscriberId: string; to: string[] }[], failed: string[], actor: string, now: number) {
    return this.db.transaction(async (tx) => {
      for (const s of sent)
        await tx.run('INSERT INTO manual_reminders (session_id, subscriber_id, kind, sent_at, recipients, actor) VALUES (?, ?, ?, ?, ?, ?)', [
          sessionId,
          s.subscriberId,
          kind,
          now,
          json(s.to),
          actor,
        ]);
      await audit(tx, actor, `reminder.${kind}.manual`, 'session', sessionId, { sent: sent.map((x) => x.subscriberId), failed }, now);
    });
  }

  async listSentReminders(sessionId: string) {
    const auto = (await this.listReminders(sessionId)).map((r) => ({ ...r, actor: 'reminders', manual: false }));
    const manual = (await this.db.all('SELECT * FROM manual_reminders WHERE session_id = ? ORDER BY id', [sessionId])).map((r) => ({
      sessionId: String(r.session_id),
      subscriberId: String(r.subscriber_id),
      kind: r.kind as FormKind,
      sentAt: Number(r.sent_at),
      recipients: parse<string[]>(r.recipients),
      actor: String(r.actor),
      manual: true,
    }));
    return [...auto, ...manual].sort((a, b) => b.sentAt - a.sentAt || a.subscriberId.localeCompare(b.subscriberId));
  }
}
