// The desk's domain objects, after spec/practice-session.md "The objects".
import type { Service } from '../../evidence/index.ts';

export type { Service };

export interface IssuingDesk {
  name: string;
  hotline: string;
  email: string;
}

/** An earlier circular a notice refers to. */
export interface CircularReference {
  reference: string;
  title: string;
  issuer: string;
  /** YYYY-MM-DD */
  date: string;
}

export interface Notice {
  id: string;
  /** One or more reference numbers of the notice itself. */
  references: string[];
  titleEn: string;
  titleZh: string;
  /** YYYY-MM-DD, Hong Kong date. */
  issuedOn: string;
  issuer: IssuingDesk;
  refersTo: CircularReference[];
  /** The statement that the English text prevails over the translation. */
  englishPrevails: boolean;
  /** Optional free text: the audience ("all HSN subscribers"). */
  audience?: string;
}

export const PARTICIPATION = ['optional', 'mandatory'] as const;
export type Participation = (typeof PARTICIPATION)[number];

/** A session's place in a series of practice sessions announced together (PS1, PS2, …). */
export interface SeriesPlace {
  /** Names the series; every session of the series carries the same id (e.g. "fw-upgrade-2026"). */
  id: string;
  /** 1 for the first session of the series, 2 for the next, …; unique within the series. */
  order: number;
}

export interface PracticeSession {
  /** Desk-wide id; evidence events carry it as `session`. */
  id: string;
  /** PS1, PS2, … */
  code: string;
  noticeId: string | null;
  /** YYYY-MM-DD, Hong Kong date of the session (usually a Saturday). */
  date: string;
  participation: Participation;
  /** For whom it is mandatory, e.g. "subscribers that did not pass PS1". */
  mandatoryFor: string | null;
  services: Service[];
  network: string;
  /** The rundown as uploaded (text or YAML); the conductor parses it. */
  rundown: string;
  /** Instants, ISO-8601 in Hong Kong time (+08:00). */
  intentionDeadline: string;
  resultDeadline: string;
  /** Absent or null: a session on its own. Sessions stored before series existed have none. */
  series?: SeriesPlace | null;
}

export const IDENTITY_ROLES = ['trading', 'drop-copy', 'market-data', 'retransmission'] as const;
export type IdentityRole = (typeof IDENTITY_ROLES)[number];

export interface SubscriberIdentity {
  service: Service;
  /** OCG-C CompID, or market-data channel set / RTS username. */
  identity: string;
  role: IdentityRole;
}

export interface Contact {
  name: string;
  phone: string;
  mobile: string;
  email: string;
}

export interface Subscriber {
  /** Firm id; evidence events carry it as `subscriber`. */
  id: string;
  name: string;
  participantCode: string;
  hsnPorts: string[];
  identities: SubscriberIdentity[];
  contacts: { primary: Contact; alternate: Contact | null };
}

export const ROLES = ['desk', 'subscriber'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** Set for subscriber users: the one firm they act for. */
  subscriberId: string | null;
}

export interface UserRecord extends User {
  passwordHash: string;
}

export interface Signatory {
  name: string;
  title: string;
}

export interface DayContact {
  name: string;
  mobile: string;
  email: string;
}

export const SOFTWARE_KINDS = ['vendor', 'in-house'] as const;

/** Appendix A, one per subscriber per session. */
export interface IntentionForm {
  participate: boolean;
  services: { service: Service; identities: string[] }[];
  connectFrom: { primary: boolean; backup: boolean };
  software: { service: Service; kind: (typeof SOFTWARE_KINDS)[number]; name: string; version: string }[];
  contactOnDay: DayContact;
  alternateContact: DayContact;
  willJoin: boolean;
  willCheckOtherHsn: boolean;
  hasReadRundown: boolean;
  signatory: Signatory;
  /** YYYY-MM-DD */
  signedOn: string;
}

export const OVERALL_RESULTS = ['passed', 'passed-with-issues', 'failed', 'not-tested'] as const;
export type OverallResult = (typeof OVERALL_RESULTS)[number];

/** A yes/no answer with the Hong Kong time (HH:mm) it happened. */
export interface TimedAnswer {
  value: boolean;
  time: string | null;
}

export interface Problem {
  /** HH:mm, Hong Kong time */
  time: string;
  description: string;
  reference: string;
}

/** Appendix B, one section per service and identity. */
export interface ResultSection {
  service: Service;
  identity: string;
  connectedToPrimary: TimedAnswer;
  /** HH:mm the loss of the primary was noticed; null when not noticed. */
  noticedLossAt: string | null;
  reconnectedToBackup: TimedAnswer;
  logonSequenceOk: boolean | null;
  /** Trading identities only. */
  orderAndCancelAcked: boolean | null;
  /** Drop-copy identities only. */
  dropCopyGapRecovered: boolean | null;
  /** Market-data identities only. */
  marketDataFromBackup: boolean | null;
  retransmissionOrRefreshOk: boolean | null;
  problems: Problem[];
  overall: OverallResult;
  returnedToPrimary: boolean;
  testDataCleaned: boolean;
}

export interface ResultForm {
  sections: ResultSection[];
  signatory: Signatory;
  signedOn: string;
}

export const FORM_KINDS = ['intention', 'result'] as const;
export type FormKind = (typeof FORM_KINDS)[number];

export interface FormVersion<C = IntentionForm | ResultForm> {
  sessionId: string;
  subscriberId: string;
  kind: FormKind;
  version: number;
  submissionId: string;
  content: C;
  /** The user id of who submitted. */
  submittedBy: string;
  /** That user's display name (now), and role: a desk officer submits on a firm's behalf. */
  submittedByName: string;
  submittedByRole: Role;
  /** Why a desk officer submitted this version for the firm; null when the firm's own user did. */
  onBehalfReason: string | null;
  /** ISO-8601 UTC */
  submittedAt: string;
  late: boolean;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  detail: Record<string, unknown>;
}

/** A user as the desk's user administration sees it. */
export interface UserAccount extends User {
  disabled: boolean;
  /** ISO-8601 UTC; null while the user may sign in. */
  disabledAt: string | null;
  createdAt: string;
}
