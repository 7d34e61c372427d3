// The embedded drill's paperwork on the service desk (`npm start`):
// the notice, the practice session and one subscriber per simulated firm (its
// identities taken from the venue config, so the evidence maps to the firm),
// a desk officer and one user per firm; each firm's Appendix A filed before the
// session and its Appendix B filed after it from the desk's pre-fill.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  demoNotice,
  findContradictions,
  hashPassword,
  hongKongClock,
  hongKongDate,
  parseHongKongTime,
  prefillResultForm,
  sampleIntentionForm,
  serviceState,
  toHongKongIso,
  type Contradiction,
  type DemoAccount,
  type LinkState,
  type PracticeSession,
  type ResultForm,
  type ResultSection,
  type RunningDesk,
  type SectionPrefill,
  type Subscriber,
  type SubscriberIdentity,
  type User,
} from '../desk/index.ts';
import { MARKET_DATA_SERVICES, SERVICES, TRADING_SERVICES, type EvidenceEvent, type Service } from '../evidence/index.ts';
import type { VenueConfig } from '../venue/index.ts';
import type { DrillFault } from './outcome.ts';
import type { DrillSetup } from './drill.ts';

export interface DrillPaperworkOptions {
  /** One password for every account (documented demo use); random per account when omitted. */
  password?: string;
  /** scrypt cost of the account passwords (tests lower it). */
  scryptCost?: number;
}

export interface AppendixBOutcome {
  firm: string;
  fault: DrillFault | null;
  version: number;
  sections: number;
  /** Sections whose declared overall result is not "passed". */
  notPassed: number;
  contradictions: Contradiction[];
  /** Dashboard cell per service at the end. */
  cells: Partial<Record<Service, LinkState>>;
}

/** The desk side of one drill run: seeded before the session, Appendix B filed after it. */
export class DrillPaperwork {
  readonly desk: RunningDesk;
  readonly accounts: DemoAccount[] = [];
  session: PracticeSession | null = null;
  readonly subscribers: Subscriber[] = [];
  readonly #opts: DrillPaperworkOptions;
  readonly #users = new Map<string, User>();
  #faults: ReadonlyMap<string, DrillFault> = new Map();

  constructor(desk: RunningDesk, opts: DrillPaperworkOptions = {}) {
    this.desk = desk;
    this.#opts = opts;
  }

  /** For DrillOptions.beforeSession: seed the desk and file every firm's Appendix A. */
  readonly beforeSession = async (ctx: DrillSetup): Promise<void> => {
    await this.seed(ctx);
    await this.fileIntentionForms();
  };

  async seed(ctx: DrillSetup): Promise<void> {
    const { store } = this.desk;
    const now = this.desk.service.clock.now();
    this.#faults = ctx.faults;
    const today = hongKongDate(now);
    const notice = { ...demoNotice(`${ctx.session}-notice`), issuedOn: today };
    await store.createNotice(notice, 'seed', now);
    // The session is today (Hong Kong): the accelerated rundown plays now, so the evidence's times fall on it.
    // Appendix A is due when the session opens (a minute from now), Appendix B two days later at 18:00.
    const session: PracticeSession = {
      id: ctx.session,
      code: ctx.rundown.code,
      noticeId: notice.id,
      date: today,
      participation: 'optional',
      mandatoryFor: null,
      services: [...SERVICES],
      network: 'HSN',
      rundown: readFileSync(ctx.rundownPath, 'utf8'),
      intentionDeadline: toHongKongIso(Math.ceil((now + 60_000) / 60_000) * 60_000),
      resultDeadline: toHongKongIso(parseHongKongTime(`${today}T18:00`)! + 2 * 86_400_000),
    };
    await store.createSession(session, 'seed', now);
    this.session = session;
    await this.#addUser('desk', 'desk', null, 'Desk Officer');
    for (const s of ctx.venue.subscribers) {
      const sub = subscriberOf(s);
      await store.putSubscriber(sub, 'seed', now);
      this.subscribers.push(sub);
      await this.#addUser(`${s.firm.toLowerCase()}.user`, 'subscriber', sub.id, `${s.name} user`);
    }
  }

