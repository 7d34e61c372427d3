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

/** The client's own sequence number an event carries: the probe's logon `seqNum`, the venue's logon `clientSeq` or order `seqNum`. */
function clientSeq(e: EvidenceEvent): number | null {
  if (e.kind !== 'logon' && e.kind !== 'order') return null;
  const n = Number(e.detail.seqNum ?? e.detail.clientSeq);
  return Number.isFinite(n) ? n : null;
}

/**
 * An identity on a trading service that never sends an order is a drop copy:
 * OCG-C drop-copy sessions only receive the firm's execution reports. Ours:
 * the evidence carries no role, so without the subscriber's record the role is
 * inferred; a trading session seen before its first order counts as one too,
 * which only matters while another session of the firm is already trading.
 */
function receivesOnly(events: readonly EvidenceEvent[]): boolean {
  return events.length > 0 && TRADING_SERVICES.includes(events[0]!.service) && !events.some((e) => e.kind === 'order' || e.kind === 'ack' || e.kind === 'cancel');
}

/** The probe saw the disaster-recovery signal not followed or the books not rebuilt (OMD-C 2.2.4; the probe's dr-followed / book-rebuilt cases). */
function drNotFollowed(events: readonly EvidenceEvent[]): EvidenceEvent | undefined {
  return [...events].sort(byTime).find((e) =>
    e.source === 'probe' && (
      (e.kind === 'failover-failed' && (e.detail.case === 'dr-followed' || e.detail.case === 'book-rebuilt')) ||
      (e.kind === 'dr-signal' && e.detail.ignored === true) ||
      (e.kind === 'book-verified' && e.detail.equal === false)));
}

export interface IdentityContext {
  /** The identity's role when the subscriber's record is at hand; inferred from the evidence otherwise. */
  role?: SubscriberIdentity['role'];
  /** The firm's evidence on the same service (every identity): a drop copy's copies follow the trading session's acknowledgements. */
  service?: readonly EvidenceEvent[];
}

/**
 * Where one identity is in the failover, folding its evidence in time order.
 * Recovered at the backup means: connected there (logon, feed join or the
 * probe's failover-followed) with the sequence numbers continued, and then
 * - a recovery event at the backup site (ack, gap recovered, refresh used,
 *   resend request, or the probe's books equal to the venue's), in either
 *   order: a refresh often completes before the feed join is recorded; or
 * - for a drop copy with no gap left open, nothing to recover: the first
 *   acknowledgement at the backup on the firm's service (the copy it receives).
 * Books found different from the venue's hold the identity back until a later
 * check finds them equal.
 */
export function identityState(events: readonly EvidenceEvent[], context: IdentityContext = {}): LinkState {
  const own = [...events].sort(byTime);
  const ids = new Set(own.map((e) => e.id));
  const dropCopy = context.role ? context.role === 'drop-copy' : receivesOnly(own);
  const copied = dropCopy ? (context.service ?? []).filter((e) => e.site === 'backup' && e.kind === 'ack' && !ids.has(e.id)) : [];
  let state: LinkState = 'not-connected';
  let onBackup = false;
  let recoverySeen = false;
  let ackAtBackup = false;
  let booksDiffer = false;
  let sequenceReset = false;
  let primarySeq: number | null = null;
  const seen: EvidenceEvent[] = [];
  let gapOpen = false;
  for (const e of [...own, ...copied].sort(byTime)) {
    // A failed failover stays failed: later evidence (a fail back to the primary, a feed joined anyway) does not undo it.
    if (state === 'failed') break;
    if (!ids.has(e.id)) ackAtBackup = true;
    else if (e.kind === 'failover-failed') { state = 'failed'; continue; }
    else if (e.site === 'primary') {
      const seq = clientSeq(e);
      if (seq !== null && !onBackup) primarySeq = Math.max(primarySeq ?? seq, seq);
      // A logon at the primary after the backup phase is the return at close, not a regression.
      if (CONNECT.has(e.kind) && !onBackup) state = 'connected-to-primary';
      else if (LOSS.has(e.kind) && state === 'connected-to-primary') state = 'lost';
    } else {
      if (CONNECT.has(e.kind) || e.kind === 'failover-followed') {
        // OCG-C: a logon at the backup continues the numbers used at the primary; a lower one is a reset.
        const seq = clientSeq(e);
        if (e.kind === 'logon' && !onBackup && seq !== null && primarySeq !== null && seq <= primarySeq) sequenceReset = true;
        onBackup = true;
        if (state !== 'recovered') state = 'reconnected-to-backup';
      } else if (e.kind === 'logon-rejected' && !onBackup) state = 'failed';
      else if (e.kind === 'book-verified') {
        booksDiffer = e.detail.equal !== true;
        if (!booksDiffer) recoverySeen = true;
      } else if (RECOVERY.has(e.kind)) recoverySeen = true;
      if (e.kind === 'ack') ackAtBackup = true;
    }
    if (ids.has(e.id) && (e.kind === 'gap' || e.kind === 'gap-recovered')) {
      seen.push(e);
      gapOpen = unrecoveredGaps(seen).length > 0;
    }
    if (state === 'failed' || !onBackup) continue;
    const nothingToRecover = dropCopy && ackAtBackup && !gapOpen;
    if (booksDiffer || sequenceReset) state = 'reconnected-to-backup';
    else if (recoverySeen || nothingToRecover) state = 'recovered';
  }
  return state;
}

