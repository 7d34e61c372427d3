// The phases of a securities market day (OMD-C §5.2 Trading Session Status codes) and what each
// phase lets an order do (OCG-C §5.1 order types). Pure data and functions: the matching engine
// holds the current phase, the site drives the timed sub-periods through engine commands, so a
// standby replaying the journal moves through the same phases.
//
// Found in the spec (omd-c.md §5.2–5.4): the sub-period codes and statuses; Reference Price (43)
// at the start of POS No Cancellation and of CAS, its Lower/Upper prices bounding at-auction limit
// orders; IEP (41) and Order Imbalance (56) during POS and CAS; VCM Trigger (23) at the start of a
// cooling-off. Everything else here (durations, which orders each sub-period takes, the ±5% CAS
// band, the ±15% POS order-input limit, VCM band and lookback) is [INF], listed in
// docs/spec-decisions.md "## Market phases".

/** One phase of the day: a Trading Session Status sub-period, or a market-wide halt. */
export const MARKET_PHASES = [
  'not-open',
  'pos-order-input',
  'pos-no-cancel',
  'pos-random-matching',
  'pos-matching',
  'pos-blocking',
  'continuous',
  'cas-reference-price',
  'cas-order-input',
  'cas-no-cancel',
  'cas-random-close',
  'cas-matching',
  'closed',
  'day-closed',
  'halted',
] as const;
export type MarketPhase = (typeof MARKET_PHASES)[number];

/** What new orders a phase takes. */
export type OrderInput =
  | 'none'
  /** Limit orders, Day/IOC/FOK; no market orders, no At Crossing (continuous trading). */
  | 'continuous'
  /** At-auction (market) and at-auction limit orders, Day or At Crossing. */
  | 'auction';

export interface PhaseRules {
  /** TradingSessionSubID (OMD-C 20, offset 9). */
  subId: number;
  /** TradingSesStatus (OMD-C 20, offset 10). */
  status: number;
  input: OrderInput;
  /** Cancels and amends accepted. */
  cancel: boolean;
  /** The auction this phase belongs to (orders collect without matching), if any. */
  auction: 'pos' | 'cas' | null;
  /** Limit prices must lie inside the published reference Lower/Upper prices. */
  banded: boolean;
  /** Short label for progress lines and the desk. */
  label: string;
}

export const PHASE_RULES: Readonly<Record<MarketPhase, PhaseRules>> = {
  'not-open': { subId: 100, status: 0, input: 'none', cancel: false, auction: null, banded: false, label: 'not yet open' },
  'pos-order-input': { subId: 1, status: 20, input: 'auction', cancel: true, auction: 'pos', banded: true, label: 'pre-opening: order input' },
  'pos-no-cancel': { subId: 101, status: 20, input: 'auction', cancel: false, auction: 'pos', banded: true, label: 'pre-opening: no cancellation' },
  'pos-random-matching': { subId: 108, status: 20, input: 'auction', cancel: false, auction: 'pos', banded: true, label: 'pre-opening: random matching' },
  'pos-matching': { subId: 2, status: 20, input: 'none', cancel: false, auction: 'pos', banded: false, label: 'pre-opening: order matching' },
  'pos-blocking': { subId: 7, status: 20, input: 'none', cancel: false, auction: null, banded: false, label: 'pre-opening: blocking' },
  continuous: { subId: 3, status: 30, input: 'continuous', cancel: true, auction: null, banded: false, label: 'continuous trading' },
  'cas-reference-price': {
    subId: 105,
    status: 40,
    input: 'none',
    cancel: false,
    auction: 'cas',
    banded: false,
    label: 'closing auction: reference price fixing',
  },
  'cas-order-input': { subId: 5, status: 40, input: 'auction', cancel: true, auction: 'cas', banded: true, label: 'closing auction: order input' },
  'cas-no-cancel': { subId: 106, status: 40, input: 'auction', cancel: false, auction: 'cas', banded: true, label: 'closing auction: no cancellation' },
  'cas-random-close': { subId: 107, status: 40, input: 'auction', cancel: false, auction: 'cas', banded: true, label: 'closing auction: random close' },
  'cas-matching': { subId: 4, status: 40, input: 'none', cancel: false, auction: 'cas', banded: false, label: 'closing auction: order matching' },
  closed: { subId: 103, status: 50, input: 'none', cancel: true, auction: null, banded: false, label: 'closed' },
  'day-closed': { subId: 0, status: 100, input: 'none', cancel: false, auction: null, banded: false, label: 'day closed' },
  halted: { subId: 102, status: 10, input: 'none', cancel: true, auction: null, banded: false, label: 'exchange intervention (halted)' },
};

