// Checking declarations against evidence (practice-session.md, "Automatic
// verification", ours): the pre-fill of Appendix B, the contradictions the desk
// must see, and the live state of each subscriber's service. Pure functions
// over (form, evidence[]) so they are tested without a server.
//
// Trust (src/evidence/provenance.ts): venue evidence decides everything the
// venue can observe; the firm's own probe evidence decides only what the venue
// cannot see, and its claims of the rest are shown, labelled, and never
// counted. Where the venue recorded nothing at all for a firm (a rehearsal
// without the conductor), the probe's word is all there is: states and
// pre-fill then come from it, labelled self-reported, while contradictions
// still rest only on what the venue could have seen (so nothing is cleared).
//
// Everything folds in one pass over events sorted once: the dashboard's cells
// are kept as a CellFold per (session, firm, service), extended as events
// arrive in time order and refolded from the stored events otherwise.
import {
  MARKET_DATA_SERVICES,
  TRADING_SERVICES,
  VENUE_OBSERVES,
  authoritative,
  provenanceOf,
  type EvidenceEvent,
  type EvidenceKind,
  type Provenance,
  type Service,
  type Site,
} from '../../evidence/index.ts';
import { hongKongClock } from './hong-kong-time.ts';
import { message, renderMessage, type Message } from './messages/index.ts';
import type { OverallResult, PracticeSession, ResultForm, ResultSection, Subscriber, SubscriberIdentity, TimedAnswer } from './types.ts';

const CONNECT = new Set<EvidenceKind>(['logon', 'feed-joined']);
const LOSS = new Set<EvidenceKind>(['logout', 'disconnect', 'feed-lost', 'dr-signal', 'site-lost']);
const RECOVERY = new Set<EvidenceKind>(['ack', 'gap-recovered', 'refresh-used', 'resend-request']);
const TRADES = new Set<EvidenceKind>(['order', 'ack', 'cancel']);

type Posted = EvidenceEvent & { postedBy?: string };

/** Time order; ties by id, then by poster (ids are unique per poster only). */
function compareKeys(a: EventKey, b: EventKey): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}
/** [ms, id, postedBy] */
export type EventKey = [number, string, string];
function keyOf(e: Posted): EventKey {
  return [Date.parse(e.ts), e.id, e.postedBy ?? ''];
}

/** Sorted once, with each event's time parsed once. */
function sorted<T extends Posted>(events: readonly T[]): { e: T; ms: number; key: EventKey }[] {
  return events
    .map((e) => {
      const key = keyOf(e);
      return { e, ms: key[0], key };
    })
    .sort((a, b) => compareKeys(a.key, b.key));
}

// ---------------------------------------------------------------- messages

const siteMessage = (s: Site) => message(`evidence.site.${s}`);
const provenanceMessage = (p: Provenance | 'none') => message(`evidence.provenance.${p}`);

/** "logon at primary 08:35 (venue)", as a message. */
export function describeEvidence(e: Pick<EvidenceEvent, 'kind' | 'site' | 'ts' | 'source'>): Message {
  return describeAt(e.kind, e.site, Date.parse(e.ts), provenanceOf(e));
}

function describeAt(kind: EvidenceKind, site: Site, ms: number, provenance: Provenance): Message {
  return message('evidence.at', {
    kind: message(`evidence.kind.${kind}`),
    site: siteMessage(site),
    time: hongKongClock(ms),
    provenance: provenanceMessage(provenance),
  });
}

/** The evidence behind one suggested answer: in English for the API and CSV, as a message for every reader, and who vouches for it. */
export interface EvidenceBasis {
  text: string;
  message: Message;
  provenance: Provenance;
}

function basisOf(m: Message, provenance: Provenance): EvidenceBasis {
  return { text: renderMessage(m, 'en'), message: m, provenance };
}

// ---------------------------------------------------------------- gaps

interface OpenGap {
  ms: number;
  id: string;
  from: number | null;
  to: number | null;
  /** Index into the caller's sorted events (pure use only). */
  ref?: number;
}

/** Gaps still open, by channel in arrival order; serialisable (a Map becomes its entries). */
export interface GapState {
  seen: number;
  open: [string, OpenGap[]][];
}

function gapRange(e: EvidenceEvent): [number, number] | null {
  const from = Number(e.detail.from),
    to = Number(e.detail.to ?? e.detail.from);
  return Number.isFinite(from) && Number.isFinite(to) ? [from, to] : null;
}

/**
 * A recovery closes the gap on the same channel whose range it covers; when
 * the detail carries no range it closes the earliest open gap on that channel.
 * Ours: the probe's detail format is not fixed yet (spec silent), so both
 * shapes are accepted. Per-channel lists: one pass, no re-sorting.
 */
class GapTracker {
  seen: number;
  open: Map<string, OpenGap[]>;
  openCount: number;

  constructor(s?: GapState) {
    this.seen = s?.seen ?? 0;
    this.open = new Map(s?.open ?? []);
    this.openCount = 0;
    for (const l of this.open.values()) this.openCount += l.length;
  }

  add(e: EvidenceEvent, ms: number, ref?: number): void {
    const channel = String(e.detail.channel ?? '*');
    if (e.kind === 'gap') {
      const r = gapRange(e);
      let list = this.open.get(channel);
      if (!list) this.open.set(channel, (list = []));
      list.push({ ms, id: e.id, from: r ? r[0] : null, to: r ? r[1] : null, ...(ref !== undefined ? { ref } : {}) });
      this.seen++;
      this.openCount++;
    } else if (e.kind === 'gap-recovered') {
      const list = this.open.get(channel);
      if (!list) return;
      const r = gapRange(e);
      const i = list.findIndex((g) => !r || g.from === null || g.to === null || (r[0] <= g.from && r[1] >= g.to));
      if (i < 0) return;
      list.splice(i, 1);
      this.openCount--;
      if (!list.length) this.open.delete(channel);
    }
  }