const PROGRESS: Record<LinkState, number> = { 'not-connected': 0, 'connected-to-primary': 1, lost: 2, 'reconnected-to-backup': 3, recovered: 4, failed: -1 };

/**
 * The dashboard cell for one subscriber and service: a failed identity fails
 * the service; otherwise the least advanced identity that has any evidence.
 * `roles` (the subscriber's identities) saves inferring which is a drop copy.
 */
export function serviceState(evidence: readonly EvidenceEvent[], subscriber: string, service: Service, roles?: readonly SubscriberIdentity[]): LinkState {
  const mine = evidence.filter((e) => e.subscriber === subscriber && e.service === service);
  const identities = [...new Set(mine.map((e) => e.identity))];
  if (identities.length === 0) return 'not-connected';
  const roleOf = (id: string) => roles?.find((x) => x.service === service && x.identity === id)?.role;
  const states = identities.map((id) => {
    const role = roleOf(id);
    return identityState(mine.filter((e) => e.identity === id), role ? { role, service: mine } : { service: mine });
  });
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
    // Gaps closed at the primary do not make up for a book kept stale through the DR: suggest no, as the desk would flag yes.
    const dr = drNotFollowed(ev);
    if (dr) {
      retransmissionOrRefreshOk = false;
      basis.retransmissionOrRefreshOk = `${drText(dr)}, ${at(dr)}${gaps.length ? `; ${basis.retransmissionOrRefreshOk}` : ''}`;
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

export const CONTRADICTION_CODES = ['NO_PRIMARY_LOGON', 'NO_BACKUP_LOGON', 'NO_BACKUP_ACK', 'UNRECOVERED_GAP', 'DR_NOT_FOLLOWED'] as const;

export interface Contradiction {
  code: (typeof CONTRADICTION_CODES)[number];
  service: Service;
  identity: string;
  /** The declared field the evidence contradicts, e.g. "sections[0].reconnectedToBackup". */
  field: string;
  declared: string;
  evidence: string;
}

function drText(e: EvidenceEvent): string {
  if (e.kind === 'dr-signal') return `DR signal ${String(e.detail.status ?? '?')} ignored`;
  if (e.kind === 'book-verified') return "books different from the venue's";
  return `case ${String(e.detail.case)} failed${e.detail.reason ? ` (${String(e.detail.reason)})` : ''}`;
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
    // Market data declared recovered at the backup while the probe saw the DR signal ignored or the books not
    // rebuilt: a handler that keeps its cached book (practice-session.md, "Things participants get wrong").
    const dr = md ? drNotFollowed(ev) : undefined;
    if (dr) {
      const text = `the probe saw ${drText(dr)} at ${hongKongClock(Date.parse(dr.ts))} (${dr.site} site)`;
      if (s.retransmissionOrRefreshOk === true) add('DR_NOT_FOLLOWED', 'retransmissionOrRefreshOk', 'retransmission or refresh used and successful', text);
      else if (s.marketDataFromBackup === true) add('DR_NOT_FOLLOWED', 'marketDataFromBackup', 'market data received from the backup site', text);
    }
  });
  return out;
}
