// One market-data identity of the probe (OMD-C or OMD-CC): a feed handler on both lines of every
// channel with retransmission and refresh. Follows the rundown's feed side: both lines joined and
// the books built at the primary, gaps recovered, the DR signals followed (cache cleared, books
// rebuilt from the backup's refresh and compared with the venue's), real-time data from the
// backup, and the return to the primary. Each observation is a step of a case.
import {
  FeedHandler,
  type DrEvent,
  type FeedConfig,
  type TradingSessionStatus,
  type GapEvent,
  type OmdProduct,
  type OmdService,
  type RecoveredEvent,
  type RefreshCompleteEvent,
} from '../omd/index.ts';
import type { TimerHandle } from '../wire/index.ts';
import type { Site } from '../evidence/index.ts';
import { CaseBook, type CaseId } from './cases.ts';
import type { ProbeFeedIdentity } from './config.ts';
import { serviceProgress } from './progress.ts';
import type { IdentityTiming, MarketSessionSeen, ProbeContext, ServiceProgress, ServiceReport } from './types.ts';

/** A FeedHandler that counts datagrams per line, so the probe can prove it joined both A and B. */
class CountingFeedHandler extends FeedHandler {
  readonly lines = { A: 0, B: 0 };
  override onDatagram(channelId: number, line: 'A' | 'B', buf: Uint8Array): void {
    this.lines[line]++;
    super.onDatagram(channelId, line, buf);
  }
}

export class FeedRun {
  readonly service: OmdService;
  readonly identity: string;
  readonly book: CaseBook;
  readonly handler: CountingFeedHandler;
  readonly #cfg: FeedConfig;
  readonly timing: IdentityTiming;
  /** Which site the feed comes from as the DR signals tell. */
  #site: Site = 'primary';
  /** 0 before any DR signal 1; 1 during/after the failover; 2 during/after the fail back. */
  #drCycle = 0;
  /** Every channel of the current DR cycle rebuilt from refresh. */
  #cycleRebuilt = false;
  #lastDrStatus = 0;
  #dr1At = 0;
  #dr2At = 0;
  #messagesAtDr2 = 0;
  readonly #refreshedAfterDr = new Set<number>();
  readonly #startupRefreshed = new Set<number>();
  readonly #openGaps = new Map<string, { channelId: number; from: number; to: number }>();
  #gapsSeen = 0;
  #recoveryTimer: TimerHandle | null = null;
  /** The Trading Session Status last seen ("status/subId"); null before the first. */
  #sessionKey: string | null = null;
  #phaseChanges = 0;
  /** The books checks after phase changes, one after the other. */
  #phaseChecks: Promise<void> = Promise.resolve();
  readonly #ctx: ProbeContext;

