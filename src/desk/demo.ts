// Demo data for `failover-drill desk --seed-demo` and for tests: a notice, a
// PS2-like session, simulated subscribers with accounts, sample forms and the
// evidence a well-behaved subscriber leaves. Fictitious firms and numbers.
import { randomUUID } from 'node:crypto';
import type { EvidenceEvent, Service } from '../evidence/index.ts';
import { SERVICES } from '../evidence/index.ts';
import {
  hashPassword,
  hongKongDate,
  parseHongKongTime,
  toHongKongIso,
  type IntentionForm,
  type Notice,
  type PracticeSession,
  type ResultForm,
  type ResultSection,
  type Subscriber,
} from './domain/index.ts';
import type { DeskStore } from './store/index.ts';

export function demoNotice(id = 'hs-notice-ps2'): Notice {
  return {
    id,
    references: ['HS/PS/2026/002'],
    titleEn: 'Practice Session 2 for the backbone network firmware upgrade: failover of securities trading and market data services',
    titleZh: '骨幹網絡韌體升級第二次演習：證券交易及市場數據服務切換至後備站',
    issuedOn: '2025-12-29',
    issuer: { name: 'Hosting Services Desk', hotline: '+852 3000 0000', email: 'hosting-desk@exchange.example' },
    refersTo: [
      { reference: 'CS/2025/101', title: 'Backbone network firmware upgrade: practice sessions', issuer: 'Client Services', date: '2025-12-15' },
      { reference: 'MD/2025/202', title: 'Backbone network firmware upgrade: market data practice sessions', issuer: 'Market Data', date: '2025-12-15' },
    ],
    englishPrevails: true,
    audience: 'All hosting services network subscribers',
  };
}

/** The next Saturday (Hong Kong date) strictly after the given instant, as YYYY-MM-DD. */
export function nextSaturday(nowMs: number): string {
  const d = new Date(parseHongKongTime(`${hongKongDate(nowMs)}T00:00`)! + 8 * 3600_000);
  const ahead = (6 - d.getUTCDay() + 7) % 7 || 7;
  return hongKongDate(nowMs + ahead * 86_400_000);
}

/** A Saturday session with the intention deadline the evening before and the result deadline two days after. */
export function demoSession(opts: { id?: string; date?: string; noticeId?: string | null; services?: Service[] } = {}): PracticeSession {
  const date = opts.date ?? '2026-01-10';
  const day = parseHongKongTime(`${date}T00:00`)!;
  return {
    id: opts.id ?? 'ps2-2026',
    code: 'PS2',
    noticeId: opts.noticeId === undefined ? 'hs-notice-ps2' : opts.noticeId,
    date,
    participation: 'optional',
    mandatoryFor: null,
    services: opts.services ?? [...SERVICES],
    network: 'HSN',
    rundown: [
      '# PS2 rundown (Hong Kong time)',
      'steps:',
      '  - at: "08:30"',
      '    action: open-primary',
      '  - at: "10:00"',
      '    action: lose-primary',
      '  - at: "10:00"',
      '    action: activate-backup',
      '  - at: "11:00"',
      '    action: close',
    ].join('\n'),
    intentionDeadline: toHongKongIso(day - 1 * 60_000),
    resultDeadline: toHongKongIso(day + 2 * 86_400_000 + 18 * 3600_000),
  };
}

export function demoSubscriber(n: number): Subscriber {
  const tag = String.fromCharCode(65 + (n % 26)) + (n >= 26 ? String(Math.floor(n / 26)) : '');
  const code = `B${String(1000 + n)}`;
  return {
    id: `firm-${tag.toLowerCase()}`,
    name: `${tag} Securities Limited`,
    participantCode: code,
    hsnPorts: [`HSN-${code}-1`, `HSN-${code}-2`],
    identities: [
      { service: 'OTP-C', identity: `${code}T1`, role: 'trading' },
      { service: 'OTP-C', identity: `${code}DC`, role: 'drop-copy' },
      { service: 'OTP-CSC', identity: `${code}C1`, role: 'trading' },
      { service: 'OMD-C', identity: `${tag.toLowerCase()}-rts`, role: 'retransmission' },
      { service: 'OMD-CC', identity: `${tag.toLowerCase()}-cc-rts`, role: 'retransmission' },
    ],
    contacts: {
      primary: { name: `${tag} Operations`, phone: '+852 3100 0000', mobile: '+852 9100 0000', email: `ops@${tag.toLowerCase()}.example` },
      alternate: { name: `${tag} IT on call`, phone: '+852 3100 0001', mobile: '+852 9100 0001', email: `it@${tag.toLowerCase()}.example` },
    },
  };
}

