// The probe's public types (options, faults, report, progress) and what a trading or feed run
// needs from the probe that owns it.
import type { Clock } from '../wire/index.ts';
import type { OcgClientTiming } from '../ocg/index.ts';
import type { FeedHandlerOptions, OmdService } from '../omd/index.ts';
import type { EvidenceEvent, EvidenceKind, Service, Site } from '../evidence/index.ts';
import type { CaseStatus, TestCase } from './cases.ts';
import type { SubscriberProbeConfig } from './config.ts';

/** Deliberately faulty subscriber behaviour (the demo's faulty subscribers need exactly these). */
export interface ProbeFaults {
  /** OCG-C: after the loss keep dialling the old gateway pair, never ask the lookup service again. */
  neverRelookup?: boolean;
  /** OMD: act on no DR signal, keep the old site's (stale) books. */
  ignoreDisasterRecovery?: boolean;
  /** OCG-C: log on with sequence 1 after a loss, as if the session were new. */
  resetSequenceOnReconnect?: boolean;
  /** OCG-C: at the backup, after the test orders, enter one more and leave it in the book (the clean-up check finds it). */
  leaveOrderResting?: boolean;
}

export interface ProbeOptions {
  config: SubscriberProbeConfig;
  clock?: Clock;
  /** OcgClient timeScale: multiplies every OCG-C protocol wait (0.01 = 100× faster rehearsal). Default 1. */
  timeScale?: number;
  /** Explicit OCG-C timer values in ms (after scaling). */
  ocgTiming?: Partial<OcgClientTiming>;
  /** Feed handler tuning (arbitration timeout, RTS timeouts). */
  feed?: Pick<FeedHandlerOptions, 'arbitrationTimeoutMs' | 'rts'>;
  faults?: ProbeFaults;
  /**
   * The active site's books digest of a channel (MarketImage.digest(product)), when the probe runs
   * inside the venue's process or can ask it; without it the digest question is not tested.
   */
  venueDigest?: (service: OmdService, channelId: number) => string | undefined;
  /** Trade the test orders by itself on logon at the primary and at the backup. Default true. */
  autoTrade?: boolean;
  /** After the loss is noticed, how long recovery may take before the open steps fail. Default 120 s. */
  recoveryTimeoutMs?: number;
  /** How long an order, a cancel, the drop copy or the books digest may take to check out. Default 10 s. */
  verifyTimeoutMs?: number;
  /**
   * How long test orders may wait for continuous trading (a logon in the pre-opening or a
   * no-cancellation period) before their step fails. Default 40 minutes: a whole pre-opening.
   */
  continuousWaitMs?: number;
  /** Submitting BCAN Field of the test orders (OCG-C §5.2). Default `<brokerId>.1` style. */
  bcan?: string;
  /** Evidence sink (also emitted as 'evidence'). */
  onEvidence?: (e: EvidenceEvent) => void;
}

/** One service line of the live progress display. */
export interface ServiceProgress {
  service: Service;
  identity: string;
  /** What the identity is doing now, in a few words. */
  phase: string;
  passed: number;
  failed: number;
  pending: number;
  notTested: number;
  total: number;
  recoveryMs: number | null;
}

/** Loss noticed → recovered, per identity (ms of the probe's clock). */
export interface IdentityTiming {
  service: Service;
  identity: string;
  lossNoticedAt: number | null;
  recoveredAt: number | null;
  recoveryMs: number | null;
  /** Trading: first acknowledgement after the failover, from the loss. */
  firstAckAfterFailoverMs: number | null;
  returnedToPrimaryAt: number | null;
}

export interface ServiceReport {
  service: Service;
  /** OTP-C over FIX (src/fix); absent for the binary protocols. */
  protocol?: 'FIX';
  identity: string;
  dropCopy?: string;
  result: CaseStatus;
  recoveryMs: number | null;
  cases: TestCase[];
}

export interface ProbeReport {
  session: string;
  firm: string;
  name: string;
  startedAt: string | null;
  finishedAt: string | null;
  faults: ProbeFaults;
  identities: Array<{ service: Service; identity: string; role: 'trading' | 'drop-copy' | 'market-data' }>;
  /** failed if any case failed; passed if some passed and none failed. */
  result: CaseStatus;
  services: ServiceReport[];
  timings: IdentityTiming[];
  events: EvidenceEvent[];
}

/** What a trading or feed run needs from the probe that owns it. */
export interface ProbeContext {
  readonly clock: Clock;
  readonly options: ProbeOptions;
  readonly faults: ProbeFaults;
  /** After the loss is noticed, how long recovery may take before the open steps fail. */
  readonly recoveryTimeoutMs: number;
  /** How long an order, a cancel, the drop copy or the books digest may take to check out. */
  readonly verifyTimeoutMs: number;
  /** True once the probe is finishing: no new test orders, a closed session is no failure. */
  readonly closing: boolean;
  /** Records one evidence event of an identity. */
  evidence(service: Service, site: Site, identity: string, kind: EvidenceKind, detail: Record<string, unknown>): void;
  /** A step may have moved: tell the listeners. */
  progressed(): void;
  /** Work in the background that finish() waits for. */
  track(p: Promise<unknown>): void;
  /** A verification under way: finish() lets it conclude before closing the open steps. */
  trackCheck(p: Promise<unknown>): void;
  /** Resolves when `pred` holds, polled on the probe's clock, or after `timeoutMs` (then with `pred()`). */
  waitUntil(pred: () => boolean, timeoutMs: number): Promise<boolean>;
  /** The securities market's Trading Session Status on the probe's OMD-C feed now; null without one (no feed, or books being rebuilt). */
  marketSession(): MarketSessionSeen | null;
  /** The probe joins an OMD-C feed, so marketSession() will tell the phase once the books are built. */
  readonly marketFeed: boolean;
}

/** A Trading Session Status of the MAIN market as the feed shows it (OMD-C 20). */
export interface MarketSessionSeen {
  /** TradingSessionSubID (e.g. 1 pre-opening order input, 3 continuous trading). */
  subId: number;
  /** TradingSesStatus (e.g. 20 pre-opening, 30 continuous trading, 40 closing auction). */
  status: number;
}

/** TradingSesStatus of continuous trading (OMD-C 20): the only phase where the test orders rest and cancel freely. */
export const CONTINUOUS_TRADING_STATUS = 30;
