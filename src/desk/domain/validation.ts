// Server-side validation of everything a person types into the desk. Every
// problem names the field it concerns (a dotted path, e.g.
// "sections[0].reconnectedToBackup.time") so the UI can show it beside that field.
import { SERVICES, MARKET_DATA_SERVICES, TRADING_SERVICES, type Service } from '../../evidence/index.ts';
import { isCalendarDate, isClockTime, parseHongKongTime, toHongKongIso } from './hong-kong-time.ts';
import { MESSAGES, message, renderMessage, type Message, type MessageParam } from './messages/index.ts';
import { unsafeText, visibleText } from './text.ts';
import {
  IDENTITY_ROLES,
  OVERALL_RESULTS,
  PARTICIPATION,
  ROLES,
  SOFTWARE_KINDS,
  type Contact,
  type DayContact,
  type IntentionForm,
  type Notice,
  type PracticeSession,
  type ResultForm,
  type ResultSection,
  type SeriesPlace,
  type Signatory,
  type Subscriber,
  type SubscriberIdentity,
  type TimedAnswer,
} from './types.ts';

export interface FieldError {
  /** Dotted path of the field, for the UI to put the message beside it. */
  field: string;
  /** English, starting with the path: for logs and API clients that print it. */
  message: string;
  /** What a person reads, in the reader's language: a rule whose `field` parameter is the field's label. */
  text: Message;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()\-]{6,30}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function describe(v: unknown): MessageParam {
  if (v === undefined) return message('got.nothing');
  if (v === null) return message('got.null');
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return message('got.list');
  return typeof v === 'object' ? message('got.object') : String(v);
}

/** A field error from its path and message: the English text for API clients, the message for people. */
export function fieldError(field: string, text: Message): FieldError {
  return { field, message: `${field}: ${renderMessage(text, 'en')}`, text };
}

/** Walks an untrusted value, collecting every error with its path. */
class Checker {
  readonly errors: FieldError[] = [];
  /** Path of a list entry → what a person calls it ("OTP-C", "OMD-C a-rts"), to tell apart the same label in several entries. */
  private readonly names = new Map<string, MessageParam>();

  name(path: string, what: MessageParam): void {
    this.names.set(path, typeof what === 'string' ? visibleText(what) : what);
  }

  /** The field's label, e.g. `software[0].name` → "Software name (OTP-C)". */
  label(path: string): Message {
    const code = `field.${path.replace(/\[\d+\]/g, '')}`;
    const base = MESSAGES[code] ? message(code) : message('field.path', { path });
    let owner = '';
    for (const p of this.names.keys()) {
      if (p.length > owner.length && (path.startsWith(p + '.') || path.startsWith(p + '['))) owner = p;
    }
    return owner ? message('field.of', { field: base, of: this.names.get(owner)! }) : base;
  }