  /** The earliest gap still open, with its channel. */
  first(): (OpenGap & { channel: string }) | null {
    let best: (OpenGap & { channel: string }) | null = null;
    for (const [channel, list] of this.open) {
      const g = list[0];
      if (g && (!best || g.ms < best.ms || (g.ms === best.ms && g.id < best.id))) best = { ...g, channel };
    }
    return best;
  }

  state(): GapState {
    return { seen: this.seen, open: [...this.open].map(([c, l]) => [c, l.map(({ ref: _ref, ...g }) => g)]) };
  }
}

/** Gaps no later gap-recovered closed, in time order. */
export function unrecoveredGaps(events: readonly EvidenceEvent[]): EvidenceEvent[] {
  const ev = sorted(events);
  const t = new GapTracker();
  ev.forEach((x, i) => {
    if (x.e.kind === 'gap' || x.e.kind === 'gap-recovered') t.add(x.e, x.ms, i);
  });
  const refs: number[] = [];
  for (const list of t.open.values()) for (const g of list) refs.push(g.ref!);
  return refs.sort((a, b) => a - b).map((i) => ev[i]!.e);
}

// ---------------------------------------------------------------- link state

export const LINK_STATES = ['not-connected', 'connected-to-primary', 'lost', 'reconnected-to-backup', 'recovered', 'failed'] as const;
export type LinkState = (typeof LINK_STATES)[number];

/** The client's own sequence number an event carries: the probe's logon `seqNum`, the venue's logon `clientSeq` or order `seqNum`. */
function clientSeq(e: EvidenceEvent): number | null {
  if (e.kind !== 'logon' && e.kind !== 'order') return null;
  const n = Number(e.detail.seqNum ?? e.detail.clientSeq);
  return Number.isFinite(n) ? n : null;
}

/** The probe saw the disaster-recovery signal not followed or the books not rebuilt (OMD-C 2.2.4; the probe's dr-followed / book-rebuilt cases). */
function isDrNotFollowed(e: EvidenceEvent): boolean {
  return (
    e.source === 'probe' &&
    ((e.kind === 'failover-failed' && (e.detail.case === 'dr-followed' || e.detail.case === 'book-rebuilt')) ||
      (e.kind === 'dr-signal' && e.detail.ignored === true) ||
      (e.kind === 'book-verified' && e.detail.equal === false))
  );
}

function drMessage(e: EvidenceEvent): Message {
  if (e.kind === 'dr-signal') return message('evidence.dr.ignored', { status: String(e.detail.status ?? '?') });
  if (e.kind === 'book-verified') return message('evidence.dr.booksDiffer');
  return e.detail.reason
    ? message('evidence.dr.caseFailedBecause', { case: String(e.detail.case), reason: String(e.detail.reason) })
    : message('evidence.dr.caseFailed', { case: String(e.detail.case) });
}

/** One identity's fold: where it is in the failover (serialisable). */
export interface IdentityFold {
  state: LinkState;
  onBackup: boolean;
  recoverySeen: boolean;
  ackAtBackup: boolean;
  booksDiffer: boolean;
  sequenceReset: boolean;
  primarySeq: number | null;
  gapOpen: boolean;
  gaps: GapState;
  /** Folded as a drop copy (receives the firm's acknowledgements). */
  dropCopy: boolean;
  /** The role came from the subscriber's record, not inferred from the evidence. */
  roleKnown: boolean;
}

function newFold(dropCopy: boolean, roleKnown: boolean, ackAtBackup: boolean): IdentityFold {
  return {
    state: 'not-connected',
    onBackup: false,
    recoverySeen: false,
    ackAtBackup,
    booksDiffer: false,
    sequenceReset: false,
    primarySeq: null,
    gapOpen: false,
    gaps: { seen: 0, open: [] },
    dropCopy,
    roleKnown,
  };
}

/**
 * One step of an identity's fold. Recovered at the backup means: connected
 * there (logon, feed join or the probe's failover-followed) with the sequence
 * numbers continued, and then
 * - a recovery event at the backup site (ack, gap recovered, refresh used,
 *   resend request, or the probe's books equal to the venue's), in either
 *   order: a refresh often completes before the feed join is recorded; or
 * - for a drop copy with no gap left open, nothing to recover: the first
 *   acknowledgement at the backup on the firm's service (the copy it receives,
 *   `copy` true).
 * Books found different from the venue's hold the identity back until a later
 * check finds them equal. A failed failover stays failed: later evidence (a
 * fail back to the primary, a feed joined anyway) does not undo it.
 */
function step(f: IdentityFold, e: EvidenceEvent | null, ms: number, gaps: GapTracker | null): void {
  if (f.state === 'failed') return;
  if (e === null) f.ackAtBackup = true;
  else if (e.kind === 'failover-failed') {
    f.state = 'failed';
    return;
  } else if (e.site === 'primary') {
    const seq = clientSeq(e);
    if (seq !== null && !f.onBackup) f.primarySeq = Math.max(f.primarySeq ?? seq, seq);
    // A logon at the primary after the backup phase is the return at close, not a regression.
    if (CONNECT.has(e.kind) && !f.onBackup) f.state = 'connected-to-primary';
    else if (LOSS.has(e.kind) && f.state === 'connected-to-primary') f.state = 'lost';
  } else {
    if (CONNECT.has(e.kind) || e.kind === 'failover-followed') {
      // OCG-C: a logon at the backup continues the numbers used at the primary; a lower one is a reset.
      const seq = clientSeq(e);
      if (e.kind === 'logon' && !f.onBackup && seq !== null && f.primarySeq !== null && seq <= f.primarySeq) f.sequenceReset = true;
      f.onBackup = true;
      if (f.state !== 'recovered') f.state = 'reconnected-to-backup';
    } else if (e.kind === 'logon-rejected' && !f.onBackup) f.state = 'failed';
    else if (e.kind === 'book-verified') {
      f.booksDiffer = e.detail.equal !== true;
      if (!f.booksDiffer) f.recoverySeen = true;
    } else if (RECOVERY.has(e.kind)) f.recoverySeen = true;
    if (e.kind === 'ack') f.ackAtBackup = true;
  }
  if (e && gaps && (e.kind === 'gap' || e.kind === 'gap-recovered')) {
    gaps.add(e, ms);
    f.gapOpen = gaps.openCount > 0;
  }
  if (f.state === 'failed' || !f.onBackup) return;
  const nothingToRecover = f.dropCopy && f.ackAtBackup && !f.gapOpen;
  if (f.booksDiffer || f.sequenceReset) f.state = 'reconnected-to-backup';
  else if (f.recoverySeen || nothingToRecover) f.state = 'recovered';
}

