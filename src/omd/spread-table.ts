// SEHK spread tables, needed by a publisher to decide which prices lie in tick
// levels 1-10 (OMD-C §6). Not part of the OMD-C spec (§12 U15).
// Source: SEHK Rules, Second Schedule, Part A ("spread table applicable to
// equities other than those in Parts B-E"), as in force before the 2025
// minimum-spread reduction; the reduction and Part E are NOT modelled: every
// SpreadTableCode currently maps to Part A (documented doubt, see tests).

/** One band: prices in (lowExclusive, highInclusive] move in steps of `tick` (all P3 raw). */
export interface SpreadBand {
  lowExclusive: number;
  highInclusive: number;
  tick: number;
}

export interface SpreadTable {
  code: string;
  /** Lowest valid price (P3 raw). */
  minPrice: number;
  /** Highest valid price (P3 raw). */
  maxPrice: number;
  bands: readonly SpreadBand[];
}

/** Mainland A-shares trade in CNY 0.01 steps (public SSE/SZSE rule) [INF for China Connect]. */
export const MAINLAND_SPREAD_TABLE: SpreadTable = {
  code: 'CN',
  minPrice: 10,
  maxPrice: 99_999_990,
  bands: [{ lowExclusive: 0, highInclusive: 99_999_990, tick: 10 }],
};

/** SEHK Second Schedule Part A, P3 raw: 0.01-0.25 by 0.001 … 5,000-9,995 by 5. */
export const SPREAD_TABLE_PART_A: SpreadTable = {
  code: '01',
  minPrice: 10,
  maxPrice: 9_995_000,
  bands: [
    { lowExclusive: 0, highInclusive: 250, tick: 1 },
    { lowExclusive: 250, highInclusive: 500, tick: 5 },
    { lowExclusive: 500, highInclusive: 10_000, tick: 10 },
    { lowExclusive: 10_000, highInclusive: 20_000, tick: 20 },
    { lowExclusive: 20_000, highInclusive: 100_000, tick: 50 },
    { lowExclusive: 100_000, highInclusive: 200_000, tick: 100 },
    { lowExclusive: 200_000, highInclusive: 500_000, tick: 200 },
    { lowExclusive: 500_000, highInclusive: 1_000_000, tick: 500 },
    { lowExclusive: 1_000_000, highInclusive: 2_000_000, tick: 1_000 },
    { lowExclusive: 2_000_000, highInclusive: 5_000_000, tick: 2_000 },
    { lowExclusive: 5_000_000, highInclusive: 9_995_000, tick: 5_000 },
  ],
};

/**
 * The table for a SpreadTableCode of Security Definition (11). Only Part A is
 * modelled (§12 U15); other codes fall back to it, which is wrong for Part B
 * debt securities and Part E inline warrants but harmless for a simulator.
 */
export function spreadTableFor(spreadTableCode: string): SpreadTable {
  void spreadTableCode;
  return SPREAD_TABLE_PART_A;
}

/** Tick size that applies when moving up from `price` (bands are (low, high]). */
export function tickAbove(table: SpreadTable, price: number): number {
  for (const b of table.bands) if (price < b.highInclusive) return b.tick;
  return table.bands[table.bands.length - 1]!.tick;
}

/** Tick size that applies when moving down from `price`. */
export function tickBelow(table: SpreadTable, price: number): number {
  for (const b of table.bands) if (price <= b.highInclusive) return b.tick;
  return table.bands[table.bands.length - 1]!.tick;
}

/** `price` moved by n ticks (n may be negative), clamped to the table's range. */
export function moveTicks(table: SpreadTable, price: number, n: number): number {
  let p = price;
  if (n > 0) for (let i = 0; i < n && p < table.maxPrice; i++) p += tickAbove(table, p);
  else for (let i = 0; i < -n && p > table.minPrice; i++) p -= tickBelow(table, p);
  return Math.min(table.maxPrice, Math.max(table.minPrice, p));
}

/** The nearest valid price at or below `price`. */
export function roundDownToTick(table: SpreadTable, price: number): number {
  const p = Math.min(table.maxPrice, Math.max(table.minPrice, price));
  for (const b of table.bands) {
    if (p <= b.highInclusive) return p - ((p - b.lowExclusive) % b.tick);
  }
  return p;
}

/** True when `price` is a valid price of the table. */
export function isOnTick(table: SpreadTable, price: number): boolean {
  return price >= table.minPrice && price <= table.maxPrice && roundDownToTick(table, price) === price;
}

/** Number of ticks between two prices (order-insensitive); partial ticks round down. */
export function ticksBetween(table: SpreadTable, a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  let n = 0;
  for (const band of table.bands) {
    const from = Math.max(lo, band.lowExclusive);
    const to = Math.min(hi, band.highInclusive);
    if (to > from) n += (to - from) / band.tick;
  }
  return Math.floor(n + 1e-9);
}

/** OMD shows tick levels 1-10: a price is in view when at most 9 spreads from the best (OMD-C §6). */
export const VISIBLE_TICKS = 10;

/** Tick level of `price` relative to the side's best (1 = best). */
export function tickLevel(table: SpreadTable, best: number, price: number): number {
  return ticksBetween(table, best, price) + 1;
}