  fail(field: string, code: string, params: Record<string, MessageParam> = {}): void {
    const shown = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? visibleText(v) : v]));
    this.errors.push(fieldError(field, message(code, { field: this.label(field), ...shown })));
  }

  obj(field: string, v: unknown): Record<string, unknown> | null {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    this.fail(field, 'validation.type', { expected: message('kind.object'), got: describe(v) });
    return null;
  }

  list(field: string, v: unknown, opts: { min?: number; max?: number } = {}): unknown[] | null {
    if (!Array.isArray(v)) {
      this.fail(field, 'validation.type', { expected: message('kind.list'), got: describe(v) });
      return null;
    }
    if (opts.min !== undefined && v.length < opts.min) {
      if (opts.min === 1) this.fail(field, 'validation.empty');
      else this.fail(field, 'validation.min-entries', { min: opts.min });
    }
    if (opts.max !== undefined && v.length > opts.max) this.fail(field, 'validation.max-entries', { max: opts.max });
    return v;
  }

  /** Typed text: trimmed, bounded, and free of control and bidirectional-override characters. */
  str(field: string, v: unknown, opts: { max?: number; allowEmpty?: boolean; pattern?: RegExp; what?: string; multiline?: boolean } = {}): string {
    const max = opts.max ?? 200;
    if (typeof v !== 'string') {
      this.fail(field, 'validation.type', { expected: message('kind.text'), got: describe(v) });
      return '';
    }
    const s = v.trim();
    const unsafe = unsafeText(v, { multiline: opts.multiline ?? false });
    if (unsafe) this.fail(field, `validation.unsafe.${unsafe}`);
    else if (!opts.allowEmpty && s === '') this.fail(field, 'validation.empty');
    else if (s.length > max) this.fail(field, 'validation.too-long', { max });
    else if (opts.pattern && s !== '' && !opts.pattern.test(s))
      this.fail(field, 'validation.pattern', { what: message(`what.${opts.what ?? 'id'}`), got: describe(v) });
    return s;
  }

  optStr(field: string, v: unknown, opts: { max?: number } = {}): string | null {
    if (v === undefined || v === null || v === '') return null;
    return this.str(field, v, opts);
  }

  bool(field: string, v: unknown): boolean {
    if (typeof v !== 'boolean') {
      this.fail(field, 'validation.type', { expected: message('kind.yes-no'), got: describe(v) });
      return false;
    }
    return v;
  }

  nullableBool(field: string, v: unknown): boolean | null {
    if (v === null || v === undefined) return null;
    return this.bool(field, v);
  }

  oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(field, 'validation.one-of', { allowed: allowed.join(', '), got: describe(v) });
      return allowed[0]!;
    }
    return v as T;
  }

  date(field: string, v: unknown): string {
    const s = this.str(field, v, { max: 10 });
    if (s && !isCalendarDate(s)) this.fail(field, 'validation.date', { got: describe(v) });
    return s;
  }

  clock(field: string, v: unknown): string {
    const s = this.str(field, v, { max: 5 });
    if (s && !isClockTime(s)) this.fail(field, 'validation.clock', { got: describe(v) });
    return s;
  }

  nullableClock(field: string, v: unknown): string | null {
    if (v === null || v === undefined || v === '') return null;
    return this.clock(field, v);
  }

  email(field: string, v: unknown): string {
    return this.str(field, v, { max: 254, pattern: EMAIL, what: 'email' });
  }

  phone(field: string, v: unknown): string {
    return this.str(field, v, { max: 30, pattern: PHONE, what: 'phone' });
  }

  id(field: string, v: unknown): string {
    return this.str(field, v, { max: 64, pattern: ID, what: 'id' });
  }

  result<T>(value: T): Validated<T> {
    return this.errors.length ? { ok: false, errors: this.errors } : { ok: true, value };
  }
}

function signatory(c: Checker, field: string, v: unknown): Signatory {
  const o = c.obj(field, v) ?? {};
  return { name: c.str(`${field}.name`, o.name), title: c.str(`${field}.title`, o.title) };
}

function dayContact(c: Checker, field: string, v: unknown): DayContact {
  const o = c.obj(field, v) ?? {};
  return { name: c.str(`${field}.name`, o.name), mobile: c.phone(`${field}.mobile`, o.mobile), email: c.email(`${field}.email`, o.email) };
}

function contact(c: Checker, field: string, v: unknown): Contact {
  const o = c.obj(field, v) ?? {};
  return {
    name: c.str(`${field}.name`, o.name),
    phone: c.phone(`${field}.phone`, o.phone),
    mobile: c.phone(`${field}.mobile`, o.mobile),
    email: c.email(`${field}.email`, o.email),
  };
}

export function validateNotice(input: unknown): Validated<Notice> {
  const c = new Checker();
  const o = c.obj('notice', input) ?? {};
  const refs = c.list('references', o.references, { min: 1, max: 10 }) ?? [];
  const issuer = c.obj('issuer', o.issuer) ?? {};
  const refersTo = c.list('refersTo', o.refersTo ?? [], { max: 20 }) ?? [];
  const notice: Notice = {
    id: c.id('id', o.id),
    references: refs.map((r, i) => c.str(`references[${i}]`, r, { max: 64 })),
    titleEn: c.str('titleEn', o.titleEn, { max: 300 }),
    titleZh: c.str('titleZh', o.titleZh, { max: 300 }),
    issuedOn: c.date('issuedOn', o.issuedOn),
    issuer: { name: c.str('issuer.name', issuer.name), hotline: c.phone('issuer.hotline', issuer.hotline), email: c.email('issuer.email', issuer.email) },
    refersTo: refersTo.map((r, i) => {
      const f = `refersTo[${i}]`;
      const x = c.obj(f, r) ?? {};
      return {
        reference: c.str(`${f}.reference`, x.reference, { max: 64 }),
        title: c.str(`${f}.title`, x.title, { max: 300 }),
        issuer: c.str(`${f}.issuer`, x.issuer),
        date: c.date(`${f}.date`, x.date),
      };
    }),
    englishPrevails: c.bool('englishPrevails', o.englishPrevails),
  };
  const audience = c.optStr('audience', o.audience);
  if (audience) notice.audience = audience;
  return c.result(notice);
}

