// Single-price auction of the pre-opening and closing auction sessions: the Indicative Equilibrium
// Price (IEP, OMD-C 41) and Volume (IEV), the order imbalance at it (OMD-C 56), and the final
// price the auction matches at. At-auction orders (no price) rest in the book at a sentinel price
// that sorts them ahead of every limit price, so book order is the matching priority (order type,
// then price, then time).
//
// Choice of price [INF, public SEHK rule; the protocol specs do not state it]:
//   1. the price that executes the largest quantity;
//   2. of those, the one leaving the smallest imbalance |buy − sell|;
//   3. of those, the one nearest the reference (previous close in POS, reference price in CAS);
//   4. of two equally near, the higher.
// Candidates are the limit prices in the book; with at-auction orders only on both sides, the
// reference price [INF].
import type { BookSide } from './order-book.ts';

/** Book price of an at-auction buy: above every SEHK price (max HK$9,995 = 9_995_000 P3). */
export const AT_AUCTION_BUY_PRICE = 2_147_483_647;
/** Book price of an at-auction sell: below every SEHK price. */
export const AT_AUCTION_SELL_PRICE = 0;

export function isAtAuctionPrice(price: number): boolean {
  return price === AT_AUCTION_BUY_PRICE || price === AT_AUCTION_SELL_PRICE;
}

export interface Equilibrium {
  /** IEP (P3). */
  price: number;
  /** IEV: shares executable at the IEP. */
  volume: number;
  /** Buy and sell quantity willing to trade at the IEP. */
  buyQuantity: number;
  sellQuantity: number;
  /** OMD-C 56 direction: B buy surplus, S sell surplus, N equal. */
  imbalanceDirection: 'B' | 'S' | 'N';
  imbalanceQuantity: number;
}

/** One side's resting quantity per price, best first (the shape a test can write down). */
export interface AuctionLevel {
  price: number;
  quantity: number;
}

/** Levels of a book side, best first. */
export function levelsOf(side: BookSide): AuctionLevel[] {
  const out: AuctionLevel[] = [];
  for (let i = side.levels.length - 1; i >= 0; i--) {
    const l = side.levels[i]!;
    out.push({ price: l.price, quantity: l.quantity });
  }
  return out;
}

/**
 * The equilibrium of `bids` (best = highest first; at-auction at AT_AUCTION_BUY_PRICE) and `offers`
 * (best = lowest first; at-auction at AT_AUCTION_SELL_PRICE), or null when nothing can execute.
 */
export function findEquilibrium(bids: readonly AuctionLevel[], offers: readonly AuctionLevel[], reference: number | undefined): Equilibrium | null {
  let marketBuy = 0;
  let marketSell = 0;
  const candidates = new Set<number>();
  for (const l of bids) {
    if (l.price === AT_AUCTION_BUY_PRICE) marketBuy += l.quantity;
    else candidates.add(l.price);
  }
  for (const l of offers) {
    if (l.price === AT_AUCTION_SELL_PRICE) marketSell += l.quantity;
    else candidates.add(l.price);
  }
  if (candidates.size === 0 && marketBuy > 0 && marketSell > 0 && reference !== undefined && reference > 0) candidates.add(reference);
  if (candidates.size === 0) return null;
  const prices = [...candidates].sort((a, b) => a - b);
  // Cumulative buy quantity at or above each price (walk down), sell quantity at or below (walk up).
  const buyAt = new Array<number>(prices.length).fill(0);
  const sellAt = new Array<number>(prices.length).fill(0);
  const bidLimits = bids.filter((l) => l.price !== AT_AUCTION_BUY_PRICE).sort((a, b) => b.price - a.price);
  const offerLimits = offers.filter((l) => l.price !== AT_AUCTION_SELL_PRICE).sort((a, b) => a.price - b.price);
  let acc = marketBuy;
  let j = 0;
  for (let i = prices.length - 1; i >= 0; i--) {
    while (j < bidLimits.length && bidLimits[j]!.price >= prices[i]!) acc += bidLimits[j++]!.quantity;
    buyAt[i] = acc;
  }
  acc = marketSell;
  j = 0;
  for (let i = 0; i < prices.length; i++) {
    while (j < offerLimits.length && offerLimits[j]!.price <= prices[i]!) acc += offerLimits[j++]!.quantity;
    sellAt[i] = acc;
  }
  const ref = reference ?? 0;
  let best = -1;
  for (let i = 0; i < prices.length; i++) {
    const vol = Math.min(buyAt[i]!, sellAt[i]!);
    if (vol === 0) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    const bestVol = Math.min(buyAt[best]!, sellAt[best]!);
    if (vol !== bestVol) {
      if (vol > bestVol) best = i;
      continue;
    }
    const imb = Math.abs(buyAt[i]! - sellAt[i]!);
    const bestImb = Math.abs(buyAt[best]! - sellAt[best]!);
    if (imb !== bestImb) {
      if (imb < bestImb) best = i;
      continue;
    }
    const d = Math.abs(prices[i]! - ref);
    const bestD = Math.abs(prices[best]! - ref);
    if (d < bestD || (d === bestD && prices[i]! > prices[best]!)) best = i;
  }
  if (best < 0) return null;
  const buy = buyAt[best]!;
  const sell = sellAt[best]!;
  return {
    price: prices[best]!,
    volume: Math.min(buy, sell),
    buyQuantity: buy,
    sellQuantity: sell,
    imbalanceDirection: buy > sell ? 'B' : buy < sell ? 'S' : 'N',
    imbalanceQuantity: Math.abs(buy - sell),
  };
}
