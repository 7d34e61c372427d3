// The market-data side of the phases of the day: each engine market event (engine-types.ts
// MarketEvent) as the OMD-C messages that carry it (omd-c.md §5.2–5.5):
//   phase          → Trading Session Status (20) for the MAIN market
//   securityStatus → Security Status (21): 2 halt, 3 resume
//   vcm            → VCM Trigger (23) at the start of the cooling-off
//   iep            → Indicative Equilibrium Price (41) and Order Imbalance (56), on change
//   referencePrice → Reference Price (43)
//   closingPrice   → Closing Price (62)
//   tradeCancel    → Trade Cancel (51)
// Times: the spec's second-precision fields get whole seconds (in ns).
import type { OmdMessage } from '../omd/index.ts';
import type { MarketEvent } from './engine-types.ts';
import { PHASE_RULES } from './market-phases.ts';

/** Trade IDs of the venue's own trades on the feed start here (apart from the generated market's) [ours]. */
export const VENUE_TRADE_ID_BASE = 900_000_000;

/** The feed's Trade ID of an engine trade id ("17" → 900000017). */
export function feedTradeId(engineTradeId: string): number {
  return VENUE_TRADE_ID_BASE + (Number(engineTradeId) % 100_000_000 || 0);
}

/** ms since the epoch → ns, truncated to the second (OMD-C §1: second-precision fields). */
export function secondsNs(ms: number): bigint {
  return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n;
}

export interface PhaseFeedOptions {
  /** MarketCode of the Trading Session Status (default MAIN). */
  marketCode?: string;
  /** End of the phase when it is planned (ms), for EndDateTime; 0 = unknown. */
  phaseEndMs?: number;
}

/** The OMD-C messages of one market event; an unknown security code yields none. */
export function omdMessagesOf(e: MarketEvent, opts: PhaseFeedOptions = {}): OmdMessage[] {
  if (e.kind === 'phase') {
    const r = PHASE_RULES[e.phase];
    return [
      {
        msgType: 20,
        marketCode: opts.marketCode ?? 'MAIN',
        tradingSessionSubId: r.subId,
        tradingSesStatus: r.status,
        tradingSesControlFlag: '0',
        startDateTime: secondsNs(e.at),
        endDateTime: opts.phaseEndMs ? secondsNs(opts.phaseEndMs) : 0n,
      },
    ];
  }
  const code = Number(e.securityId);
  if (!Number.isSafeInteger(code) || code < 1 || code > 99_999) return [];
  switch (e.kind) {
    case 'securityStatus':
      return [{ msgType: 21, securityCode: code, suspensionIndicator: e.halted ? 2 : 3 }];
    case 'vcm':
      return [
        {
          msgType: 23,
          securityCode: code,
          coolingOffStartTime: secondsNs(e.start),
          coolingOffEndTime: secondsNs(e.end),
          vcmReferencePrice: e.reference,
          vcmLowerPrice: e.lower,
          vcmUpperPrice: e.upper,
        },
      ];
    case 'iep':
      return [
        { msgType: 41, securityCode: code, price: e.price, aggregateQuantity: BigInt(e.volume) },
        { msgType: 56, securityCode: code, orderImbalanceDirection: e.imbalanceDirection, orderImbalanceQuantity: BigInt(e.imbalanceQuantity) },
      ];
    case 'referencePrice':
      return [{ msgType: 43, securityCode: code, referencePrice: e.reference, lowerPrice: e.lower, upperPrice: e.upper }];
    case 'closingPrice':
      return [{ msgType: 62, securityCode: code, closingPrice: e.price, numberOfTrades: e.trades }];
    case 'tradeCancel':
      return [{ msgType: 51, securityCode: code, tradeId: feedTradeId(e.tradeId) }];
  }
}

/**
 * Yield (OMD-C 44, P3 percent) of a bond trading at `price` (P3 per 100 of face value): the current
 * yield, coupon × 100 / price [ours: the spec gives the field, not the formula; HKEX may publish
 * yield to maturity]. 0 (n/a) for a price of 0.
 */
export function currentYield(couponRate: number, price: number): number {
  return price > 0 ? Math.round((couponRate * 100_000) / price) : 0;
}