interface EventRef {
  ms: number;
  site: Site;
  kind: EvidenceKind;
  provenance: Provenance;
}

/** What contradictions rest on, per identity: authoritative evidence only, plus the probe's uncounted claims for display. */
export interface IdentityFacts {
  primaryConnect: boolean;
  backupLogon: boolean;
  backupFeed: boolean;
  backupAck: boolean;
  gaps: GapState;
  dr: (EventRef & { what: Message }) | null;
  /** Connected at the primary again after the backup (the venue's record). */
  primaryReturn: boolean;
  /** The venue's clean-up check (the latest): orders still resting, logged on at the primary again. */
  cleanUp: { ms: number; restingOrders: number; loggedOnAtPrimary: boolean; dropCopy: boolean } | null;
  /** The firm's probe claims of what the venue observes, which the venue's record did not back: first of each. */
  claims: { primaryConnect?: EventRef; backupLogon?: EventRef; backupAck?: EventRef };
}

function newFacts(): IdentityFacts {
  return {
    primaryConnect: false,
    backupLogon: false,
    backupFeed: false,
    backupAck: false,
    primaryReturn: false,
    gaps: { seen: 0, open: [] },
    dr: null,
    cleanUp: null,
    claims: {},
  };
}

/** One identity's part of a cell. */
export interface IdentityDigest {
  /** Counting venue evidence and the probe's evidence of what the venue cannot see. */
  trusted: IdentityFold;
  /** Counting everything (used only where the venue recorded nothing for the firm). */
  all: IdentityFold;
  facts: IdentityFacts;
  events: number;
  venueEvents: number;
}

/** The persisted fold of one firm's service in a session. */
export interface CellDigest {
  v: number;
  service: Service;
  /** The last event folded in, by time order: later events extend the fold, earlier ones refold. */
  last: EventKey | null;
  events: number;
  venueEvents: number;
  /** Per lens: an acknowledgement at the backup on this service (a drop copy's copies). */
  ackAtBackup: { trusted: boolean; all: boolean };
  identities: [string, IdentityDigest][];
}

/** Bump when the fold changes: stored digests of older folds are rebuilt. */
export const FOLD_VERSION = 2;

export type CellProvenance = Provenance | 'none';

/** What the dashboard, the exports and contradictions need of a cell: small, read without the fold. */
export interface CellSummary {
  service: Service;
  events: number;
  venueEvents: number;
  /** The cell's state in each lens: counting what may decide (`trusted`), or everything (`all`). */
  states: { trusted: LinkState; all: LinkState };
  identities: [string, IdentitySummary][];
}

/** An identity's facts for contradictions, with its open gaps counted instead of listed. */
export interface IdentitySummary extends Omit<IdentityFacts, 'gaps'> {
  openGaps: { count: number; first: { ms: number; channel: string } | null };
}

/**
 * The dashboard cell: a failed identity fails the service; otherwise the
 * least advanced identity that has any evidence. Its provenance says what
 * backs it: the venue's record when the venue has evidence on this service,
 * the firm's own probe otherwise. `venueRecorded`: the venue recorded anything
 * for the firm (any service).
 */
export function cellState(summary: CellSummary | undefined, venueRecorded: boolean): { state: LinkState; provenance: CellProvenance } {
  if (!summary || summary.events === 0) return { state: 'not-connected', provenance: 'none' };
  return { state: summary.states[venueRecorded ? 'trusted' : 'all'], provenance: venueRecorded && summary.venueEvents > 0 ? 'venue' : 'self-reported' };
}
const PROGRESS: Record<LinkState, number> = { 'not-connected': 0, 'connected-to-primary': 1, lost: 2, 'reconnected-to-backup': 3, recovered: 4, failed: -1 };
const LENSES = ['trusted', 'all'] as const;
type Lens = (typeof LENSES)[number];

interface LiveIdentity {
  folds: Record<Lens, IdentityFold>;
  gaps: Record<Lens, GapTracker>;
  facts: IdentityFacts;
  factGaps: GapTracker;
  events: number;
  venueEvents: number;
}

/**
 * The fold of one firm's service: every identity's state in both lenses and
 * its facts, extended one event at a time in time order. `append` refuses
 * (returns false) an event that would need a refold: one earlier than the
 * last folded, or an order on an identity folded as a drop copy.
 */
export class CellFold {
  readonly service: Service;
  #last: EventKey | null;
  #events: number;
  #venueEvents: number;
  #ack: Record<Lens, boolean>;
  #ids: Map<string, LiveIdentity>;
  #roles: ReadonlyMap<string, SubscriberIdentity['role']>;