export function sampleIntentionForm(session: PracticeSession, subscriber: Subscriber): IntentionForm {
  const services = session.services.filter((s) => subscriber.identities.some((i) => i.service === s));
  return {
    participate: true,
    services: services.map((service) => ({ service, identities: subscriber.identities.filter((i) => i.service === service).map((i) => i.identity) })),
    connectFrom: { primary: true, backup: false },
    software: services.map((service) => ({
      service,
      kind: 'in-house' as const,
      name: service.startsWith('OMD') ? 'FeedHandler' : 'OrderGateway',
      version: '4.2',
    })),
    contactOnDay: { name: subscriber.contacts.primary.name, mobile: subscriber.contacts.primary.mobile, email: subscriber.contacts.primary.email },
    alternateContact: subscriber.contacts.alternate
      ? { name: subscriber.contacts.alternate.name, mobile: subscriber.contacts.alternate.mobile, email: subscriber.contacts.alternate.email }
      : { name: subscriber.contacts.primary.name, mobile: subscriber.contacts.primary.mobile, email: subscriber.contacts.primary.email },
    willJoin: true,
    willCheckOtherHsn: true,
    hasReadRundown: true,
    signatory: { name: 'Chan Tai Man', title: 'Head of IT' },
    signedOn: session.date,
  };
}

/** A result form declaring a clean failover on every identity in scope. */
export function sampleResultForm(session: PracticeSession, subscriber: Subscriber): ResultForm {
  const sections: ResultSection[] = subscriber.identities
    .filter((i) => session.services.includes(i.service))
    .map((i) => {
      const md = i.service === 'OMD-C' || i.service === 'OMD-CC';
      return {
        service: i.service,
        identity: i.identity,
        connectedToPrimary: { value: true, time: '08:35' },
        noticedLossAt: '10:00',
        reconnectedToBackup: { value: true, time: '10:06' },
        logonSequenceOk: md ? null : true,
        orderAndCancelAcked: i.role === 'trading' ? true : null,
        dropCopyGapRecovered: i.role === 'drop-copy' ? true : null,
        marketDataFromBackup: md ? true : null,
        retransmissionOrRefreshOk: md ? true : null,
        problems: [],
        overall: 'passed',
        returnedToPrimary: true,
        testDataCleaned: true,
      };
    });
  return {
    sections,
    signatory: { name: 'Chan Tai Man', title: 'Head of IT' },
    signedOn: hongKongDate(parseHongKongTime(`${session.date}T12:00`)! + 86_400_000),
  };
}

/**
 * The evidence of one subscriber that followed the failover: logons and feed
 * joins at the primary, the loss at 10:00, the backup at 10:05, an order
 * acknowledged, market data gaps recovered. `unrecoveredGap` leaves one gap open;
 * `neverOnBackup` stops at the loss.
 */