  async #addUser(username: string, role: 'desk' | 'subscriber', subscriberId: string | null, displayName: string): Promise<void> {
    const password = this.#opts.password ?? randomBytes(9).toString('base64url');
    const user: User = { id: randomUUID(), username, displayName, role, subscriberId };
    await this.desk.store.createUser({ ...user, passwordHash: await hashPassword(password, this.#opts.scryptCost) }, 'seed', this.desk.service.clock.now());
    this.#users.set(username, user);
    this.accounts.push({ username, password, role, subscriberId });
  }

  #userOf(firm: string): User {
    return this.#users.get(`${firm.toLowerCase()}.user`)!;
  }

  /** Every firm's Appendix A, submitted by its own user through the desk's service (as POST …/forms/intention would). */
  async fileIntentionForms(): Promise<void> {
    const session = this.#session();
    for (const sub of this.subscribers) {
      await this.desk.service.submitForm({
        user: this.#userOf(sub.id),
        sessionId: session.id,
        subscriberId: sub.id,
        kind: 'intention',
        submissionId: `drill-a-${sub.id}-${randomUUID()}`,
        form: sampleIntentionForm(session, sub),
      });
    }
  }

  /**
   * Every firm's Appendix B, submitted (not a draft: the desk keeps no drafts)
   * by the firm's user from the desk's pre-fill. A well-behaved firm declares
   * what the evidence says, with the probe's failures as its problems. A faulty
   * firm declares a clean pass, as a subscriber that did not notice its fault
   * would, so the desk sees the evidence contradict it.
   */
  async fileResultForms(): Promise<AppendixBOutcome[]> {
    const session = this.#session();
    const out: AppendixBOutcome[] = [];
    for (const sub of this.subscribers) {
      const evidence = await this.desk.store.listEvidence({ session: session.id, subscriber: sub.id });
      const fault = this.#faults.get(sub.id) ?? null;
      const prefill = prefillResultForm(session, sub, evidence);
      const form: ResultForm = {
        sections: prefill.map((p) => (fault ? cleanPassDeclared(p) : declaredFromEvidence(p, evidence))),
        signatory: { name: `${sub.name} IT lead`, title: 'Head of IT' },
        signedOn: hongKongDate(this.desk.service.clock.now()),
      };
      const { version } = await this.desk.service.submitForm({
        user: this.#userOf(sub.id),
        sessionId: session.id,
        subscriberId: sub.id,
        kind: 'result',
        submissionId: `drill-b-${sub.id}-${randomUUID()}`,
        form,
      });
      const cells: Partial<Record<Service, LinkState>> = {};
      for (const svc of session.services) cells[svc] = serviceState(evidence, sub.id, svc);
      out.push({
        firm: sub.id,
        fault,
        version: version.version,
        sections: form.sections.length,
        notPassed: form.sections.filter((s) => s.overall !== 'passed').length,
        contradictions: findContradictions(form, sub.id, evidence),
        cells,
      });
    }
    return out;
  }

  #session(): PracticeSession {
    if (!this.session) throw new Error('the drill desk is not seeded yet');
    return this.session;
  }
}

/** The desk's subscriber record of a venue subscriber: same firm id and identities, fictitious contacts. */
export function subscriberOf(s: VenueConfig['subscribers'][number]): Subscriber {
  const identities: SubscriberIdentity[] = [];
  for (const svc of TRADING_SERVICES) {
    const ids = s[svc as 'OTP-C' | 'OTP-CSC'];
    if (!ids) continue;
    identities.push({ service: svc, identity: ids.trading, role: 'trading' });
    if (ids.dropCopy) identities.push({ service: svc, identity: ids.dropCopy, role: 'drop-copy' });
    // OTP-C over FIX: the FIX CompIDs are identities of the same service, after the binary ones.
    if (svc === 'OTP-C' && s.fix) {
      identities.push({ service: svc, identity: s.fix.trading, role: 'trading' });
      if (s.fix.dropCopy) identities.push({ service: svc, identity: s.fix.dropCopy, role: 'drop-copy' });
    }
  }
  for (const svc of MARKET_DATA_SERVICES) {
    const ids = s[svc as 'OMD-C' | 'OMD-CC'];
    if (ids) identities.push({ service: svc, identity: ids.rtsUsername, role: 'retransmission' });
  }
  const mail = s.firm.toLowerCase();
  return {
    id: s.firm,
    name: s.name,
    participantCode: s.brokerId,
    hsnPorts: [`HSN-${s.brokerId}-1`, `HSN-${s.brokerId}-2`],
    identities,
    contacts: {
      primary: { name: `${s.name} operations`, phone: '+852 3100 0000', mobile: '+852 9100 0000', email: `ops@${mail}.example` },
      alternate: { name: `${s.name} IT on call`, phone: '+852 3100 0001', mobile: '+852 9100 0001', email: `it@${mail}.example` },
    },
  };
}