  constructor(service: Service, digest?: CellDigest | null, roles?: ReadonlyMap<string, SubscriberIdentity['role']>) {
    this.service = service;
    this.#roles = roles ?? new Map();
    this.#last = digest?.last ?? null;
    this.#events = digest?.events ?? 0;
    this.#venueEvents = digest?.venueEvents ?? 0;
    this.#ack = { ...(digest?.ackAtBackup ?? { trusted: false, all: false }) };
    this.#ids = new Map(
      (digest?.identities ?? []).map(([id, d]) => [
        id,
        {
          folds: { trusted: d.trusted, all: d.all },
          gaps: { trusted: new GapTracker(d.trusted.gaps), all: new GapTracker(d.all.gaps) },
          facts: d.facts,
          factGaps: new GapTracker(d.facts.gaps),
          events: d.events,
          venueEvents: d.venueEvents,
        },
      ]),
    );
  }

  /** The fold of these events (any order), roles from the subscriber's record where given, inferred otherwise. */
  static build(service: Service, events: readonly Posted[], roles?: ReadonlyMap<string, SubscriberIdentity['role']>): CellFold {
    const c = new CellFold(service, null, roles);
    // The inferred role needs the whole identity: prescan which identities trade, in each lens.
    const trades: Record<Lens, Set<string>> = { trusted: new Set(), all: new Set() };
    for (const e of events) {
      if (!TRADES.has(e.kind)) continue;
      trades.all.add(e.identity);
      if (authoritative(e)) trades.trusted.add(e.identity);
    }
    for (const x of sorted(events)) c.#fold(x.e, x.ms, x.key, trades);
    return c;
  }

  get last(): EventKey | null {
    return this.#last;
  }
  get events(): number {
    return this.#events;
  }
  get venueEvents(): number {
    return this.#venueEvents;
  }

  /** Folds one more event; false (and nothing changed) when the cell must be rebuilt from all its events instead. */
  append(e: Posted): boolean {
    const key = keyOf(e);
    if (this.#last && compareKeys(key, this.#last) <= 0) return false;
    const known = this.#ids.get(e.identity);
    if (TRADES.has(e.kind) && known) {
      if ((known.folds.all.dropCopy && !known.folds.all.roleKnown) || (authoritative(e) && known.folds.trusted.dropCopy && !known.folds.trusted.roleKnown))
        return false;
    }
    this.#fold(e, key[0], key, null);
    return true;
  }

  #identity(id: string, trades: Record<Lens, Set<string>> | null, first: EvidenceEvent): LiveIdentity {
    let x = this.#ids.get(id);
    if (x) return x;
    const role = this.#roles.get(id);
    const trading = TRADING_SERVICES.includes(this.service);
    // An identity on a trading service that never sends an order is a drop copy: OCG-C drop-copy
    // sessions only receive the firm's execution reports. Ours: the evidence carries no role, so
    // without the subscriber's record the role is inferred; a trading session seen before its
    // first order counts as one too (appending its first order refolds the cell).
    const dropCopy = (lens: Lens) =>
      role ? role === 'drop-copy' : trading && !(trades ? trades[lens].has(id) : TRADES.has(first.kind) && (lens === 'all' || authoritative(first)));
    x = {
      folds: { trusted: newFold(dropCopy('trusted'), !!role, this.#ack.trusted), all: newFold(dropCopy('all'), !!role, this.#ack.all) },
      gaps: { trusted: new GapTracker(), all: new GapTracker() },
      facts: newFacts(),
      factGaps: new GapTracker(),
      events: 0,
      venueEvents: 0,
    };
    this.#ids.set(id, x);
    return x;
  }

  #fold(e: EvidenceEvent, ms: number, key: EventKey, trades: Record<Lens, Set<string>> | null): void {
    const x = this.#identity(e.identity, trades, e);
    const venue = e.source === 'venue';
    this.#events++;
    x.events++;
    if (venue) {
      this.#venueEvents++;
      x.venueEvents++;
    }
    this.#last = key;
    const counted = authoritative(e);
    for (const lens of LENSES) {
      if (lens === 'trusted' && !counted) continue;
      step(x.folds[lens], e, ms, x.gaps[lens]);
      if (e.site === 'backup' && e.kind === 'ack') {
        this.#ack[lens] = true;
        // The copies a drop copy receives: every other identity's acknowledgement at the backup.
        for (const [id, y] of this.#ids) if (id !== e.identity && y.folds[lens].dropCopy) step(y.folds[lens], null, ms, null);
      }
    }
    // Facts for contradictions: what the venue could see counts only from the venue.
    const f = x.facts;
    const claim = (k: keyof IdentityFacts['claims']) => {
      f.claims[k] ??= { ms, site: e.site, kind: e.kind, provenance: 'self-reported' };
    };
    if (e.site === 'primary' && CONNECT.has(e.kind)) counted ? (f.primaryConnect = true) : claim('primaryConnect');
    if (e.site === 'primary' && CONNECT.has(e.kind) && counted && (f.backupLogon || f.backupFeed)) f.primaryReturn = true;
    if (e.site === 'backup' && e.kind === 'logon') counted ? (f.backupLogon = true) : claim('backupLogon');
    if (e.site === 'backup' && e.kind === 'feed-joined') f.backupFeed = true;
    if (e.site === 'backup' && e.kind === 'ack') counted ? (f.backupAck = true) : claim('backupAck');
    if (e.kind === 'gap' || e.kind === 'gap-recovered') x.factGaps.add(e, ms);
    if (!f.dr && isDrNotFollowed(e)) f.dr = { ms, site: e.site, kind: e.kind, provenance: provenanceOf(e), what: drMessage(e) };
    if (e.kind === 'clean-up' && venue) f.cleanUp = cleanUpOf(e, ms);
  }

  /** Each identity's state in the lens the firm's evidence calls for. */
  identityStates(venueRecorded: boolean): Map<string, LinkState> {
    const lens: Lens = venueRecorded ? 'trusted' : 'all';
    return new Map([...this.#ids].map(([id, x]) => [id, x.folds[lens].state]));
  }

  cell(venueRecorded: boolean): { state: LinkState; provenance: CellProvenance } {
    return cellState(this.summary(), venueRecorded);
  }

  summary(): CellSummary {
    const state = (lens: Lens): LinkState => {
      const states = [...this.#ids.values()].map((x) => x.folds[lens].state);
      if (!states.length) return 'not-connected';
      return states.includes('failed') ? 'failed' : states.reduce((a, b) => (PROGRESS[b] < PROGRESS[a] ? b : a));
    };
    return {
      service: this.service,
      events: this.#events,
      venueEvents: this.#venueEvents,
      states: { trusted: state('trusted'), all: state('all') },
      identities: [...this.#ids].map(([id, x]) => {
        const { gaps: _gaps, ...facts } = x.facts;
        const first = x.factGaps.first();
        return [id, { ...facts, openGaps: { count: x.factGaps.openCount, first: first ? { ms: first.ms, channel: first.channel } : null } }];
      }),
    };
  }

  digest(): CellDigest {
    return {
      v: FOLD_VERSION,
      service: this.service,
      last: this.#last,
      events: this.#events,
      venueEvents: this.#venueEvents,
      ackAtBackup: { ...this.#ack },
      identities: [...this.#ids].map(([id, x]) => [
        id,
        {
          trusted: { ...x.folds.trusted, gaps: x.gaps.trusted.state() },
          all: { ...x.folds.all, gaps: x.gaps.all.state() },
          facts: { ...x.facts, gaps: x.factGaps.state() },
          events: x.events,
          venueEvents: x.venueEvents,
        },
      ]),
    };
  }
}

function cleanUpOf(e: EvidenceEvent, ms: number): NonNullable<IdentityFacts['cleanUp']> {
  const n = e.detail['restingOrders'];
  return {
    ms,
    restingOrders: typeof n === 'number' && n > 0 ? n : 0,
    loggedOnAtPrimary: e.detail['loggedOnAtPrimary'] === true,
    dropCopy: e.detail['dropCopy'] === true,
  };
}

/** Whether the venue recorded anything for the firm (then it is the authority on all it can see). */
export function venueRecorded(evidence: readonly Pick<EvidenceEvent, 'source'>[]): boolean {
  return evidence.some((e) => e.source === 'venue');
}

export interface IdentityContext {
  /** The identity's role when the subscriber's record is at hand; inferred from the evidence otherwise. */
  role?: SubscriberIdentity['role'];
  /** The firm's evidence on the same service (every identity): a drop copy's copies follow the trading session's acknowledgements. */
  service?: readonly EvidenceEvent[];
  /** Whether the venue recorded anything for the firm; by default, whether these events hold any venue evidence. */
  venueRecorded?: boolean;
}

/** Where one identity is in the failover, folding its evidence (and its service's acknowledgements) in time order. */
export function identityState(events: readonly EvidenceEvent[], context: IdentityContext = {}): LinkState {
  if (!events.length) return 'not-connected';
  const identity = events[0]!.identity;
  const others = (context.service ?? []).filter((e) => e.identity !== identity && e.site === 'backup' && e.kind === 'ack');
  const roles = context.role ? new Map([[identity, context.role]]) : new Map<string, SubscriberIdentity['role']>();
  // Only the other identities' acknowledgements matter here: the copies a drop copy receives.
  const c = CellFold.build(events[0]!.service, [...events, ...others], roles);
  const recorded = context.venueRecorded ?? (venueRecorded(events) || venueRecorded(context.service ?? []));
  return c.identityStates(recorded).get(identity) ?? 'not-connected';
}

/** The dashboard cell for one subscriber and service, and what backs it. `roles` (the subscriber's identities) saves inferring which is a drop copy. */
export function serviceCell(
  evidence: readonly EvidenceEvent[],
  subscriber: string,
  service: Service,
  roles?: readonly SubscriberIdentity[],
  opts: { venueRecorded?: boolean } = {},
): { state: LinkState; provenance: CellProvenance } {
  const firm = evidence.filter((e) => e.subscriber === subscriber);
  const mine = firm.filter((e) => e.service === service);
  const r = new Map((roles ?? []).filter((x) => x.service === service).map((x) => [x.identity, x.role]));
  return CellFold.build(service, mine, r).cell(opts.venueRecorded ?? venueRecorded(firm));
}

export function serviceState(evidence: readonly EvidenceEvent[], subscriber: string, service: Service, roles?: readonly SubscriberIdentity[]): LinkState {
  return serviceCell(evidence, subscriber, service, roles).state;
}

// ---------------------------------------------------------------- pre-fill

/** A section of Appendix B as the evidence suggests it, with the basis of each answer. */
export interface SectionPrefill extends Omit<ResultSection, 'returnedToPrimary' | 'testDataCleaned'> {
  returnedToPrimary: boolean | null;
  /** From the venue's clean-up check (trading identities): no order of the identity left resting. */
  testDataCleaned: boolean | null;
  role: SubscriberIdentity['role'];
  /** Field name → the evidence behind the suggested answer. Every suggested answer has one. */
  basis: Record<string, EvidenceBasis>;
  eventCount: number;
}

function timed(e: EvidenceEvent | undefined): TimedAnswer {
  return e ? { value: true, time: hongKongClock(Date.parse(e.ts)) } : { value: false, time: null };
}

/**
 * The pre-fill of one identity. With `venueRecorded` (the default when the
 * events hold venue evidence), what the venue can see is taken from the venue
 * alone; a probe claim the venue did not back is named in the basis, not
 * counted. Without, everything is the firm's own word, labelled so.
 */
export function prefillSection(identity: SubscriberIdentity, events: readonly EvidenceEvent[], opts: { venueRecorded?: boolean } = {}): SectionPrefill {
  const recorded = opts.venueRecorded ?? venueRecorded(events);
  const all = sorted(events).map((x) => x.e);
  const ev = all.filter((e) => !recorded || authoritative(e));
  const claims = recorded ? all.filter((e) => !authoritative(e)) : [];
  const own = (p: Provenance) => (recorded ? p : 'self-reported');
  const at = (e: EvidenceEvent) => describeEvidence(e);
  const provOf = (e: EvidenceEvent) => own(provenanceOf(e));
  const basis: Record<string, EvidenceBasis> = {};
  // A negative answer the venue decided, naming the probe's uncounted claim of the opposite.
  const notSeen = (finding: Message, claim: EvidenceEvent | undefined): EvidenceBasis =>
    claim
      ? basisOf(message('evidence.selfClaimNotCounted', { finding, claim: at(claim) }), 'self-reported')
      : basisOf(finding, recorded ? 'venue' : 'self-reported');
  const seen = (e: EvidenceEvent, m: Message = at(e)): EvidenceBasis => basisOf(m, provOf(e));

  const primaryConnect = ev.find((e) => e.site === 'primary' && CONNECT.has(e.kind));
  const backupConnect = ev.find((e) => e.site === 'backup' && CONNECT.has(e.kind));
  const backupAt = backupConnect ? Date.parse(backupConnect.ts) : Infinity;
  const loss = ev.find(
    (e) => LOSS.has(e.kind) && (e.site === 'primary' || e.kind === 'dr-signal') && (!primaryConnect || Date.parse(e.ts) >= Date.parse(primaryConnect.ts)),
  );
  const trading = TRADING_SERVICES.includes(identity.service);
  const md = MARKET_DATA_SERVICES.includes(identity.service);
  const reconnected = !!backupConnect;
  const gaps = ev.filter((e) => e.kind === 'gap');
  const openGaps = unrecoveredGaps(ev);

  // Nothing recorded for the identity at all: no basis, the form says there is no evidence (not a finding of "not seen").
  if (primaryConnect) basis.connectedToPrimary = seen(primaryConnect);
  else if (all.length)
    basis.connectedToPrimary = notSeen(
      message('evidence.basis.noPrimaryConnect'),
      claims.find((e) => e.site === 'primary' && CONNECT.has(e.kind)),
    );
  if (loss) basis.noticedLossAt = seen(loss);
  if (backupConnect) basis.reconnectedToBackup = seen(backupConnect);
  else if (all.length)
    basis.reconnectedToBackup = notSeen(
      message('evidence.basis.noBackupConnect'),
      claims.find((e) => e.site === 'backup' && CONNECT.has(e.kind)),
    );

  let logonSequenceOk: boolean | null = null;
  if (trading) {
    const rejected = ev.filter((e) => e.site === 'backup' && e.kind === 'logon-rejected');
    if (backupConnect) {
      logonSequenceOk = true;
      basis.logonSequenceOk = seen(backupConnect, message('evidence.basis.logonAccepted', { at: at(backupConnect) }));
    } else if (rejected.length) {
      logonSequenceOk = false;
      basis.logonSequenceOk = seen(rejected[0]!, message('evidence.basis.logonRefusals', { count: rejected.length, first: at(rejected[0]!) }));
    }
  }
  let orderAndCancelAcked: boolean | null = null;
  if (identity.role === 'trading' && reconnected) {
    const acks = ev.filter((e) => e.site === 'backup' && e.kind === 'ack' && Date.parse(e.ts) >= backupAt);
    orderAndCancelAcked = acks.length > 0;
    basis.orderAndCancelAcked = acks.length
      ? seen(acks[0]!, message('evidence.basis.acks', { count: acks.length, first: at(acks[0]!) }))
      : notSeen(
          message('evidence.basis.noAck'),
          claims.find((e) => e.site === 'backup' && e.kind === 'ack' && Date.parse(e.ts) >= backupAt),
        );
  }
  let dropCopyGapRecovered: boolean | null = null;
  if (identity.role === 'drop-copy' && reconnected) {
    const resend = ev.find((e) => e.site === 'backup' && e.kind === 'resend-request');
    dropCopyGapRecovered = openGaps.length === 0;
    basis.dropCopyGapRecovered = openGaps.length
      ? seen(openGaps[0]!, message('evidence.basis.gapsNeverRecovered', { count: openGaps.length }))
      : resend
        ? seen(resend)
        : // Gaps are what the receiver sees: their absence is the firm's own report too.
          basisOf(gaps.length ? message('evidence.basis.gaps', { gaps: gaps.length, open: 0 }) : message('evidence.basis.noGap'), 'self-reported');
  }
  let marketDataFromBackup: boolean | null = null;
  let retransmissionOrRefreshOk: boolean | null = null;
  if (md) {
    const joined = ev.find((e) => e.site === 'backup' && e.kind === 'feed-joined');
    if (ev.length) {
      marketDataFromBackup = !!joined;
      basis.marketDataFromBackup = joined ? seen(joined) : basisOf(message('evidence.basis.noBackupFeed'), 'self-reported');
    }
    if (gaps.length) {
      retransmissionOrRefreshOk = openGaps.length === 0;
      basis.retransmissionOrRefreshOk = basisOf(message('evidence.basis.gaps', { gaps: gaps.length, open: openGaps.length }), 'self-reported');
    }
    // Gaps closed at the primary do not make up for a book kept stale through the DR: suggest no, as the desk would flag yes.
    const dr = ev.find(isDrNotFollowed);
    if (dr) {
      retransmissionOrRefreshOk = false;
      const m = message('evidence.then', { first: drMessage(dr), second: at(dr) });
      basis.retransmissionOrRefreshOk = basisOf(
        basis.retransmissionOrRefreshOk ? message('evidence.and', { first: m, second: basis.retransmissionOrRefreshOk.message }) : m,
        'self-reported',
      );
    }
  }
  const back = ev.find((e) => e.site === 'primary' && CONNECT.has(e.kind) && Date.parse(e.ts) > backupAt);
  let returnedToPrimary: boolean | null = back ? true : null;
  if (back) basis.returnedToPrimary = seen(back);
  // The venue's clean-up check (the latest): orders left resting, and the session at the primary.
  let testDataCleaned: boolean | null = null;
  const cleanUp = ev.findLast((e) => e.kind === 'clean-up' && e.source === 'venue');
  if (trading && cleanUp) {
    const c = cleanUpOf(cleanUp, Date.parse(cleanUp.ts));
    const when = hongKongClock(c.ms);
    testDataCleaned = c.restingOrders === 0;
    basis.testDataCleaned = seen(
      cleanUp,
      c.restingOrders
        ? message('evidence.basis.ordersResting', { count: c.restingOrders, time: when })
        : message('evidence.basis.noOrderResting', { time: when }),
    );
    if (!back && reconnected) {
      returnedToPrimary = c.loggedOnAtPrimary;
      basis.returnedToPrimary = seen(
        cleanUp,
        message(c.loggedOnAtPrimary ? 'evidence.basis.loggedOnAtPrimary' : 'evidence.basis.notBackAtPrimary', { time: when }),
      );
    }
  }

  const answers: [string, boolean | null][] = [
    ['logonSequenceOk', logonSequenceOk],
    ['orderAndCancelAcked', orderAndCancelAcked],
    ['dropCopyGapRecovered', dropCopyGapRecovered],
    ['marketDataFromBackup', marketDataFromBackup],
    ['retransmissionOrRefreshOk', retransmissionOrRefreshOk],
  ];
  const given = answers.filter(([, v]) => v !== null);
  const selfOnly = (p: Provenance) => (Object.values(basis).some((b) => b.provenance === 'self-reported') ? 'self-reported' : own(p));
  let overall: OverallResult;
  if (ev.length === 0) {
    overall = 'not-tested';
    basis.overall = claims.length ? notSeen(message('evidence.basis.noEvidence'), claims[0]) : basisOf(message('evidence.basis.noEvidence'), own('venue'));
  } else if (!reconnected) {
    overall = 'failed';
    basis.overall = basisOf(message('evidence.basis.neverOnBackup', { why: basis.reconnectedToBackup.message }), basis.reconnectedToBackup.provenance);
  } else if (given.every(([, v]) => v)) {
    overall = 'passed';
    basis.overall = basisOf(message('evidence.basis.allYes'), selfOnly('venue'));
  } else {
    overall = 'passed-with-issues';
    basis.overall = basisOf(
      message('evidence.basis.someNo', {
        fields: given
          .filter(([, v]) => !v)
          .map(([k]) => k)
          .join(', '),
      }),
      selfOnly('venue'),
    );
  }

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
    returnedToPrimary,
    testDataCleaned,
    basis,
    eventCount: events.length,
  };
}

/** Appendix B as the evidence suggests, one section per identity in scope. */
export function prefillResultForm(session: PracticeSession, subscriber: Subscriber, evidence: readonly EvidenceEvent[]): SectionPrefill[] {
  const mine = evidence.filter((e) => e.session === session.id && e.subscriber === subscriber.id);
  const recorded = venueRecorded(mine);
  const by = new Map<string, EvidenceEvent[]>();
  for (const e of mine) {
    const k = `${e.service}\u0000${e.identity}`;
    let l = by.get(k);
    if (!l) by.set(k, (l = []));
    l.push(e);
  }
  return subscriber.identities
    .filter((x) => session.services.includes(x.service))
    .map((x) => prefillSection(x, by.get(`${x.service}\u0000${x.identity}`) ?? [], { venueRecorded: recorded }));
}

// ---------------------------------------------------------------- contradictions

export const CONTRADICTION_CODES = [
  'NO_PRIMARY_LOGON',
  'NO_BACKUP_LOGON',
  'NO_BACKUP_ACK',
  'UNRECOVERED_GAP',
  'DR_NOT_FOLLOWED',
  'ORDERS_RESTING',
  'NOT_BACK_AT_PRIMARY',
] as const;

export interface Contradiction {
  code: (typeof CONTRADICTION_CODES)[number];
  service: Service;
  identity: string;
  /** The declared field the evidence contradicts, e.g. "sections[0].reconnectedToBackup". */
  field: string;
  /** English, for the API and CSV; `declaredMessage` and `message` for every reader. */
  declared: string;
  evidence: string;
  declaredMessage: Message;
  message: Message;
  /** Who vouches for the evidence side: the venue's record, or the firm's own probe. */
  provenance: Provenance;
}

/** Declarations in a result form that the evidence contradicts. */
export function findContradictions(form: ResultForm, subscriberId: string, evidence: readonly EvidenceEvent[]): Contradiction[] {
  const mine = evidence.filter((e) => e.subscriber === subscriberId);
  const cells = new Map<Service, CellFold>();
  for (const s of new Set(form.sections.map((x) => x.service)))
    cells.set(
      s,
      CellFold.build(
        s,
        mine.filter((e) => e.service === s),
      ),
    );
  const summaries = new Map([...cells].map(([k, c]) => [k, c.summary()]));
  return contradictionsFrom(form, (service) => summaries.get(service));
}

/** The same, from the cells' summaries (as the store keeps them): `cellOf` gives the summary of a service. */
export function contradictionsFrom(form: ResultForm, cellOf: (service: Service) => CellSummary | undefined): Contradiction[] {
  const out: Contradiction[] = [];
  eachContradiction(form, cellOf, (c) =>
    out.push({
      code: c.code,
      service: c.service,
      identity: c.identity,
      field: c.field,
      declared: renderMessage(c.declaredMessage, 'en'),
      evidence: renderMessage(c.message, 'en'),
      declaredMessage: c.declaredMessage,
      message: c.message,
      provenance: c.provenance,
    }),
  );
  return out;
}

/** How many contradictions contradictionsFrom would find, without rendering their texts (the dashboard's count). */
export function countContradictions(form: ResultForm, cellOf: (service: Service) => CellSummary | undefined): number {
  let n = 0;
  eachContradiction(form, cellOf, () => {
    n++;
  });
  return n;
}

function eachContradiction(
  form: ResultForm,
  cellOf: (service: Service) => CellSummary | undefined,
  emit: (c: Omit<Contradiction, 'declared' | 'evidence'>) => void,
): void {
  form.sections.forEach((s, i) => {
    const cell = cellOf(s.service);
    const found = cell?.identities.find(([id]) => id === s.identity)?.[1];
    const { gaps: _gaps, ...none } = newFacts();
    const f: IdentitySummary = found ?? { ...none, openGaps: { count: 0, first: null } };
    const md = MARKET_DATA_SERVICES.includes(s.service);
    const add = (code: Contradiction['code'], field: string, declaredMessage: Message, m: Message, provenance: Provenance) =>
      emit({ code, service: s.service, identity: s.identity, field: `sections[${i}].${field}`, declaredMessage, message: m, provenance });
    // The venue's finding, with the firm's uncounted claim of the opposite named beside it.
    const finding = (m: Message, claim: EventRef | undefined) =>
      claim ? message('evidence.selfClaimNotCounted', { finding: m, claim: describeAt(claim.kind, claim.site, claim.ms, 'self-reported') }) : m;
    const declaredAt = (what: string, a: TimedAnswer) =>
      a.time ? message(`contradiction.declared.${what}At`, { time: a.time }) : message(`contradiction.declared.${what}`);

    if (s.connectedToPrimary.value && !f.primaryConnect) {
      add(
        'NO_PRIMARY_LOGON',
        'connectedToPrimary',
        declaredAt('connectedToPrimary', s.connectedToPrimary),
        finding(message(md ? 'contradiction.evidence.noPrimaryConnect' : 'contradiction.evidence.noPrimaryLogon'), f.claims.primaryConnect),
        'venue',
      );
    }
    // The spec's own example: "reconnected to backup" with no logon at the backup site.
    const backupSeen = f.backupLogon || (md && f.backupFeed);
    if (s.reconnectedToBackup.value && !backupSeen) {
      add(
        'NO_BACKUP_LOGON',
        'reconnectedToBackup',
        declaredAt('reconnectedToBackup', s.reconnectedToBackup),
        finding(message(md ? 'contradiction.evidence.noBackupConnect' : 'contradiction.evidence.noBackupLogon'), f.claims.backupLogon),
        'venue',
      );
    }
    if (s.orderAndCancelAcked === true && !f.backupAck) {
      add(
        'NO_BACKUP_ACK',
        'orderAndCancelAcked',
        message('contradiction.declared.orderAndCancelAcked'),
        finding(message('contradiction.evidence.noBackupAck'), f.claims.backupAck),
        'venue',
      );
    }
    // The spec's second example: "market data recovered" against an unrecovered probe gap.
    const open = f.openGaps;
    if (open.count && open.first) {
      const m = message('contradiction.evidence.unrecoveredGap', {
        count: open.count,
        channel: open.first.channel === '*' ? '?' : open.first.channel,
        time: hongKongClock(open.first.ms),
      });
      if (s.retransmissionOrRefreshOk === true)
        add('UNRECOVERED_GAP', 'retransmissionOrRefreshOk', message('contradiction.declared.retransmissionOrRefreshOk'), m, 'self-reported');
      if (s.marketDataFromBackup === true && s.retransmissionOrRefreshOk !== true)
        add('UNRECOVERED_GAP', 'marketDataFromBackup', message('contradiction.declared.marketDataFromBackup'), m, 'self-reported');
      if (s.dropCopyGapRecovered === true)
        add('UNRECOVERED_GAP', 'dropCopyGapRecovered', message('contradiction.declared.dropCopyGapRecovered'), m, 'self-reported');
    }
    // Market data declared recovered at the backup while the probe saw the DR signal ignored or the books not
    // rebuilt: a handler that keeps its cached book (practice-session.md, "Things participants get wrong").
    const dr = md ? f.dr : null;
    if (dr) {
      const m = message('contradiction.evidence.drNotFollowed', { what: dr.what, time: hongKongClock(dr.ms), site: siteMessage(dr.site) });
      if (s.retransmissionOrRefreshOk === true)
        add('DR_NOT_FOLLOWED', 'retransmissionOrRefreshOk', message('contradiction.declared.retransmissionOrRefreshOk'), m, 'self-reported');
      else if (s.marketDataFromBackup === true)
        add('DR_NOT_FOLLOWED', 'marketDataFromBackup', message('contradiction.declared.marketDataFromBackup'), m, 'self-reported');
    }
    // The venue's clean-up check: the notice asks that no test order be kept for the next trading day.
    const c = f.cleanUp;
    if (c && s.testDataCleaned === true && c.restingOrders > 0) {
      add(
        'ORDERS_RESTING',
        'testDataCleaned',
        message('contradiction.declared.testDataCleaned'),
        message('contradiction.evidence.ordersResting', { count: c.restingOrders, time: hongKongClock(c.ms) }),
        'venue',
      );
    }
    if (c && s.returnedToPrimary === true && !c.loggedOnAtPrimary && !f.primaryReturn) {
      add(
        'NOT_BACK_AT_PRIMARY',
        'returnedToPrimary',
        message('contradiction.declared.returnedToPrimary'),
        message('contradiction.evidence.notBackAtPrimary', { time: hongKongClock(c.ms) }),
        'venue',
      );
    }
  });
}

/** Kinds the venue observes, re-exported for the UI's legend. */
export { VENUE_OBSERVES };