export function demoEvidence(
  session: PracticeSession,
  subscriber: Subscriber,
  opts: { unrecoveredGap?: boolean; neverOnBackup?: boolean } = {},
): EvidenceEvent[] {
  const out: EvidenceEvent[] = [];
  const at = (hhmm: string, s = 0) => new Date(parseHongKongTime(`${session.date}T${hhmm}`)! + s * 1000).toISOString();
  const add = (
    ts: string,
    site: EvidenceEvent['site'],
    service: Service,
    identity: string,
    kind: EvidenceEvent['kind'],
    source: EvidenceEvent['source'],
    detail: Record<string, unknown> = {},
  ) =>
    out.push({
      id: `${session.id}:${subscriber.id}:${service}:${identity}:${out.length}`,
      ts,
      session: session.id,
      site,
      service,
      subscriber: subscriber.id,
      identity,
      kind,
      detail,
      source,
    });
  for (const i of subscriber.identities.filter((x) => session.services.includes(x.service))) {
    const md = i.service === 'OMD-C' || i.service === 'OMD-CC';
    if (md) {
      add(at('08:35'), 'primary', i.service, i.identity, 'feed-joined', 'probe', { lines: ['A', 'B'] });
      add(at('10:00', 2), 'primary', i.service, i.identity, 'feed-lost', 'probe');
      if (opts.neverOnBackup) continue;
      add(at('10:05'), 'backup', i.service, i.identity, 'feed-joined', 'probe', { lines: ['A', 'B'] });
      add(at('10:05', 5), 'backup', i.service, i.identity, 'gap', 'probe', { channel: 11, from: 100, to: 120 });
      add(at('10:05', 6), 'backup', i.service, i.identity, 'retransmission-request', 'venue', { channel: 11, from: 100, to: 120 });
      if (!opts.unrecoveredGap)
        add(at('10:05', 7), 'backup', i.service, i.identity, 'gap-recovered', 'probe', { channel: 11, from: 100, to: 120, by: 'retransmission' });
    } else {
      add(at('08:35'), 'primary', i.service, i.identity, 'lookup', 'venue');
      add(at('08:35', 1), 'primary', i.service, i.identity, 'logon', 'venue', { nextExpected: 1 });
      add(at('10:00', 1), 'primary', i.service, i.identity, 'disconnect', 'venue', { reason: 'site lost' });
      if (opts.neverOnBackup) continue;
      add(at('10:06'), 'backup', i.service, i.identity, 'lookup', 'venue');
      add(at('10:06', 1), 'backup', i.service, i.identity, 'logon', 'venue', { sequenceOk: true });
      if (i.role === 'trading') {
        add(at('10:30'), 'backup', i.service, i.identity, 'order', 'venue', { clOrdId: 'T1' });
        add(at('10:30', 1), 'backup', i.service, i.identity, 'ack', 'venue', { clOrdId: 'T1' });
      } else {
        add(at('10:06', 2), 'backup', i.service, i.identity, 'resend-request', 'venue', { from: 10, to: 14 });
      }
    }
  }
  return out;
}

export interface DemoAccount {
  username: string;
  password: string;
  role: 'desk' | 'subscriber';
  subscriberId: string | null;
}

/**
 * Seeds a notice, the session, `subscribers` firms with one user each and a
 * desk officer. Passwords are generated unless given; returned so they can be
 * printed or used by tests.
 */
export async function seedDemo(
  store: DeskStore,
  opts: { now: number; subscribers?: number; password?: string; scryptCost?: number; session?: PracticeSession } = { now: Date.now() },
): Promise<{ session: PracticeSession; subscribers: Subscriber[]; accounts: DemoAccount[] }> {
  const pw = () => opts.password ?? randomUUID().replace(/-/g, '').slice(0, 16);
  const notice = demoNotice();
  if (!(await store.getNotice(notice.id))) await store.createNotice(notice, 'seed', opts.now);
  const session = opts.session ?? demoSession();
  if (!(await store.getSession(session.id))) await store.createSession(session, 'seed', opts.now);
  const accounts: DemoAccount[] = [];
  const add = async (username: string, role: 'desk' | 'subscriber', subscriberId: string | null, displayName: string) => {
    if (await store.getUserByUsername(username)) return;
    const password = pw();
    await store.createUser(
      { id: randomUUID(), username, displayName, role, subscriberId, passwordHash: await hashPassword(password, opts.scryptCost) },
      'seed',
      opts.now,
    );
    accounts.push({ username, password, role, subscriberId });
  };
  await add('desk', 'desk', null, 'Desk Officer');
  const subscribers: Subscriber[] = [];
  for (let n = 0; n < (opts.subscribers ?? 3); n++) {
    const s = demoSubscriber(n);
    await store.putSubscriber(s, 'seed', opts.now);
    subscribers.push(s);
    await add(`${s.id}.user`, 'subscriber', s.id, `${s.name} user`);
  }
  return { session, subscribers, accounts };
}