function applies(p: SectionPrefill) {
  const md = MARKET_DATA_SERVICES.includes(p.service);
  return { trading: TRADING_SERVICES.includes(p.service), md, order: p.role === 'trading', dropCopy: p.role === 'drop-copy' };
}

/** The pre-fill completed the way the subscriber would: yes/no where the form needs one, the probe's failures as problems. */
export function declaredFromEvidence(p: SectionPrefill, evidence: readonly EvidenceEvent[]): ResultSection {
  const { role: _role, basis, eventCount: _count, ...s } = p;
  const a = applies(p);
  const reconnected = s.reconnectedToBackup.value;
  const failures = evidence.filter((e) => e.kind === 'failover-failed' && e.service === p.service && e.identity === p.identity);
  // A probe repeats a failure on every retry; the form lists each failed case once, at its first time.
  const cases = new Set<string>();
  const firstPerCase = [...failures]
    .sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts))
    .filter((e) => {
      const k = String(e.detail.case ?? 'failover');
      return cases.has(k) ? false : (cases.add(k), true);
    });
  const problems = firstPerCase.map((e) => ({
    time: hongKongClock(Date.parse(e.ts)),
    description: `probe: ${String(e.detail.case ?? 'failover')} failed${e.detail.reason ? ` (${String(e.detail.reason)})` : ''}`,
    reference: e.id.slice(0, 100),
  }));
  let overall = failures.length ? ('failed' as const) : s.overall;
  if (overall !== 'passed' && overall !== 'not-tested' && problems.length === 0) {
    const time = s.noticedLossAt ?? s.reconnectedToBackup.time ?? s.connectedToPrimary.time ?? '00:00';
    const why = Object.entries(basis)
      .filter(([k]) => (s as Record<string, unknown>)[k] === false)
      .map(([k, v]) => `${k}: ${v.text}`);
    problems.push({ time, description: why.join('; ') || 'see the evidence', reference: '' });
  }
  if (overall === 'not-tested') problems.length = 0;
  return {
    ...s,
    // Required yes/no answers the evidence leaves open: no gap seen means nothing was left to recover.
    logonSequenceOk: a.trading && reconnected && s.logonSequenceOk === null ? failures.length === 0 : s.logonSequenceOk,
    retransmissionOrRefreshOk: a.md && reconnected && s.retransmissionOrRefreshOk === null ? true : s.retransmissionOrRefreshOk,
    marketDataFromBackup: a.md && reconnected && s.marketDataFromBackup === null ? false : s.marketDataFromBackup,
    problems,
    overall,
    returnedToPrimary: s.returnedToPrimary ?? false,
    // The venue's clean-up check where there is one; otherwise the probe cancelled its test orders.
    testDataCleaned: s.testDataCleaned ?? true,
  };
}

/** What a subscriber that did not notice its fault declares: connected, reconnected, everything yes. */
export function cleanPassDeclared(p: SectionPrefill): ResultSection {
  const a = applies(p);
  const primaryAt = p.connectedToPrimary.time ?? '08:30';
  const backupAt = p.reconnectedToBackup.time ?? p.noticedLossAt ?? primaryAt;
  return {
    service: p.service,
    identity: p.identity,
    connectedToPrimary: { value: true, time: primaryAt },
    noticedLossAt: p.noticedLossAt,
    reconnectedToBackup: { value: true, time: backupAt },
    logonSequenceOk: a.trading ? true : null,
    orderAndCancelAcked: a.order ? true : null,
    dropCopyGapRecovered: a.dropCopy ? true : null,
    marketDataFromBackup: a.md ? true : null,
    retransmissionOrRefreshOk: a.md ? true : null,
    problems: [],
    overall: 'passed',
    returnedToPrimary: true,
    testDataCleaned: true,
  };
}