  constructor(ctx: ProbeContext, f: ProbeFeedIdentity) {
    this.#ctx = ctx;
    const o = ctx.options;
    this.handler = new CountingFeedHandler(f.feed, {
      rtsUsername: f.rtsUsername,
      clock: ctx.clock,
      ...(o.feed?.arbitrationTimeoutMs !== undefined ? { arbitrationTimeoutMs: o.feed.arbitrationTimeoutMs } : {}),
      ...(o.feed?.rts ? { rts: o.feed.rts } : {}),
      ...(ctx.faults.ignoreDisasterRecovery ? { ignoreDisasterRecovery: true } : {}),
    });
    this.service = f.service;
    this.identity = f.rtsUsername;
    this.book = new CaseBook(f.service, f.rtsUsername, () => ctx.clock.now());
    this.#cfg = f.feed;
    this.timing = {
      service: f.service,
      identity: f.rtsUsername,
      lossNoticedAt: null,
      recoveredAt: null,
      recoveryMs: null,
      firstAckAfterFailoverMs: null,
      returnedToPrimaryAt: null,
    };
    const b = this.book;
    const handler = this.handler;
    handler.on('gap', (e: GapEvent) => {
      this.#gapsSeen++;
      this.#openGaps.set(`${e.channelId}:${e.range.from}`, { channelId: e.channelId, from: e.range.from, to: e.range.to });
      b.pass('gap-recovered', 'gap-seen', `gap on both lines: channel ${e.channelId}, ${e.range.from}–${e.range.to}`);
      b.reopen('gap-recovered', 'gap-closed', `new gap: channel ${e.channelId}, ${e.range.from}–${e.range.to}`);
      b.log('gap-recovered', 'gap-closed', `waiting for channel ${e.channelId} ${e.range.from}–${e.range.to}`);
      ctx.evidence(f.service, this.#site, this.identity, 'gap', { channel: e.channelId, from: e.range.from, to: e.range.to });
      ctx.progressed();
    });
    handler.on('recovered', (e: RecoveredEvent) => {
      this.#closeGaps(e.channelId, e.range.from, e.range.to, e.via);
      ctx.evidence(f.service, this.#site, this.identity, 'gap-recovered', { channel: e.channelId, from: e.range.from, to: e.range.to, via: e.via, ms: e.ms });
      ctx.progressed();
    });
    handler.on('refresh-complete', (e: RefreshCompleteEvent) => this.#onRefresh(e));
    handler.on('dr', (e: DrEvent) => this.#onDr(e));
    handler.on('rts-logon', (e: { endpoint: { host: string; port: number; site: Site }; status: unknown }) => {
      ctx.evidence(f.service, e.endpoint.site, this.identity, 'logon', { rts: `${e.endpoint.host}:${e.endpoint.port}`, status: e.status });
    });
  }

  /** Joins both lines of every channel. */
  start(): Promise<void> {
    return this.handler.start();
  }

  siteLost(): void {
    this.book.log('dr-followed', 'dr-1', 'venue: primary site lost (conductor)');
  }

  failBack(): void {
    this.book.log('return-to-primary', 'fail-back', 'venue: fail back to the primary site (conductor)');
  }

  progress(): ServiceProgress {
    return serviceProgress(this.book, this.#phaseText(), this.timing.recoveryMs);
  }

  report(): ServiceReport {
    return {
      service: this.service,
      identity: this.identity,
      result: this.book.overall(),
      recoveryMs: this.timing.recoveryMs,
      cases: structuredClone(this.book.cases),
    };
  }

  async stop(): Promise<void> {
    this.#recoveryTimer?.cancel();
    await this.handler.stop();
  }

  #closeGaps(channelId: number, from: number, to: number, via: string): void {
    for (const [k, g] of this.#openGaps) {
      if (g.channelId === channelId && g.from >= from && g.to <= to) {
        this.#openGaps.delete(k);
        this.book.log('gap-recovered', 'gap-closed', `channel ${channelId} ${g.from}–${g.to} recovered by ${via}`);
      }
    }
    this.#gapsAllClosed();
  }

  /** Passed while no gap is open; a new gap reopens the step (cases.ts reopen). */
  #gapsAllClosed(): void {
    if (this.#gapsSeen === 0 || this.#openGaps.size > 0) return;
    const c = this.handler.counters;
    this.book.pass(
      'gap-recovered',
      'gap-closed',
      `all ${this.#gapsSeen} gap(s) recovered so far (${c.recoveredByRts} by retransmission, ${c.recoveredByRefresh} by refresh)`,
    );
  }

  #onRefresh(e: RefreshCompleteEvent): void {
    const b = this.book;
    this.#ctx.evidence(this.service, this.#site, this.identity, 'refresh-used', {
      channel: e.channelId,
      reason: e.reason,
      lastSeqNum: e.lastSeqNum,
      messages: e.messages,
      ms: e.ms,
    });
    // A refresh snapshot at LastSeqNum supersedes every gap at or below it on that channel (OMD-C 4.4).
    for (const [k, g] of this.#openGaps) {
      if (g.channelId === e.channelId && g.to <= e.lastSeqNum) {
        this.#openGaps.delete(k);
        b.log('gap-recovered', 'gap-closed', `channel ${e.channelId} ${g.from}–${g.to} superseded by the ${e.reason} refresh at ${e.lastSeqNum}`);
      }
    }
    this.#gapsAllClosed();
    const channels = this.#cfg.channels.length;
    if (this.#drCycle === 0) {
      this.#startupRefreshed.add(e.channelId);
      b.log('feed-joined-primary', 'books-built', `channel ${e.channelId}: ${e.reason} refresh at ${e.lastSeqNum} (${e.messages} messages)`);
      if (this.#startupRefreshed.size === channels) b.pass('feed-joined-primary', 'books-built', `books built from refresh on all ${channels} channel(s)`);
    } else if (!this.#ctx.faults.ignoreDisasterRecovery && this.#dr1At > 0) {
      this.#refreshedAfterDr.add(e.channelId);
      const caseId: CaseId = this.#drCycle === 1 ? 'book-rebuilt' : 'return-to-primary';
      const step = this.#drCycle === 1 ? 'refreshed' : 'dr-completed';
      b.log(caseId, step, `channel ${e.channelId}: ${e.reason} refresh at ${e.lastSeqNum} (${e.messages} messages)`);
      if (this.#refreshedAfterDr.size === channels && this.handler.drState === 'DR_COMPLETED') this.#rebuilt();
    }
    this.#ctx.progressed();
  }

  /** Every channel refreshed after DR signal 2: recovered; then ask the books digest question. */
  #rebuilt(): void {
    const b = this.book;
    this.#cycleRebuilt = true;
    if (this.#drCycle === 1) {
      if (b.isDone('book-rebuilt', 'refreshed')) return;
      b.pass(
        'book-rebuilt',
        'refreshed',
        `books cleared on DR signal 1 and rebuilt from the backup site's refresh on all ${this.#cfg.channels.length} channel(s)`,
      );
      if (this.timing.lossNoticedAt !== null && this.timing.recoveredAt === null) {
        this.timing.recoveredAt = this.#ctx.clock.now();
        this.timing.recoveryMs = this.timing.recoveredAt - this.timing.lossNoticedAt;
        this.#recoveryTimer?.cancel();
        this.#recoveryTimer = null;
      }
      this.#ctx.evidence(this.service, 'backup', this.identity, 'failover-followed', {
        ms: this.timing.recoveryMs,
        channels: this.#cfg.channels.map((c) => c.channelId),
      });
      this.#ctx.trackCheck(this.#checkDigest());
    } else if (this.#drCycle >= 2 && !b.isDone('return-to-primary', 'dr-completed')) {
      b.pass('return-to-primary', 'dr-completed', `DR completed at the primary site and books rebuilt on all ${this.#cfg.channels.length} channel(s)`);
      this.timing.returnedToPrimaryAt = this.#ctx.clock.now();
    }
  }

