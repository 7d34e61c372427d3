// Checking declarations against evidence (practice-session.md, "Automatic
// verification", ours): the pre-fill of Appendix B, the contradictions the desk
// must see, and the live state of each subscriber's service. Pure functions
// over (form, evidence[]) so they are tested without a server.
import { MARKET_DATA_SERVICES, TRADING_SERVICES, type EvidenceEvent, type Service } from '../../evidence/index.ts';
import { hongKongClock } from './hong-kong-time.ts';
import type { OverallResult, PracticeSession, ResultForm, ResultSection, Subscriber, SubscriberIdentity, TimedAnswer } from './types.ts';

const CONNECT = new Set(['logon', 'feed-joined']);
const LOSS = new Set(['logout', 'disconnect', 'feed-lost', 'dr-signal', 'site-lost']);
const RECOVERY = new Set(['ack', 'gap-recovered', 'refresh-used', 'resend-request']);

function byTime(a: EvidenceEvent, b: EvidenceEvent): number {
  return Date.parse(a.ts) - Date.parse(b.ts) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function forIdentity(evidence: readonly EvidenceEvent[], subscriber: string, service: Service, identity: string): EvidenceEvent[] {
  return evidence.filter((e) => e.subscriber === subscriber && e.service === service && e.identity === identity).sort(byTime);
}

function at(e: EvidenceEvent): string {
  return `${e.kind} at ${e.site} ${hongKongClock(Date.parse(e.ts))} (${e.source})`;
}

/**
 * Gaps the probe reported that no later gap-recovered closed. A recovery closes
 * the gap on the same channel whose range it covers; when the detail carries
 * no range it closes the earliest open gap on that channel. Ours: the probe's
 * detail format is not fixed yet (spec silent), so both shapes are accepted.
 */
export function unrecoveredGaps(events: readonly EvidenceEvent[]): EvidenceEvent[] {
  const open: EvidenceEvent[] = [];
  const channel = (e: EvidenceEvent) => String(e.detail.channel ?? '*');
  const range = (e: EvidenceEvent): [number, number] | null => {
    const from = Number(e.detail.from), to = Number(e.detail.to ?? e.detail.from);
    return Number.isFinite(from) && Number.isFinite(to) ? [from, to] : null;
  };
  for (const e of [...events].sort(byTime)) {
    if (e.kind === 'gap') open.push(e);
    else if (e.kind === 'gap-recovered') {
      const r = range(e);
      const i = open.findIndex((g) => {
        if (channel(g) !== channel(e)) return false;
        const gr = range(g);
        return !r || !gr || (r[0] <= gr[0] && r[1] >= gr[1]);
      });
      if (i >= 0) open.splice(i, 1);
    }
  }
  return open;
}

export const LINK_STATES = ['not-connected', 'connected-to-primary', 'lost', 'reconnected-to-backup', 'recovered', 'failed'] as const;
export type LinkState = (typeof LINK_STATES)[number];

/** Where one identity is in the failover, folding its evidence in time order. */
export function identityState(events: readonly EvidenceEvent[]): LinkState {
  let state: LinkState = 'not-connected';
  let onBackup = false;
  for (const e of [...events].sort(byTime)) {
    // A failed failover stays failed: later evidence (a fail back to the primary, a feed joined anyway) does not undo it.
    if (state === 'failed') break;
    if (e.kind === 'failover-failed') { state = 'failed'; continue; }
    if (e.site === 'primary') {
      // A logon at the primary after the backup phase is the return at close, not a regression.
      if (CONNECT.has(e.kind) && !onBackup) state = 'connected-to-primary';
      else if (LOSS.has(e.kind) && state === 'connected-to-primary') state = 'lost';
    } else {
      if (CONNECT.has(e.kind) || e.kind === 'failover-followed') {
        onBackup = true;
        if (state !== 'recovered') state = 'reconnected-to-backup';
      } else if (e.kind === 'logon-rejected' && !onBackup) state = 'failed';
      else if (RECOVERY.has(e.kind) && onBackup) state = 'recovered';
    }
  }
  return state;
}

const PROGRESS: Record<LinkState, number> = { 'not-connected': 0, 'connected-to-primary': 1, lost: 2, 'reconnected-to-backup': 3, recovered: 4, failed: -1 };

/**
 * The dashboard cell for one subscriber and service: a failed identity fails
 * the service; otherwise the least advanced identity that has any evidence.
 */
export function serviceState(evidence: readonly EvidenceEvent[], subscriber: string, service: Service): LinkState {
  const mine = evidence.filter((e) => e.subscriber === subscriber && e.service === service);
  const identities = [...new Set(mine.map((e) => e.identity))];
  if (identities.length === 0) return 'not-connected';
  const states = identities.map((id) => identityState(mine.filter((e) => e.identity === id)));
  if (states.includes('failed')) return 'failed';
  return states.reduce((a, b) => (PROGRESS[b] < PROGRESS[a] ? b : a));
}

/** A section of Appendix B as the evidence suggests it, with the basis of each answer. */
export interface SectionPrefill extends Omit<ResultSection, 'returnedToPrimary' | 'testDataCleaned'> {
  returnedToPrimary: boolean | null;
  testDataCleaned: null;
  role: SubscriberIdentity['role'];
  /** Field name → the evidence behind the suggested answer, in words. */
  basis: Record<string, string>;
  eventCount: number;
}

function timed(e: EvidenceEvent | undefined): TimedAnswer {
  return e ? { value: true, time: hongKongClock(Date.parse(e.ts)) } : { value: false, time: null };
}

export function prefillSection(identity: SubscriberIdentity, events: readonly EvidenceEvent[]): SectionPrefill {
  const ev = [...events].sort(byTime);
  const basis: Record<string, string> = {};
  const primaryConnect = ev.find((e) => e.site === 'primary' && CONNECT.has(e.kind));
  const backupConnect = ev.find((e) => e.site === 'backup' && CONNECT.has(e.kind));
  const backupAt = backupConnect ? Date.parse(backupConnect.ts) : Infinity;
  const loss = ev.find((e) => LOSS.has(e.kind) && (e.site === 'primary' || e.kind === 'dr-signal') && (!primaryConnect || Date.parse(e.ts) >= Date.parse(primaryConnect.ts)));
  const trading = TRADING_SERVICES.includes(identity.service);
  const md = MARKET_DATA_SERVICES.includes(identity.service);
  const reconnected = !!backupConnect;
  const gaps = ev.filter((e) => e.kind === 'gap');
  const openGaps = unrecoveredGaps(ev);

  if (primaryConnect) basis.connectedToPrimary = at(primaryConnect);
  if (loss) basis.noticedLossAt = at(loss);
  basis.reconnectedToBackup = backupConnect ? at(backupConnect) : 'no logon or feed join at the backup site seen';

  let logonSequenceOk: boolean | null = null;
  if (trading) {
    const rejected = ev.filter((e) => e.site === 'backup' && e.kind === 'logon-rejected');
    if (backupConnect) logonSequenceOk = true;
    else if (rejected.length) logonSequenceOk = false;
    if (rejected.length) basis.logonSequenceOk = `${rejected.length} logon refusal(s) at backup, first ${at(rejected[0]!)}`;
  }
  let orderAndCancelAcked: boolean | null = null;
  if (identity.role === 'trading' && reconnected) {
    const acks = ev.filter((e) => e.site === 'backup' && e.kind === 'ack' && Date.parse(e.ts) >= backupAt);
    orderAndCancelAcked = acks.length > 0;
    basis.orderAndCancelAcked = acks.length ? `${acks.length} acknowledgement(s) at backup, first ${at(acks[0]!)}` : 'no acknowledgement at the backup site seen';
  }
  let dropCopyGapRecovered: boolean | null = null;
  if (identity.role === 'drop-copy' && reconnected) {
    const resend = ev.find((e) => e.site === 'backup' && e.kind === 'resend-request');
    dropCopyGapRecovered = openGaps.length === 0;
    basis.dropCopyGapRecovered = resend ? at(resend) : openGaps.length ? `${openGaps.length} gap(s) never recovered` : 'no gap seen';
  }
  let marketDataFromBackup: boolean | null = null;
  let retransmissionOrRefreshOk: boolean | null = null;
  if (md) {
    const joined = ev.find((e) => e.site === 'backup' && e.kind === 'feed-joined');
    marketDataFromBackup = ev.length ? !!joined : null;
    if (joined) basis.marketDataFromBackup = at(joined);
    if (gaps.length) {
      retransmissionOrRefreshOk = openGaps.length === 0;
      basis.retransmissionOrRefreshOk = `${gaps.length} gap(s), ${openGaps.length} not recovered`;
    }
  }
  const back = ev.find((e) => e.site === 'primary' && CONNECT.has(e.kind) && Date.parse(e.ts) > backupAt);
  if (back) basis.returnedToPrimary = at(back);

  const answers = [logonSequenceOk, orderAndCancelAcked, dropCopyGapRecovered, marketDataFromBackup, retransmissionOrRefreshOk].filter((x) => x !== null);
  let overall: OverallResult;
  if (ev.length === 0) overall = 'not-tested';
  else if (!reconnected) overall = 'failed';
  else overall = answers.every((x) => x) ? 'passed' : 'passed-with-issues';

  return {
    service: identity.service,
    identity: identity.identity,
    role: identity.role,
    connectedToPrimary: timed(primaryConnect),
    noticedLossAt: loss ? hongKongClock(Date.parse(loss.ts)) : null,
    reconnectedToBackup: timed(backupConnect),
    logonSequenceOk,
    orderAndCancelAcked,
    dropCopyGapRecovered,
    marketDataFromBackup,
    retransmissionOrRefreshOk,
    problems: [],
    overall,
    returnedToPrimary: back ? true : null,
    testDataCleaned: null,
    basis,
    eventCount: ev.length,
  };
}

/** Appendix B as the evidence suggests, one section per identity in scope. */
export function prefillResultForm(session: PracticeSession, subscriber: Subscriber, evidence: readonly EvidenceEvent[]): SectionPrefill[] {
  const mine = evidence.filter((e) => e.session === session.id);
  return subscriber.identities
    .filter((x) => session.services.includes(x.service))
    .map((x) => prefillSection(x, forIdentity(mine, subscriber.id, x.service, x.identity)));
}

export const CONTRADICTION_CODES = ['NO_PRIMARY_LOGON', 'NO_BACKUP_LOGON', 'NO_BACKUP_ACK', 'UNRECOVERED_GAP'] as const;

export interface Contradiction {
  code: (typeof CONTRADICTION_CODES)[number];
  service: Service;
  identity: string;
  /** The declared field the evidence contradicts, e.g. "sections[0].reconnectedToBackup". */
  field: string;
  declared: string;
  evidence: string;
}

/** Declarations in a result form that the evidence contradicts. */
export function findContradictions(form: ResultForm, subscriberId: string, evidence: readonly EvidenceEvent[]): Contradiction[] {
  const out: Contradiction[] = [];
  form.sections.forEach((s, i) => {
    const ev = forIdentity(evidence, subscriberId, s.service, s.identity);
    const md = MARKET_DATA_SERVICES.includes(s.service);
    const f = `sections[${i}]`;
    const add = (code: Contradiction['code'], field: string, declared: string, evidenceText: string) =>
      out.push({ code, service: s.service, identity: s.identity, field: `${f}.${field}`, declared, evidence: evidenceText });

    if (s.connectedToPrimary.value && !ev.some((e) => e.site === 'primary' && CONNECT.has(e.kind))) {
      add('NO_PRIMARY_LOGON', 'connectedToPrimary', `connected to the primary site${s.connectedToPrimary.time ? ' at ' + s.connectedToPrimary.time : ''}`, md ? 'no feed join or logon at the primary site was seen' : 'no logon at the primary site was seen');
    }
    // The spec's own example: "reconnected to backup" with no logon at the backup site.
    const backupSeen = ev.some((e) => e.site === 'backup' && (e.kind === 'logon' || (md && e.kind === 'feed-joined')));
    if (s.reconnectedToBackup.value && !backupSeen) {
      add('NO_BACKUP_LOGON', 'reconnectedToBackup', `reconnected to the backup site${s.reconnectedToBackup.time ? ' at ' + s.reconnectedToBackup.time : ''}`, md ? 'no feed join or logon at the backup site was seen' : 'no logon at the backup site was seen');
    }
    if (s.orderAndCancelAcked === true && !ev.some((e) => e.site === 'backup' && e.kind === 'ack')) {
      add('NO_BACKUP_ACK', 'orderAndCancelAcked', 'test order and cancel acknowledged after the failover', 'no acknowledgement at the backup site was seen');
    }
    // The spec's second example: "market data recovered" against an unrecovered probe gap.
    const open = unrecoveredGaps(ev.filter((e) => e.source === 'probe'));
    if (open.length) {
      const g = open[0]!;
      const text = `the probe reported ${open.length} gap(s) never recovered, first on channel ${String(g.detail.channel ?? '?')} at ${hongKongClock(Date.parse(g.ts))}`;
      if (s.retransmissionOrRefreshOk === true) add('UNRECOVERED_GAP', 'retransmissionOrRefreshOk', 'retransmission or refresh used and successful', text);
      if (s.marketDataFromBackup === true && s.retransmissionOrRefreshOk !== true) add('UNRECOVERED_GAP', 'marketDataFromBackup', 'market data received from the backup site', text);
      if (s.dropCopyGapRecovered === true) add('UNRECOVERED_GAP', 'dropCopyGapRecovered', 'drop copy gap recovered', text);
    }
  });
  return out;
}