function deadline(c: Checker, field: string, v: unknown): { iso: string; ms: number } {
  const s = c.str(field, v, { max: 40 });
  if (!s) return { iso: '', ms: 0 };
  const ms = parseHongKongTime(s);
  if (ms === null) {
    c.fail(field, 'validation.deadline', { got: describe(v) });
    return { iso: '', ms: 0 };
  }
  return { iso: toHongKongIso(ms), ms };
}

/** Highest order of a session in a series: far more sessions than a notice ever announces. */
export const SERIES_MAX_ORDER = 99;

function seriesPlace(c: Checker, v: unknown): SeriesPlace | null {
  if (v === undefined || v === null) return null;
  const o = c.obj('series', v);
  if (!o) return null;
  const id = c.id('series.id', o.id);
  const order = o.order;
  if (typeof order !== 'number' || !Number.isInteger(order) || order < 1 || order > SERIES_MAX_ORDER) {
    c.fail('series.order', 'validation.series-order', { max: SERIES_MAX_ORDER, got: describe(order) });
    return { id, order: 1 };
  }
  return { id, order };
}

export function validatePracticeSession(input: unknown): Validated<PracticeSession> {
  const c = new Checker();
  const o = c.obj('session', input) ?? {};
  const services = c.list('services', o.services, { min: 1, max: SERVICES.length }) ?? [];
  const participation = c.oneOf('participation', o.participation, PARTICIPATION);
  const intention = deadline(c, 'intentionDeadline', o.intentionDeadline);
  const result = deadline(c, 'resultDeadline', o.resultDeadline);
  const s: PracticeSession = {
    id: c.id('id', o.id),
    code: c.str('code', o.code, { max: 16, pattern: /^[A-Z]{1,8}[0-9]{0,4}$/, what: 'session-code' }),
    noticeId: o.noticeId === undefined || o.noticeId === null ? null : c.id('noticeId', o.noticeId),
    date: c.date('date', o.date),
    participation,
    mandatoryFor: c.optStr('mandatoryFor', o.mandatoryFor, { max: 300 }),
    services: services.map((x, i) => c.oneOf(`services[${i}]`, x, SERVICES)),
    network: c.optStr('network', o.network, { max: 32 }) ?? 'HSN',
    rundown:
      typeof o.rundown === 'string'
        ? c.str('rundown', o.rundown, { max: 200_000, allowEmpty: true, multiline: true })
        : o.rundown === undefined
          ? ''
          : c.str('rundown', o.rundown),
    intentionDeadline: intention.iso,
    resultDeadline: result.iso,
    series: seriesPlace(c, o.series),
  };
  if (new Set(s.services).size !== s.services.length) c.fail('services', 'validation.services-twice');
  if (participation === 'mandatory' && !s.mandatoryFor) c.fail('mandatoryFor', 'validation.mandatory-for');
  if (intention.ms && result.ms && result.ms <= intention.ms) c.fail('resultDeadline', 'validation.after', { other: c.label('intentionDeadline') });
  return c.result(s);
}