  /** Question: the books digest of every channel, equal to the active site's? */
  async #checkDigest(): Promise<void> {
    const b = this.book;
    const hook = this.#ctx.options.venueDigest;
    if (!hook) {
      b.skip('book-rebuilt', 'digest', "the venue's books digest is not available to this probe");
      return;
    }
    const products = new Map<number, OmdProduct>(this.#cfg.channels.map((c) => [c.channelId, c.product]));
    const equal = new Map<number, string>();
    const last = new Map<number, { ours: string; venue: string | undefined }>();
    await this.#ctx.waitUntil(() => {
      for (const [ch, product] of products) {
        if (equal.has(ch)) continue;
        const ours = this.handler.image(ch).digest(product);
        const venue = hook(this.service, ch);
        last.set(ch, { ours, venue });
        if (venue !== undefined && ours === venue && !this.handler.status(ch).stale) equal.set(ch, ours);
      }
      return equal.size === products.size;
    }, this.#ctx.verifyTimeoutMs);
    const answer = [...products.keys()].map((ch) => `${ch}:${(equal.get(ch) ?? last.get(ch)?.ours ?? '').slice(0, 12)}`).join(' ');
    if (equal.size === products.size) {
      b.pass('book-rebuilt', 'digest', `books digest equal to the venue's on every channel`, answer);
      this.#ctx.evidence(this.service, this.#site, this.identity, 'book-verified', { equal: true, digests: Object.fromEntries(equal) });
    } else {
      const diff = [...products.keys()]
        .filter((ch) => !equal.has(ch))
        .map((ch) => `channel ${ch}: ${last.get(ch)?.ours.slice(0, 12)}… ≠ venue ${last.get(ch)?.venue?.slice(0, 12) ?? 'unknown'}…`);
      b.fail('book-rebuilt', 'digest', `books differ from the venue's after ${this.#ctx.verifyTimeoutMs} ms: ${diff.join('; ')}`, answer);
      this.#ctx.evidence(this.service, this.#site, this.identity, 'book-verified', { equal: false, differ: diff });
    }
    this.#ctx.progressed();
  }

  #onDr(e: DrEvent): void {
    const b = this.book;
    const now = this.#ctx.clock.now();
    const transition = e.status !== this.#lastDrStatus;
    this.#lastDrStatus = e.status;
    if (!transition) return; // DR signals repeat at the heartbeat cadence (OMD-C 3.4.3)
    // DR 1 comes as the active site is lost; DR 2 from the site taking over (the other one).
    const drSite: Site = e.status === 2 ? (this.#drCycle <= 1 ? 'backup' : 'primary') : this.#site;
    this.#ctx.evidence(this.service, drSite, this.identity, 'dr-signal', { status: e.status, state: e.state, ignored: e.ignored });
    if (e.status === 1) {
      this.#dr1At = now;
      this.#refreshedAfterDr.clear();
      // A DR signal 1 before the books of the current cycle were rebuilt belongs to the same
      // failover (the old site's repeats can cross the new site's DR 2); after the rebuild it
      // starts the next one (the fail back). A handler that ignores DR has no rebuild to wait for.
      if (this.#drCycle > 0 && !this.#cycleRebuilt && !e.ignored) {
        this.#drCycle === 1
          ? b.log('dr-followed', 'dr-completed', 'DR signal 1 again before the books were rebuilt')
          : b.log('return-to-primary', 'dr-completed', 'DR signal 1 again before the books were rebuilt');
        return;
      }
      this.#drCycle++;
      this.#cycleRebuilt = false;
      if (this.#drCycle === 1) {
        this.timing.lossNoticedAt = now;
        this.#recoveryTimer = this.#ctx.clock.setTimeout(() => this.#recoveryTimedOut(), this.#ctx.recoveryTimeoutMs);
        b.pass('dr-followed', 'dr-1', 'DR signal 1 received: disaster recovery in progress');
        if (e.ignored) {
          b.fail('dr-followed', 'cache-cleared', 'DR signal 1 ignored: cached market data kept');
          b.fail('book-rebuilt', 'refreshed', "books not cleared on DR signal 1: the primary site's books kept (stale book)");
          this.#ctx.evidence(this.service, this.#site, this.identity, 'failover-failed', { case: 'dr-followed', reason: 'DR signal ignored, stale book kept' });
        } else {
          b.pass('dr-followed', 'cache-cleared', `cached market data cleared, ${this.#cfg.channels.length} channel(s) stale until the backup's refresh`);
        }
      } else {
        b.pass('return-to-primary', 'fail-back', 'DR signal 1 received again: services returning to the primary site');
      }
      return;
    }
    if (e.status === 2) {
      this.#dr2At = now;
      this.#messagesAtDr2 = this.handler.counters.messages;
      if (this.#drCycle <= 1) {
        this.#site = 'backup';
        b.pass('dr-followed', 'dr-2', 'DR signal 2 received: the backup site is active');
        if (e.ignored) b.fail('dr-followed', 'dr-completed', 'DR signal 2 ignored');
        else b.pass('dr-followed', 'dr-completed', 'disaster recovery completed; refreshing from the backup site');
      } else {
        this.#site = 'primary';
        if (e.ignored) b.fail('return-to-primary', 'dr-completed', 'DR signal 2 ignored at the return to the primary site');
      }
      if (!e.ignored && this.#refreshedAfterDr.size === this.#cfg.channels.length) this.#rebuilt();
    }
  }

  #recoveryTimedOut(): void {
    this.#recoveryTimer = null;
    const b = this.book;
    const secs = `${(this.#ctx.recoveryTimeoutMs / 1000).toFixed(1)} s`;
    if (!b.isDone('dr-followed', 'dr-2')) b.fail('dr-followed', 'dr-2', `no DR signal 2 within ${secs} of DR signal 1`);
    if (!b.isDone('book-rebuilt', 'refreshed'))
      b.fail(
        'book-rebuilt',
        'refreshed',
        `books not rebuilt within ${secs}: ${this.#refreshedAfterDr.size} of ${this.#cfg.channels.length} channel(s) refreshed`,
      );
    this.#ctx.progressed();
  }

  /**
   * The MAIN market's Trading Session Status in the books now: of the channels that carry one, the
   * latest to start (a channel not yet refreshed may hold an older one); null before one came or
   * while the books are cleared.
   */
  marketSession(): MarketSessionSeen | null {
    const now = this.#currentSession();
    // Whoever looks (the ticker, a trading run waiting for continuous trading) sees the same change.
    this.#watchPhase(now);
    return now;
  }

  #currentSession(): MarketSessionSeen | null {
    let latest: TradingSessionStatus | undefined;
    for (const c of this.#cfg.channels) {
      const s = this.handler.image(c.channelId).tradingSessions.get('MAIN');
      if (s !== undefined && (latest === undefined || s.startDateTime > latest.startDateTime)) latest = s;
    }
    return latest === undefined ? null : { subId: latest.tradingSessionSubId, status: latest.tradingSesStatus };
  }

  /** A new Trading Session Status since the last look: the books are checked after it (the first one seen is where the run started). */
  #watchPhase(now: MarketSessionSeen | null): void {
    if (now === null) return;
    const key = `${now.status}/${now.subId}`;
    const previous = this.#sessionKey;
    if (previous === key) return;
    this.#sessionKey = key;
    if (previous === null) return;
    const n = ++this.#phaseChanges;
    const b = this.book;
    const what = `Trading Session Status ${previous} → ${key} (status/sub-ID)`;
    b.pass('books-across-phases', 'phase-change', `first phase change seen: ${what}`);
    if (n > 1) b.log('books-across-phases', 'phase-change', what);
    b.reopen('books-across-phases', 'books-right', `phase change: ${what}`);
    b.log('books-across-phases', 'books-right', `checking the books after ${what}`);
    this.#phaseChecks = this.#phaseChecks.then(() => this.#checkAcrossPhase(n, key));
    this.#ctx.trackCheck(this.#phaseChecks);
  }

  /**
   * Question after phase change `n`: the books digest of every channel equal to the venue's, or
   * without the venue's digest every channel live with no gap open. A failover under way first
   * gets its recovery time; a later change supersedes this check.
   */
  async #checkAcrossPhase(n: number, key: string): Promise<void> {
    const b = this.book;
    if (n < this.#phaseChanges || b.isDone('books-across-phases', 'books-right')) return;
    const hook = this.#ctx.options.venueDigest;
    const products = new Map<number, OmdProduct>(this.#cfg.channels.map((c) => [c.channelId, c.product]));
    const last = new Map<number, string>();
    const right = (ch: number): boolean => {
      const st = this.handler.status(ch);
      if (st.stale || st.pendingGaps > 0) {
        last.set(ch, st.stale ? 'stale' : `${st.pendingGaps} gap(s) open`);
        return false;
      }
      if (!hook) return true;
      const ours = this.handler.image(ch).digest(products.get(ch));
      const venue = hook(this.service, ch);
      last.set(ch, `${ours.slice(0, 12)}… ≠ venue ${venue?.slice(0, 12) ?? 'unknown'}…`);
      return venue !== undefined && ours === venue;
    };
    const wait = this.#ctx.verifyTimeoutMs + (this.handler.drState === 'DR_IN_PROGRESS' ? this.#ctx.recoveryTimeoutMs : 0);
    const ok = await this.#ctx.waitUntil(() => n < this.#phaseChanges || [...products.keys()].every(right), wait);
    if (n < this.#phaseChanges) return; // the next change's check answers for both
    const how = hook ? "books digest equal to the venue's" : 'every channel live with no gap open';
    if (ok) b.pass('books-across-phases', 'books-right', `${how} on all ${products.size} channel(s) after ${n} phase change(s), the last to ${key}`);
    else {
      const bad = [...products.keys()].filter((ch) => !right(ch)).map((ch) => `channel ${ch}: ${last.get(ch) ?? '?'}`);
      b.fail('books-across-phases', 'books-right', `${wait} ms after the change to ${key}: ${bad.join('; ')}`);
    }
    this.#ctx.progressed();
  }

  /** A periodic look: lines joined, data from the backup, every channel live, phase changes. */
  tick(): void {
    const b = this.book;
    const h = this.handler;
    this.marketSession();
    if (!b.isDone('feed-joined-primary', 'lines-joined') && h.lines.A > 0 && h.lines.B > 0 && this.#drCycle === 0) {
      b.pass('feed-joined-primary', 'lines-joined', `line A: ${h.lines.A} packets, line B: ${h.lines.B} packets`);
      this.#ctx.evidence(this.service, 'primary', this.identity, 'feed-joined', {
        lines: ['A', 'B'],
        packetsA: h.lines.A,
        packetsB: h.lines.B,
        channels: this.#cfg.channels.map((c) => c.channelId),
      });
    }
    if (this.#dr2At > 0) {
      const n = h.counters.messages - this.#messagesAtDr2;
      const caseId: CaseId = this.#drCycle <= 1 ? 'data-from-backup' : 'return-to-primary';
      if (n > 0 && !b.isDone(caseId, 'realtime')) {
        b.pass(caseId, 'realtime', `${n} real-time message(s) applied from the ${this.#site} site since DR signal 2`);
        const lines = (['A', 'B'] as const).filter((l) => h.lines[l] > 0);
        this.#ctx.evidence(this.service, this.#site, this.identity, 'feed-joined', { lines, afterDr: true, messages: n });
      }
      if (caseId === 'data-from-backup' && b.isDone(caseId, 'realtime') && !b.isDone(caseId, 'live') && h.synchronised) {
        b.pass(caseId, 'live', `every channel live: ${this.#cfg.channels.map((c) => `${c.channelId}@${h.status(c.channelId).expected}`).join(' ')}`);
      }
    }
  }

  /** Closes the open steps: not tested when the venue never did what they need, failed otherwise. */
  closeCases(): void {
    const b = this.book;
    b.close((c, s) => {
      if (c.id === 'gap-recovered') {
        if (this.#gapsSeen === 0) return { skip: 'no gap on both lines occurred during the run' };
        if (s.id === 'gap-closed') {
          return {
            fail: `${this.#openGaps.size} gap(s) never recovered: ${[...this.#openGaps.values()]
              .slice(0, 3)
              .map((g) => `channel ${g.channelId} ${g.from}–${g.to}`)
              .join(', ')}`,
          };
        }
      }
      if (this.#drCycle === 0 && ['dr-followed', 'book-rebuilt', 'data-from-backup'].includes(c.id))
        return { skip: 'no DR signal: the venue did not fail over during the run' };
      if (c.id === 'return-to-primary' && !b.isDone(c.id, 'fail-back')) return { skip: 'no fail back during the run' };
      if (c.id === 'books-across-phases' && this.#phaseChanges === 0)
        return { skip: 'no market phase change (Trading Session Status) on the feed during the run' };
      return { fail: `not observed before the end of the run (${this.#phaseText()})` };
    });
  }

  #phaseText(): string {
    const h = this.handler;
    const state = h.synchronised ? 'in sync' : 'synchronising';
    return `${this.#site} site, ${h.drState === 'NORMAL' ? '' : h.drState + ', '}${state}, ${h.counters.messages} msgs, ${h.counters.gapsSeen} gaps`;
  }
}
