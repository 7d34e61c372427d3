// One trading identity of the probe (OTP-C or OTP-CSC): its OCG-C trading session and, when the
// subscriber has one, its drop copy session, both through the lookup service. Follows the
// rundown's trading side: logon at the primary, resting test orders cancelled at once, the loss
// noticed, the backup reached through the lookup service with the sequence numbers continued,
// the drop copy complete, and the return to the primary. Each observation is a step of a case.
import {
  ExecType,
  OcgClient,
  OcgClientClosedError,
  OcgRequestRejectedError,
  Side,
  type ExecutionReport,
  type OcgClientEvent,
  type OcgClientFaults,
  type OcgService,
} from '../ocg/index.ts';
import { FIX_SKIPPED_STEPS, FIX_SKIP_REASON, FixProbeClient } from './fix-run.ts';
import { MAINLAND_SPREAD_TABLE, SPREAD_TABLE_PART_A, moveTicks, roundDownToTick, type SpreadTable } from '../omd/index.ts';
import type { TimerHandle } from '../wire/index.ts';
import type { Site } from '../evidence/index.ts';
import { CaseBook, type CaseId } from './cases.ts';
import type { ProbeSecurity, ProbeTradingIdentity, SubscriberProbeConfig } from './config.ts';
import { serviceProgress } from './progress.ts';
import {
  CONTINUOUS_TRADING_STATUS,
  type IdentityTiming,
  type MarketSessionSeen,
  type ProbeContext,
  type ServiceProgress,
  type ServiceReport,
} from './types.ts';

type TradingPhase = 'connecting' | 'primary' | 'lost' | 'backup' | 'lost-backup' | 'returned';

/** One OCG-C session of the identity (trading or drop copy) and what the probe saw of it. */
interface Session {
  client: OcgClient | FixProbeClient;
  compId: string;
  role: 'trading' | 'drop-copy';
  phase: TradingPhase;
  /** The next sequence number to send when the loss was noticed (a continuing logon uses it or higher). */
  nextToSendAtLoss: number;
  lookupsAfterLoss: number;
  connectFailuresAfterLoss: number;
  openGaps: Map<string, { from: number; to: number }>;
  execIds: Set<string>;
}

/** Submitting BCAN Field of the probe's orders (§5.1 format: 6-character CE number '.' BCAN) unless configured. */
const DEFAULT_PROBE_BCAN = 'ABC123.2568';

/** How long test orders wait for continuous trading by default: a whole pre-opening (30 minutes) and some. */
const CONTINUOUS_WAIT_MS = 40 * 60_000;
/** Between tries of a request the venue refused for its phase, when the feed does not say when trading resumes. */
const PHASE_RETRY_MS = 1_000;

/**
 * A refusal because of the market's phase rather than the order itself. OCG-C has no phase reject
 * code (99 Other with a text), so this reads the text: our venue's (src/venue/matching-engine.ts)
 * and the words a venue would use [ours].
 */
export function isPhaseRefusal(text: string | undefined): boolean {
  return /\b(no (order input|cancell?ation|amendment) in|not accepted in|pre-opening|closing auction|halted|not yet open|reference price not available|VCM)\b/i.test(
    text ?? '',
  );
}

function p3ToText(p3: number): string {
  return (p3 / 1000).toFixed(3);
}

export class TradingRun {
  readonly service: OcgService;
  readonly protocol: 'FIX' | undefined;
  readonly book: CaseBook;
  readonly #trading: Session;
  readonly #dropCopy: Session | null;
  readonly timing: IdentityTiming;
  readonly #ctx: ProbeContext;
  readonly #security: ProbeSecurity | undefined;
  readonly #tradedAt = new Set<'primary' | 'backup'>();
  #recoveryTimer: TimerHandle | null = null;
  /** Client Order IDs of the probe's own test orders and cancels. */
  readonly #testOrderIds = new Set<string>();
  /** The first acknowledgement after the failover, when it answers a test order (merged into its evidence). */
  #firstAck: { clientOrderId: string; detail: Record<string, unknown> } | null = null;