export function validateSubscriber(input: unknown): Validated<Subscriber> {
  const c = new Checker();
  const o = c.obj('subscriber', input) ?? {};
  const ports = c.list('hsnPorts', o.hsnPorts ?? [], { max: 50 }) ?? [];
  const ids = c.list('identities', o.identities, { max: 500 }) ?? [];
  const contacts = c.obj('contacts', o.contacts) ?? {};
  const identities: SubscriberIdentity[] = ids.map((x, i) => {
    const f = `identities[${i}]`;
    const v = c.obj(f, x) ?? {};
    if (typeof v.identity === 'string' && v.identity.trim()) c.name(f, `${typeof v.service === 'string' ? v.service + ' ' : ''}${v.identity.trim()}`);
    const service = c.oneOf(`${f}.service`, v.service, SERVICES);
    const role = c.oneOf(`${f}.role`, v.role, IDENTITY_ROLES);
    const trading = TRADING_SERVICES.includes(service);
    if (trading && role !== 'trading' && role !== 'drop-copy') c.fail(`${f}.role`, 'validation.identity-role', { allowed: 'trading, drop-copy', service });
    if (!trading && role !== 'market-data' && role !== 'retransmission')
      c.fail(`${f}.role`, 'validation.identity-role', { allowed: 'market-data, retransmission', service });
    return { service, role, identity: c.str(`${f}.identity`, v.identity, { max: 64 }) };
  });
  const seen = new Set<string>();
  identities.forEach((x, i) => {
    const k = `${x.service}/${x.identity}`;
    if (seen.has(k)) c.fail(`identities[${i}].identity`, 'validation.identity-twice', { identity: x.identity, service: x.service });
    seen.add(k);
  });
  const sub: Subscriber = {
    id: c.id('id', o.id),
    name: c.str('name', o.name, { max: 200 }),
    participantCode: c.str('participantCode', o.participantCode, { max: 16, pattern: /^[A-Za-z0-9]+$/, what: 'participant-code' }),
    hsnPorts: ports.map((p, i) => c.str(`hsnPorts[${i}]`, p, { max: 64 })),
    identities,
    contacts: {
      primary: contact(c, 'contacts.primary', contacts.primary),
      alternate: contacts.alternate === undefined || contacts.alternate === null ? null : contact(c, 'contacts.alternate', contacts.alternate),
    },
  };
  return c.result(sub);
}

export interface NewUserInput {
  username: string;
  password: string;
  displayName: string;
  role: (typeof ROLES)[number];
  subscriberId: string | null;
}

export function validateNewUser(input: unknown): Validated<NewUserInput> {
  const c = new Checker();
  const o = c.obj('user', input) ?? {};
  const role = c.oneOf('role', o.role, ROLES);
  const u: NewUserInput = {
    username: c.str('username', o.username, { max: 64, pattern: /^[a-z0-9][a-z0-9._@-]{2,63}$/, what: 'username' }),
    password: typeof o.password === 'string' ? o.password : c.str('password', o.password),
    displayName: c.str('displayName', o.displayName, { max: 100 }),
    role,
    subscriberId: role === 'subscriber' ? c.id('subscriberId', o.subscriberId) : null,
  };
  if (typeof o.password === 'string' && (o.password.length < 10 || o.password.length > 200)) c.fail('password', 'validation.password-length');
  if (role === 'desk' && o.subscriberId !== undefined && o.subscriberId !== null) c.fail('subscriberId', 'validation.desk-no-firm');
  return c.result(u);
}

/** What a form is checked against: the session and the firm submitting it. */
export interface FormContext {
  session: PracticeSession;
  subscriber: Subscriber;
}

function identityOf(ctx: FormContext, service: Service, identity: string): SubscriberIdentity | undefined {
  return ctx.subscriber.identities.find((x) => x.service === service && x.identity === identity);
}

const NOT_TAKING_PART: Omit<IntentionForm, 'participate' | 'signatory' | 'signedOn'> = {
  services: [],
  connectFrom: { primary: false, backup: false },
  software: [],
  contactOnDay: { name: '', mobile: '', email: '' },
  alternateContact: { name: '', mobile: '', email: '' },
  willJoin: false,
  willCheckOtherHsn: false,
  hasReadRundown: false,
};

/**
 * Appendix A. A firm that declines answers only that, and signs: the
 * participation part (services, premises, software, contacts on the day, the
 * ticks) is neither checked nor stored. A participating firm tests one service
 * or more, and may leave any service of the session out.
 */