export function isMarketPhase(x: unknown): x is MarketPhase {
  return typeof x === 'string' && (MARKET_PHASES as readonly string[]).includes(x);
}

/** Timed sub-periods of a session: [phase, minutes] in order; the last one lasts until the next command. */
export const POS_SCHEDULE: readonly (readonly [MarketPhase, number])[] = [
  ['pos-order-input', 15],
  ['pos-no-cancel', 5],
  ['pos-random-matching', 2],
  ['pos-matching', 0],
  ['pos-blocking', 8],
];
export const CAS_SCHEDULE: readonly (readonly [MarketPhase, number])[] = [
  ['cas-reference-price', 1],
  ['cas-order-input', 5],
  ['cas-no-cancel', 2],
  ['cas-random-close', 2],
  ['cas-matching', 0],
  ['closed', 0],
];

/** The phases a session command starts with, by the rundown's name for it. */
export const SESSION_COMMANDS = ['pre-open', 'continuous-trading', 'closing-auction', 'close', 'day-close'] as const;
export type SessionCommand = (typeof SESSION_COMMANDS)[number];

export function scheduleOf(cmd: SessionCommand): readonly (readonly [MarketPhase, number])[] {
  switch (cmd) {
    case 'pre-open':
      return POS_SCHEDULE;
    case 'continuous-trading':
      return [['continuous', 0]];
    case 'closing-auction':
      return CAS_SCHEDULE;
    case 'close':
      return [['closed', 0]];
    case 'day-close':
      return [['day-closed', 0]];
  }
}

/** One planned phase change: at `at` (ms), go to `phase`. */
export interface PlannedPhase {
  at: number;
  phase: MarketPhase;
}

/**
 * The timed plan of a session started at `startMs`: each sub-period's start, durations divided by
 * `accelerate` (an accelerated rundown plays a 30-minute pre-opening in 30/accelerate minutes).
 */
export function planSession(cmd: SessionCommand, startMs: number, accelerate = 1): PlannedPhase[] {
  if (!(accelerate > 0) || !Number.isFinite(accelerate)) throw new RangeError(`accelerate must be a positive number, got ${String(accelerate)}`);
  const out: PlannedPhase[] = [];
  let t = startMs;
  for (const [phase, minutes] of scheduleOf(cmd)) {
    out.push({ at: Math.round(t), phase });
    t += (minutes * 60_000) / accelerate;
  }
  return out;
}

/** The order of the day: a phase may only move forward (or to/from a market halt). */
export function phaseOrder(p: MarketPhase): number {
  return MARKET_PHASES.indexOf(p);
}

// ---------------------------------------------------------------------------------------------
// Volatility Control Mechanism

export interface VcmConfig {
  /** Largest move from the VCM reference price, in percent, before a cooling-off (SEHK: 10 or 20) [INF]. */
  bandPercent: number;
  /** Cooling-off length (SEHK: 5 minutes) [INF]. */
  coolingOffMs: number;
  /** Reference = last trade at least this long ago (SEHK: 5 minutes) [INF]. */
  lookbackMs: number;
}

export const DEFAULT_VCM: VcmConfig = { bandPercent: 10, coolingOffMs: 5 * 60_000, lookbackMs: 5 * 60_000 };

/** Lower and upper bound of a band of `percent` around `ref` (P3), rounded inwards to whole P3 units. */
export function bandAround(ref: number, percent: number): { lower: number; upper: number } {
  return { lower: Math.ceil((ref * (100 - percent)) / 100), upper: Math.floor((ref * (100 + percent)) / 100) };
}

/** CAS at-auction limit orders within ±5% of the reference price [INF, public SEHK rule]. */
export const CAS_BAND_PERCENT = 5;
/** POS order-input limit ±15% of the previous close [INF, public SEHK rule]. */
export const POS_BAND_PERCENT = 15;