  constructor(ctx: ProbeContext, config: SubscriberProbeConfig, t: ProbeTradingIdentity, dc: ProbeTradingIdentity | undefined) {
    this.#ctx = ctx;
    this.service = t.service;
    this.protocol = t.protocol;
    this.book = new CaseBook(t.service, t.compId, () => ctx.clock.now());
    this.#trading = this.#session(config, t);
    this.#dropCopy = dc ? this.#session(config, dc) : null;
    this.#security = t.securities[0];
    this.timing = {
      service: t.service,
      identity: t.compId,
      lossNoticedAt: null,
      recoveredAt: null,
      recoveryMs: null,
      firstAckAfterFailoverMs: null,
      returnedToPrimaryAt: null,
    };
    if (!dc) {
      const why = `no drop copy identity configured for ${t.service}`;
      for (const [c, s] of [
        ['connect-primary', 'logon-drop-copy'],
        ['reconnect-backup-via-lookup', 'relookup-drop-copy'],
        ['sequence-continuity', 'logon-backup-drop-copy'],
        ['drop-copy-recovered', 'copies-complete'],
        ['return-to-primary', 'logon-primary-drop-copy'],
      ] as const)
        this.book.skip(c, s, why);
    }
    if (t.protocol === 'FIX') for (const [c, s] of FIX_SKIPPED_STEPS) this.book.skip(c, s, FIX_SKIP_REASON);
    this.#wireSession(this.#trading);
    if (this.#dropCopy) this.#wireSession(this.#dropCopy);
  }

  /** Starts both sessions (lookup → logon at the primary); progress comes through the events. */
  start(): void {
    for (const s of this.#sessions()) this.#ctx.track(s.client.start().catch(() => {}));
  }

  siteLost(): void {
    this.book.log('reconnect-backup-via-lookup', 'primary-lost', 'venue: primary site lost (conductor)');
  }

  failBack(): void {
    this.book.log('return-to-primary', 'fail-back', 'venue: fail back to the primary site (conductor)');
  }

  /** Trades the test orders now, at the site the trading session is logged on to. */
  tradeTestOrders(): Promise<void> {
    return this.#tradeAt(this.#trading.phase === 'backup' ? 'backup' : 'primary');
  }

  /** The client of one of the identity's Comp IDs. */
  client(compId: string): OcgClient | FixProbeClient | undefined {
    return this.#sessions().find((s) => s.compId === compId)?.client;
  }

  progress(): ServiceProgress {
    return serviceProgress(this.book, this.#phaseText(), this.timing.recoveryMs);
  }

  report(): ServiceReport {
    return {
      service: this.service,
      ...(this.protocol ? { protocol: this.protocol } : {}),
      identity: this.#trading.compId,
      ...(this.#dropCopy ? { dropCopy: this.#dropCopy.compId } : {}),
      result: this.book.overall(),
      recoveryMs: this.timing.recoveryMs,
      cases: structuredClone(this.book.cases),
    };
  }

  /** Closes the open steps: not tested when the venue never did what they need, failed otherwise. */
  closeCases(): void {
    const run = this;
    this.book.close((c, s) => {
      const never = (why: string) => ({ skip: why });
      if (c.id === 'reconnect-backup-via-lookup' && !run.book.isDone(c.id, 'primary-lost')) return never('the primary site was not lost during the run');
      if (c.id === 'return-to-primary' && !run.book.isDone(c.id, 'fail-back')) return never('no fail back during the run');
      if (
        c.id === 'drop-copy-recovered' &&
        s.id === 'copies-complete' &&
        run.#dropCopy !== null &&
        run.book.isDone('order-cancel-backup', 'cancels-acked') === false
      ) {
        // No trading at the backup (autoTrade off): still compare what the drop copy holds.
        const dc = run.#dropCopy;
        const missing = [...run.#trading.execIds].filter((id) => !dc.execIds.has(id));
        if (run.#trading.phase === 'connecting' || run.#trading.execIds.size === 0) return never('no Execution Report to compare');
        if (missing.length) return { fail: `drop copy ${dc.compId} misses ${missing.length} Execution Report(s)` };
        run.book.pass(
          c.id,
          s.id,
          `drop copy ${dc.compId} holds all ${run.#trading.execIds.size} Execution Reports`,
          `${run.#trading.execIds.size} of ${run.#trading.execIds.size}`,
        );
        return never('passed at the close'); // no-op: the step has just passed
      }
      if (c.id === 'sequence-continuity' && s.id === 'gaps-recovered') {
        const open = [run.#trading, run.#dropCopy].flatMap((x) => (x ? [...x.openGaps.values()] : []));
        return open.length ? { fail: `${open.length} gap(s) never recovered` } : never('no gap checked');
      }
      return { fail: `not observed before the end of the run (session ${this.#phaseText()})` };
    });
  }

  /** Logs both sessions out, each within 3 s (a venue that no longer answers must not hold the probe for the 60 s logout wait). */
  async stop(): Promise<void> {
    this.#recoveryTimer?.cancel();
    const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 3_000).unref())]);
    await Promise.all(this.#sessions().map((s) => bounded(s.client.close('probe finished'))));
  }

  #sessions(): Session[] {
    return this.#dropCopy ? [this.#trading, this.#dropCopy] : [this.#trading];
  }

  #session(config: SubscriberProbeConfig, t: ProbeTradingIdentity): Session {
    return {
      client: this.#client(config, t),
      compId: t.compId,
      role: t.role,
      phase: 'connecting',
      nextToSendAtLoss: 0,
      lookupsAfterLoss: 0,
      connectFailuresAfterLoss: 0,
      openGaps: new Map(),
      execIds: new Set(),
    };
  }

  /** The identity's client: OCG-C binary through the lookup service, or FIX at the fixed addresses. */
  #client(config: SubscriberProbeConfig, t: ProbeTradingIdentity): OcgClient | FixProbeClient {
    const o = this.#ctx.options;
    const faults: OcgClientFaults = {};
    if (this.#ctx.faults.neverRelookup) faults.neverRelookup = true;
    if (this.#ctx.faults.resetSequenceOnReconnect) faults.resetSequenceOnReconnect = true;
    if (t.protocol === 'FIX') {
      return new FixProbeClient({
        compId: t.compId,
        password: config.password,
        publicKeyPem: config.publicKeyPem,
        brokerId: config.brokerId,
        addresses: t.addresses ?? [],
        localAddress: config.localAddress,
        clock: this.#ctx.clock,
        ...(faults.resetSequenceOnReconnect === true ? { faults: { resetSequenceOnReconnect: true } } : {}),
        ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}),
      });
    }
    return new OcgClient({
      compId: t.compId,
      password: config.password,
      publicKeyPem: config.publicKeyPem,
      lookup: t.lookup,
      brokerId: config.brokerId,
      bcan: o.bcan ?? DEFAULT_PROBE_BCAN,
      service: t.service,
      clock: this.#ctx.clock,
      faults,
      localAddress: config.localAddress,
      ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}),
      ...(o.ocgTiming ? { timing: o.ocgTiming } : {}),
    });
  }

  // -------------------------------------------------------------------------------------------
  // What the sessions report

  #wireSession(s: Session): void {
    s.client.on('event', (e: OcgClientEvent) => {
      const d = e.detail;
      const site = (d['site'] as Site | undefined) ?? s.client.site ?? 'primary';
      switch (e.kind) {
        case 'lookup-answered':
          this.#onLookupAnswered(s, site, d);
          break;
        case 'lookup-failed':
          this.#onLookupFailed(s, d);
          break;
        case 'connected':
          this.#onConnected(s, site, d);
          break;
        case 'connect-failed':
          this.#onConnectFailed(s, d);
          break;
        case 'logon-accepted':
          this.#onLogon(s, site, d);
          break;
        case 'logon-rejected':
          this.#onLogonRejected(s, site, d);
          break;
        case 'gap-detected':
          this.#onGap(s, site, d);
          break;
        case 'gap-recovered':
          this.#onGapRecovered(s, site, d);
          break;
        case 'disconnected':
          if (d['byClient'] !== true) this.#onLoss(s, site, String(d['reason']));
          break;
        case 'failover-followed':
          this.#ctx.evidence(this.service, site, s.compId, 'failover-followed', {
            from: d['from'],
            to: d['to'],
            fromSite: d['fromSite'],
            toSite: d['toSite'],
            ms: d['ms'],
          });
          break;
        case 'first-ack-after-failover':
          this.#onFirstAck(s, site, d);
          break;
        default:
          break;
      }
      this.#ctx.progressed();
    });
    s.client.on('execution-report', (er: ExecutionReport) => {
      if (er.executionId) s.execIds.add(er.executionId);
    });
    s.client.on('stopped', (e: { reason: string }) => {
      if (this.#ctx.closing) return;
      const step = s.phase === 'connecting' ? (s.role === 'drop-copy' ? 'logon-drop-copy' : 'logon-trading') : null;
      if (step) this.book.fail('connect-primary', step, `the session gave up: ${e.reason}`);
    });
  }

  #onLookupAnswered(s: Session, site: Site, d: Record<string, unknown>): void {
    const b = this.book;
    const dc = s.role === 'drop-copy';
    if (s.phase === 'connecting' && site === 'primary' && !dc)
      b.pass('connect-primary', 'lookup-primary', `${String(d['endpointName'])} answered: gateways ${String(d['primary'])} / ${String(d['secondary'])}`);
    if (s.phase === 'lost' || s.phase === 'lost-backup') s.lookupsAfterLoss++;
    if (s.phase === 'lost') {
      const step = dc ? 'relookup-drop-copy' : 'relookup-trading';
      if (site === 'backup') {
        if (dc) b.log('reconnect-backup-via-lookup', step, `${String(d['endpointName'])} answered after the loss: ${String(d['primary'])}`);
        else
          b.pass(
            'reconnect-backup-via-lookup',
            step,
            `${String(d['endpointName'])} (backup site) answered after the loss: gateways ${String(d['primary'])} / ${String(d['secondary'])}`,
          );
      } else b.log('reconnect-backup-via-lookup', step, `${String(d['endpointName'])} (primary site) answered after the loss`);
    }
    this.#ctx.evidence(this.service, site, s.compId, 'lookup', {
      endpoint: d['endpoint'],
      endpointName: d['endpointName'],
      gateways: [d['primary'], d['secondary']],
      attempts: d['attempts'],
    });
  }

  #onLookupFailed(s: Session, d: Record<string, unknown>): void {
    if (s.phase === 'lost' || s.phase === 'lost-backup') s.lookupsAfterLoss++;
    if (s.phase === 'lost')
      this.book.log(
        'reconnect-backup-via-lookup',
        s.role === 'drop-copy' ? 'relookup-drop-copy' : 'relookup-trading',
        `lookup ${String(d['endpointName'])} failed: ${String(d['reason'])}`,
      );
  }

  #onConnected(s: Session, site: Site, d: Record<string, unknown>): void {
    if (s.phase !== 'lost' || site !== 'backup') return;
    if (s.role === 'drop-copy') this.book.pass('reconnect-backup-via-lookup', 'relookup-drop-copy', `connected to the backup gateway ${String(d['gateway'])}`);
    else
      this.book.pass(
        'reconnect-backup-via-lookup',
        'connect-backup-trading',
        `connected to the backup gateway ${String(d['gateway'])} (${String(d['which'])})`,
      );
  }

  #onConnectFailed(s: Session, d: Record<string, unknown>): void {
    if (s.phase !== 'lost') return;
    s.connectFailuresAfterLoss++;
    this.book.log(
      'reconnect-backup-via-lookup',
      s.role === 'drop-copy' ? 'relookup-drop-copy' : 'connect-backup-trading',
      `connection to ${String(d['gateway'])} (${String(d['site'])}) failed: ${String(d['reason'])}`,
    );
  }

  #onLogon(s: Session, site: Site, d: Record<string, unknown>): void {
    const b = this.book;
    const dc = s.role === 'drop-copy';
    const seq = Number(d['seqNum']);
    this.#ctx.evidence(this.service, site, s.compId, 'logon', {
      gateway: d['gateway'],
      seqNum: seq,
      nextExpected: d['nextExpected'],
      ourNextExpected: d['ourNextExpected'],
    });
    if (site === 'primary' && (s.phase === 'connecting' || s.phase === 'lost')) {
      if (s.phase === 'lost')
        b.log('reconnect-backup-via-lookup', 'primary-lost', `logged on at the primary site again (${String(d['gateway'])}): the primary came back`);
      const first = s.phase === 'connecting';
      s.phase = 'primary';
      if (first) b.pass('connect-primary', dc ? 'logon-drop-copy' : 'logon-trading', `logged on at ${String(d['gateway'])} with sequence ${seq}`);
      if (!dc && this.#autoTrade && first) this.#ctx.track(this.#tradeAt('primary'));
      return;
    }
    if (site === 'backup' && s.phase === 'lost') {
      s.phase = 'backup';
      const step = dc ? 'logon-backup-drop-copy' : 'logon-backup-trading';
      if (s.nextToSendAtLoss > 1 && seq < s.nextToSendAtLoss) {
        b.fail(
          'sequence-continuity',
          step,
          `logon at the backup site with sequence ${seq}: the session reset its numbers, ${s.nextToSendAtLoss} or above expected`,
        );
      } else {
        b.pass(
          'sequence-continuity',
          step,
          `logon accepted at ${String(d['gateway'])} with sequence ${seq} (continuing from ${s.nextToSendAtLoss - 1}); gateway expects ${String(d['nextExpected'])}`,
        );
      }
      const other = dc ? this.#trading : this.#dropCopy;
      if (other === null || other.phase === 'backup') this.#recovered();
      if (!dc && this.#autoTrade) this.#ctx.track(this.#tradeAt('backup'));
      return;
    }
    if (site === 'primary' && (s.phase === 'lost-backup' || s.phase === 'backup')) {
      s.phase = 'returned';
      b.pass(
        'return-to-primary',
        dc ? 'logon-primary-drop-copy' : 'logon-primary-trading',
        `logged on at the primary site again (${String(d['gateway'])}) with sequence ${seq}`,
      );
      if (!dc) this.timing.returnedToPrimaryAt = this.#ctx.clock.now();
      return;
    }
    if (site === 'backup' && s.phase === 'lost-backup') {
      s.phase = 'backup';
      b.log('return-to-primary', 'fail-back', `logged on at the backup site again (${String(d['gateway'])})`);
    }
  }

  #onLogonRejected(s: Session, site: Site, d: Record<string, unknown>): void {
    this.#ctx.evidence(this.service, site, s.compId, 'logon-rejected', { status: d['status'], text: d['text'], gateway: d['gateway'] });
    if (s.phase !== 'lost' || site !== 'backup') return;
    const step = s.role === 'drop-copy' ? 'logon-backup-drop-copy' : 'logon-backup-trading';
    const seq = s.client.journal.nextToSend - 1;
    if (s.nextToSendAtLoss > 1 && seq < s.nextToSendAtLoss) {
      this.book.fail(
        'sequence-continuity',
        step,
        `logon refused at the backup site (status ${String(d['status'])}${d['text'] ? `: ${String(d['text'])}` : ''}): the session logged on with sequence ${seq} (reset), ${s.nextToSendAtLoss} or above expected`,
      );
      this.#ctx.evidence(this.service, site, s.compId, 'failover-failed', {
        case: 'sequence-continuity',
        reason: 'sequence reset on reconnect',
        logonSeq: seq,
        expected: s.nextToSendAtLoss,
      });
    } else this.book.log('sequence-continuity', step, `logon refused at the backup site: status ${String(d['status'])} ${String(d['text'] ?? '')}`);
  }

  #onGap(s: Session, site: Site, d: Record<string, unknown>): void {
    const from = Number(d['expected']),
      to = Number(d['received']) - 1;
    s.openGaps.set(`${from}`, { from, to });
    this.#ctx.evidence(this.service, site, s.compId, 'gap', { from, to, gateway: d['gateway'] });
    if (s.phase === 'backup' || s.phase === 'lost')
      this.book.log('sequence-continuity', 'gaps-recovered', `${s.role === 'drop-copy' ? 'drop copy' : 'trading'}: gap ${from}–${to} detected`);
  }

  #onGapRecovered(s: Session, site: Site, d: Record<string, unknown>): void {
    const from = Number(d['from']),
      to = Number(d['to']);
    for (const [k, g] of s.openGaps) if (g.from >= from && g.from <= to) s.openGaps.delete(k);
    this.#ctx.evidence(this.service, site, s.compId, 'gap-recovered', { from, to, via: 'resend', gateway: d['gateway'] });
    if (s.phase === 'backup' || s.phase === 'lost')
      this.book.log('sequence-continuity', 'gaps-recovered', `${s.role === 'drop-copy' ? 'drop copy' : 'trading'}: gap ${from}–${to} recovered by resend`);
  }

  #onFirstAck(s: Session, site: Site, d: Record<string, unknown>): void {
    if (s.role !== 'drop-copy' && s.phase === 'backup' && this.timing.firstAckAfterFailoverMs === null) this.timing.firstAckAfterFailoverMs = Number(d['ms']);
    const first = { firstAfterFailover: true, msSinceLoss: d['ms'], msSinceLogon: d['sinceLogonMs'] };
    // One evidence event per acknowledgement: a test order's ack carries the mark itself.
    if (this.#testOrderIds.has(String(d['clientOrderId']))) this.#firstAck = { clientOrderId: String(d['clientOrderId']), detail: first };
    else this.#ctx.evidence(this.service, site, s.compId, 'ack', { ...first, clientOrderId: d['clientOrderId'], execType: d['execType'] });
  }

  #onLoss(s: Session, site: Site, reason: string): void {
    const b = this.book;
    this.#ctx.evidence(this.service, site, s.compId, 'disconnect', { reason, noticedBy: 'probe' });
    if (s.phase === 'primary') {
      s.phase = 'lost';
      s.nextToSendAtLoss = s.client.journal.nextToSend;
      s.lookupsAfterLoss = 0;
      s.connectFailuresAfterLoss = 0;
      b.pass('reconnect-backup-via-lookup', 'primary-lost', `${s.role === 'drop-copy' ? 'drop copy' : 'trading'} session lost the primary site: ${reason}`);
      if (this.timing.lossNoticedAt === null) {
        this.timing.lossNoticedAt = this.#ctx.clock.now();
        this.#recoveryTimer = this.#ctx.clock.setTimeout(() => this.#recoveryTimedOut(), this.#ctx.recoveryTimeoutMs);
      }
    } else if (s.phase === 'backup') {
      s.phase = 'lost-backup';
      b.pass('return-to-primary', 'fail-back', `${s.role === 'drop-copy' ? 'drop copy' : 'trading'} session at the backup site ended: ${reason}`);
    }
  }

  #recovered(): void {
    if (this.timing.recoveredAt !== null || this.timing.lossNoticedAt === null) return;
    this.#recoveryTimer?.cancel();
    this.#recoveryTimer = null;
    this.timing.recoveredAt = this.#ctx.clock.now();
    this.timing.recoveryMs = this.timing.recoveredAt - this.timing.lossNoticedAt;
  }

  /** Recovery took too long: the open reconnect and sequence steps fail, with what the session did instead. */
  #recoveryTimedOut(): void {
    this.#recoveryTimer = null;
    const b = this.book;
    const secs = `${(this.#ctx.recoveryTimeoutMs / 1000).toFixed(1)} s`;
    for (const s of this.#sessions()) {
      if (s.phase !== 'lost') continue;
      const dc = s.role === 'drop-copy';
      const who = dc ? 'drop copy' : 'trading';
      const what =
        this.protocol === 'FIX'
          ? `did not reach the backup site's fixed address (${s.connectFailuresAfterLoss} failed connection attempts in ${secs})`
          : s.lookupsAfterLoss === 0
            ? `never asked the lookup service again after the loss: kept dialling the old gateways (${s.connectFailuresAfterLoss} failed connection attempts in ${secs})`
            : `asked the lookup service ${s.lookupsAfterLoss} time(s) after the loss but did not reach the backup site in ${secs}`;
      const relookup = dc ? 'relookup-drop-copy' : 'relookup-trading';
      // FIX trading sessions have no lookup step (skipped, fixed addresses): their first open step is the connection.
      const relookupOpen = !b.isDone('reconnect-backup-via-lookup', relookup) && !(this.protocol === 'FIX' && !dc);
      if (relookupOpen) b.fail('reconnect-backup-via-lookup', relookup, `${who} session ${what}`);
      else if (!dc && !b.isDone('reconnect-backup-via-lookup', 'connect-backup-trading'))
        b.fail('reconnect-backup-via-lookup', 'connect-backup-trading', `trading session did not connect to the backup gateway in ${secs}`);
      else {
        const step = dc ? 'logon-backup-drop-copy' : 'logon-backup-trading';
        b.fail('sequence-continuity', step, `${who} session not logged on at the backup site ${secs} after the loss`);
      }
      this.#ctx.evidence(this.service, 'backup', s.compId, 'failover-failed', {
        afterMs: this.#ctx.recoveryTimeoutMs,
        lookupsAfterLoss: s.lookupsAfterLoss,
        connectFailures: s.connectFailuresAfterLoss,
      });
    }
    this.#ctx.progressed();
  }

  get #autoTrade(): boolean {
    return this.#ctx.options.autoTrade ?? true;
  }

  // -------------------------------------------------------------------------------------------
  // Test orders and the questions after the failover

  /** Resting buy far below and sell far above the market, then cancel both: no test trade, nothing left in the book. */
  async #tradeAt(site: 'primary' | 'backup'): Promise<void> {
    if (this.#tradedAt.has(site) || this.#ctx.closing) return;
    this.#tradedAt.add(site);
    const caseId: CaseId = site === 'primary' ? 'order-cancel-primary' : 'order-cancel-backup';
    const b = this.book;
    const c = this.#trading.client;
    const sec = this.#security;
    if (sec === undefined || !sec.referencePrice) {
      b.fail(caseId, 'buy-acked', `no security with a reference price configured for ${this.service}`);
      return;
    }
    const table: SpreadTable = sec.spreadTable ?? (this.service === 'OTP-CSC' ? MAINLAND_SPREAD_TABLE : SPREAD_TABLE_PART_A);
    // Within the price band (1/9 … 9× the reference) but far from any real market: they rest.
    const low = roundDownToTick(table, Math.floor(sec.referencePrice * 0.6));
    const high = moveTicks(table, roundDownToTick(table, Math.floor(sec.referencePrice * 1.4)), 1);
    const orders: { step: 'buy-acked' | 'sell-acked'; side: number; price: number; id?: string }[] = [
      { step: 'buy-acked', side: Side.Buy, price: low },
      { step: 'sell-acked', side: Side.Sell, price: high },
    ];
    // Test orders rest and cancel only in continuous trading: a logon in the pre-opening waits for it.
    const deadline = this.#ctx.clock.now() + (this.#ctx.options.continuousWaitMs ?? CONTINUOUS_WAIT_MS);
    for (const o of orders) {
      const r = await this.#inContinuous(caseId, o.step, deadline, () => {
        b.log(caseId, o.step, `${o.side === Side.Buy ? 'buy' : 'sell'} ${sec.lotSize} ${sec.securityId} @ ${p3ToText(o.price)} sent`);
        const clientOrderId = c.nextClientOrderId();
        this.#testOrderIds.add(clientOrderId);
        return c.newOrder({ clientOrderId, securityId: sec.securityId, side: o.side, quantity: sec.lotSize, price: p3ToText(o.price) });
      });
      if (r === 'closed') return;
      if (typeof r === 'string') {
        b.fail(caseId, o.step, r);
        return;
      }
      if (r.execType !== ExecType.New) {
        b.fail(caseId, o.step, `answered with Execution Report ${r.execType ?? '?'} (reject code ${String(r.orderRejectCode ?? '-')}: ${r.reason ?? ''})`);
        return;
      }
      o.id = r.clientOrderId;
      b.pass(caseId, o.step, `acknowledged at the ${c.site ?? site} site: order ${r.orderId ?? '?'} (${r.clientOrderId})`);
      this.#ctx.evidence(this.service, c.site ?? site, this.#trading.compId, 'ack', {
        clientOrderId: r.clientOrderId,
        orderId: r.orderId,
        execType: r.execType,
        side: o.side,
        price: p3ToText(o.price),
        test: true,
        ...this.#firstAckMark(r.clientOrderId),
      });
    }
    const cancelled: string[] = [];
    for (const o of orders) {
      const r = await this.#inContinuous(caseId, 'cancels-acked', deadline, () => {
        const cancelId = c.nextClientOrderId();
        this.#testOrderIds.add(cancelId);
        return c.cancel(o.id!, { clientOrderId: cancelId });
      });
      if (r === 'closed') return;
      if (typeof r === 'string') {
        b.fail(caseId, 'cancels-acked', `cancel of ${o.id}: ${r}`);
        return;
      }
      if (r.execType !== ExecType.Cancel) {
        b.fail(caseId, 'cancels-acked', `cancel of ${o.id} answered with Execution Report ${r.execType ?? '?'} (${r.reason ?? ''})`);
        return;
      }
      cancelled.push(o.id!);
      this.#ctx.evidence(this.service, c.site ?? site, this.#trading.compId, 'cancel', {
        clientOrderId: r.clientOrderId,
        originalClientOrderId: o.id,
        execType: r.execType,
        test: true,
        ...this.#firstAckMark(r.clientOrderId),
      });
    }
    b.pass(caseId, 'cancels-acked', `cancelled ${cancelled.join(', ')} at the ${c.site ?? site} site`);
    if (site === 'backup') {
      this.#checkGaps();
      this.#ctx.trackCheck(this.#checkDropCopy());
      // Journaled at the backup, the order is at the primary again after the fail back.
      if (this.#ctx.faults.leaveOrderResting) await this.#leaveResting(site, sec, low);
    }
  }

  /** The leaveOrderResting fault: one more buy far below the market, acknowledged and never cancelled. */
  async #leaveResting(site: 'primary' | 'backup', sec: ProbeSecurity, price: number): Promise<void> {
    const c = this.#trading.client;
    const clientOrderId = c.nextClientOrderId();
    this.#testOrderIds.add(clientOrderId);
    const r = await this.#request(c.newOrder({ clientOrderId, securityId: sec.securityId, side: Side.Buy, quantity: sec.lotSize, price: p3ToText(price) }));
    if (typeof r === 'string' || r.execType !== ExecType.New) return;
    this.#ctx.evidence(this.service, c.site ?? site, this.#trading.compId, 'ack', {
      clientOrderId: r.clientOrderId,
      orderId: r.orderId,
      execType: r.execType,
      side: Side.Buy,
      price: p3ToText(price),
      test: true,
      leftResting: true,
    });
  }

  #firstAckMark(clientOrderId: string | undefined): Record<string, unknown> {
    const f = this.#firstAck;
    if (f === null || f.clientOrderId !== clientOrderId) return {};
    this.#firstAck = null;
    return f.detail;
  }

  /** The securities market's phase on the feed, for OTP-C (the feed carries no China Connect phases). */
  #marketSession(): MarketSessionSeen | null {
    return this.service === 'OTP-C' ? this.#ctx.marketSession() : null;
  }

  /**
   * A test request sent in continuous trading: while the feed shows another phase it waits (until
   * `deadline`), and a refusal for the phase is tried again (a new request each time) until then.
   */
  async #inContinuous(caseId: CaseId, step: string, deadline: number, send: () => Promise<ExecutionReport>): Promise<ExecutionReport | string | 'closed'> {
    const continuous = () => {
      const seen = this.#marketSession();
      return seen === null || seen.status === CONTINUOUS_TRADING_STATUS;
    };
    let refused: string | undefined;
    if (this.service === 'OTP-C' && this.#ctx.marketFeed && this.#marketSession() === null) {
      // Just joined: the feed tells the phase once its books are built from the refresh.
      this.book.log(caseId, step, 'waiting for the feed to show the market phase');
      await this.#ctx.waitUntil(() => this.#marketSession() !== null, this.#ctx.verifyTimeoutMs);
    }
    for (;;) {
      const seen = this.#marketSession();
      if (!continuous() && seen !== null) {
        this.book.log(caseId, step, `market in Trading Session Status ${seen.status}/${seen.subId} (status/sub-ID), not continuous trading: waiting`);
        await this.#ctx.waitUntil(continuous, Math.max(0, deadline - this.#ctx.clock.now()));
      }
      const r = await this.#request(send());
      if (r === 'closed') return r;
      const text = typeof r === 'string' ? r : r.execType === ExecType.Reject || r.execType === ExecType.CancelReject ? r.reason : undefined;
      if (!isPhaseRefusal(text) || this.#ctx.closing || this.#ctx.clock.now() >= deadline) return r;
      // One line per reason, not per try: a long halt would otherwise fill the step's log.
      if (text !== refused) this.book.log(caseId, step, `refused for the market phase (${text ?? ''}): trying again in continuous trading`);
      refused = text;
      // The feed shows continuous trading (or nothing) yet the venue refused: look again a moment later.
      if (continuous()) await this.#ctx.waitUntil(() => this.#ctx.closing, PHASE_RETRY_MS);
    }
  }

  /** A request's answer, or why there is none ('closed' when the probe is finishing). */
  async #request(p: Promise<ExecutionReport>): Promise<ExecutionReport | string | 'closed'> {
    const ms = this.#ctx.verifyTimeoutMs;
    let timer: TimerHandle | null = null;
    const timeout = new Promise<string>((r) => {
      timer = this.#ctx.clock.setTimeout(() => r(`no answer within ${ms} ms`), ms);
    });
    try {
      return await Promise.race([p, timeout]);
    } catch (e) {
      if (e instanceof OcgClientClosedError || this.#ctx.closing) return 'closed';
      if (e instanceof OcgRequestRejectedError) return e.message;
      return (e as Error).message;
    } finally {
      (timer as TimerHandle | null)?.cancel();
    }
  }

  #checkGaps(): void {
    const open = this.#sessions().flatMap((s) => [...s.openGaps.values()].map((g) => `${s.role} ${g.from}–${g.to}`));
    if (open.length) this.book.fail('sequence-continuity', 'gaps-recovered', `gap(s) never recovered: ${open.join(', ')}`);
    else this.book.pass('sequence-continuity', 'gaps-recovered', 'no sequence gap left open');
  }

  /** Question: does the drop copy hold every Execution Report of the trading session? */
  async #checkDropCopy(): Promise<void> {
    const dc = this.#dropCopy;
    if (dc === null) return;
    const trading = this.#trading;
    const missing = () => [...trading.execIds].filter((id) => !dc.execIds.has(id));
    await this.#ctx.waitUntil(() => missing().length === 0, this.#ctx.verifyTimeoutMs);
    const m = missing();
    const answer = `${trading.execIds.size - m.length} of ${trading.execIds.size}`;
    if (m.length === 0)
      this.book.pass(
        'drop-copy-recovered',
        'copies-complete',
        `drop copy ${dc.compId} holds all ${trading.execIds.size} Execution Reports of ${trading.compId}`,
        answer,
      );
    else
      this.book.fail(
        'drop-copy-recovered',
        'copies-complete',
        `drop copy ${dc.compId} misses ${m.length} Execution Report(s): ${m.slice(0, 5).join(', ')}`,
        answer,
      );
    this.#ctx.progressed();
  }

  #phaseText(): string {
    const c = this.#trading.client;
    switch (this.#trading.phase) {
      case 'connecting':
        return `connecting (${c.state})`;
      case 'primary':
        return 'logged on at the primary site';
      case 'lost':
        return `primary lost, ${c.state}`;
      case 'backup':
        return 'logged on at the backup site';
      case 'lost-backup':
        return `backup session ended, ${c.state}`;
      case 'returned':
        return 'back at the primary site';
    }
  }
}