export function validateIntentionForm(input: unknown, ctx: FormContext): Validated<IntentionForm> {
  const c = new Checker();
  const o = c.obj('form', input) ?? {};
  const participate = c.bool('participate', o.participate);
  if (!participate) {
    return c.result({
      participate,
      ...structuredClone(NOT_TAKING_PART),
      signatory: signatory(c, 'signatory', o.signatory),
      signedOn: c.date('signedOn', o.signedOn),
    });
  }
  const services = c.list('services', o.services, { max: 4 }) ?? [];
  if (Array.isArray(o.services) && services.length === 0) c.fail('services', 'validation.choose-service');
  const from = c.obj('connectFrom', o.connectFrom) ?? {};
  const software = c.list('software', o.software ?? [], { max: 20 }) ?? [];
  const form: IntentionForm = {
    participate,
    services: services.map((x, i) => {
      const f = `services[${i}]`;
      const v = c.obj(f, x) ?? {};
      const service = c.oneOf(`${f}.service`, v.service, SERVICES);
      c.name(f, service);
      if (!ctx.session.services.includes(service))
        c.fail(`${f}.service`, 'validation.not-in-scope', { service, session: ctx.session.code, services: ctx.session.services.join(', ') });
      const ids = c.list(`${f}.identities`, v.identities, { max: 100 }) ?? [];
      if (Array.isArray(v.identities) && ids.length === 0) c.fail(`${f}.identities`, 'validation.choose-identity', { service });
      return {
        service,
        identities: ids.map((id, j) => {
          const s = c.str(`${f}.identities[${j}]`, id, { max: 64 });
          if (s && !identityOf(ctx, service, s))
            c.fail(`${f}.identities[${j}]`, 'validation.not-firm-identity', { identity: s, firm: ctx.subscriber.name, service });
          return s;
        }),
      };
    }),
    connectFrom: { primary: c.bool('connectFrom.primary', from.primary), backup: c.bool('connectFrom.backup', from.backup) },
    software: software.map((x, i) => {
      const f = `software[${i}]`;
      const v = c.obj(f, x) ?? {};
      const service = c.oneOf(`${f}.service`, v.service, SERVICES);
      c.name(f, service);
      return {
        service,
        kind: c.oneOf(`${f}.kind`, v.kind, SOFTWARE_KINDS),
        name: c.str(`${f}.name`, v.name, { max: 100 }),
        version: c.str(`${f}.version`, v.version, { max: 50 }),
      };
    }),
    contactOnDay: dayContact(c, 'contactOnDay', o.contactOnDay),
    alternateContact: dayContact(c, 'alternateContact', o.alternateContact),
    willJoin: c.bool('willJoin', o.willJoin),
    willCheckOtherHsn: c.bool('willCheckOtherHsn', o.willCheckOtherHsn),
    hasReadRundown: c.bool('hasReadRundown', o.hasReadRundown),
    signatory: signatory(c, 'signatory', o.signatory),
    signedOn: c.date('signedOn', o.signedOn),
  };
  const seen = new Set<string>();
  form.services.forEach((s, i) => {
    if (seen.has(s.service)) c.fail(`services[${i}].service`, 'validation.service-twice', { service: s.service });
    seen.add(s.service);
  });
  if (!form.connectFrom.primary && !form.connectFrom.backup) c.fail('connectFrom', 'validation.connect-from');
  if (!form.willJoin) c.fail('willJoin', 'validation.must-tick');
  if (!form.hasReadRundown) c.fail('hasReadRundown', 'validation.read-rundown');
  form.software.forEach((s, i) => {
    if (!seen.has(s.service)) c.fail(`software[${i}].service`, 'validation.software-service', { service: s.service });
  });
  return c.result(form);
}

function timed(c: Checker, field: string, v: unknown): TimedAnswer {
  const o = c.obj(field, v) ?? {};
  const value = c.bool(`${field}.value`, o.value);
  const time = c.nullableClock(`${field}.time`, o.time);
  if (value && time === null) c.fail(`${field}.time`, 'validation.time-required');
  return { value, time };
}

function section(c: Checker, f: string, v: unknown, ctx: FormContext): ResultSection {
  const o = c.obj(f, v) ?? {};
  const service = c.oneOf(`${f}.service`, o.service, SERVICES);
  if (!ctx.session.services.includes(service))
    c.fail(`${f}.service`, 'validation.not-in-scope', { service, session: ctx.session.code, services: ctx.session.services.join(', ') });
  const identity = c.str(`${f}.identity`, o.identity, { max: 64 });
  const sectionName = identity ? `${service} ${identity}` : service;
  c.name(f, sectionName);
  const known = identity ? identityOf(ctx, service, identity) : undefined;
  if (identity && !known) c.fail(`${f}.identity`, 'validation.not-firm-identity', { identity, firm: ctx.subscriber.name, service });
  const overall = c.oneOf(`${f}.overall`, o.overall, OVERALL_RESULTS);
  const problems = c.list(`${f}.problems`, o.problems ?? [], { max: 50 }) ?? [];
  const s: ResultSection = {
    service,
    identity,
    connectedToPrimary: timed(c, `${f}.connectedToPrimary`, o.connectedToPrimary),
    noticedLossAt: c.nullableClock(`${f}.noticedLossAt`, o.noticedLossAt),
    reconnectedToBackup: timed(c, `${f}.reconnectedToBackup`, o.reconnectedToBackup),
    logonSequenceOk: c.nullableBool(`${f}.logonSequenceOk`, o.logonSequenceOk),
    orderAndCancelAcked: c.nullableBool(`${f}.orderAndCancelAcked`, o.orderAndCancelAcked),
    dropCopyGapRecovered: c.nullableBool(`${f}.dropCopyGapRecovered`, o.dropCopyGapRecovered),
    marketDataFromBackup: c.nullableBool(`${f}.marketDataFromBackup`, o.marketDataFromBackup),
    retransmissionOrRefreshOk: c.nullableBool(`${f}.retransmissionOrRefreshOk`, o.retransmissionOrRefreshOk),
    problems: problems.map((p, i) => {
      const pf = `${f}.problems[${i}]`;
      c.name(pf, message('field.problem', { of: sectionName, n: i + 1 }));
      const x = c.obj(pf, p) ?? {};
      return {
        time: c.clock(`${pf}.time`, x.time),
        description: c.str(`${pf}.description`, x.description, { max: 2000, multiline: true }),
        reference: c.str(`${pf}.reference`, x.reference ?? '', { max: 100, allowEmpty: true }),
      };
    }),
    overall,
    returnedToPrimary: c.bool(`${f}.returnedToPrimary`, o.returnedToPrimary),
    testDataCleaned: c.bool(`${f}.testDataCleaned`, o.testDataCleaned),
  };
  // Which questions apply depends on the identity's role (practice-session.md, Appendix B).
  const tested = overall !== 'not-tested';
  const role = known?.role;
  const applies = {
    orderAndCancelAcked: role === 'trading',
    dropCopyGapRecovered: role === 'drop-copy',
    marketDataFromBackup: MARKET_DATA_SERVICES.includes(service),
    retransmissionOrRefreshOk: MARKET_DATA_SERVICES.includes(service),
  } as const;
  for (const [k, yes] of Object.entries(applies) as [keyof typeof applies, boolean][]) {
    if (!known) break;
    if (yes && tested && s.reconnectedToBackup.value && s[k] === null) c.fail(`${f}.${k}`, 'validation.role-question', { role: message(`value.role.${role}`) });
    if (!yes && s[k] !== null) c.fail(`${f}.${k}`, 'validation.does-not-apply', { role: message(`value.role.${role}`), service });
  }
  if (tested && s.reconnectedToBackup.value && s.logonSequenceOk === null && known && TRADING_SERVICES.includes(service)) {
    c.fail(`${f}.logonSequenceOk`, 'validation.logon-required');
  }
  if ((overall === 'passed-with-issues' || overall === 'failed') && s.problems.length === 0) {
    c.fail(`${f}.problems`, 'validation.problems-required', { overall: message(`value.overall.${overall}`) });
  }
  return s;
}

export function validateResultForm(input: unknown, ctx: FormContext): Validated<ResultForm> {
  const c = new Checker();
  const o = c.obj('form', input) ?? {};
  const sections = c.list('sections', o.sections, { min: 1, max: 200 }) ?? [];
  const form: ResultForm = {
    sections: sections.map((s, i) => section(c, `sections[${i}]`, s, ctx)),
    signatory: signatory(c, 'signatory', o.signatory),
    signedOn: c.date('signedOn', o.signedOn),
  };
  const seen = new Set<string>();
  form.sections.forEach((s, i) => {
    const k = `${s.service}/${s.identity}`;
    if (seen.has(k)) c.fail(`sections[${i}].identity`, 'validation.section-twice', { service: s.service, identity: s.identity });
    seen.add(k);
  });
  return c.result(form);
}
