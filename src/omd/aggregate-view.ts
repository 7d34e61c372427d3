// The publisher side of the aggregate order book (OMD-C §6 "server behaviour"):
// given the true book of one security, decide which 53 entries to send so that
// a client applying the §6 algorithm holds exactly tick levels 1-10.
import type { AggregateBookEntry } from './messages.ts';
import { MAX_BOOK_LEVELS } from './image.ts';
import { SPREAD_TABLE_PART_A, ticksBetween, VISIBLE_TICKS, type SpreadTable } from './spread-table.ts';

/** One level of the true book (every resting board-lot order at one price). */
export interface TrueLevel {
  price: number;
  quantity: bigint;
  orders: number;
}

/**
 * What clients hold for one security, per side, and the diff that moves them
 * to the next true book. One instance per security, owned by the publisher.
 */
export class AggregateBookView {
  readonly securityCode: number;
  readonly table: SpreadTable;
  // Published levels per side: what a client applying our entries holds (≤ 10).
  #shown: [TrueLevel[], TrueLevel[]] = [[], []];

  constructor(securityCode: number, table: SpreadTable = SPREAD_TABLE_PART_A) {
    this.securityCode = securityCode;
    this.table = table;
  }

  /** What clients currently hold for a side (0 bid, 1 offer), best first. */
  shown(side: 0 | 1): readonly TrueLevel[] {
    return this.#shown[side];
  }

  /** Forget what was shown (after an Orderbook Clear or a new trading day). */
  reset(): void {
    this.#shown = [[], []];
  }

  /**
   * The true side (best first, any depth) → entries to publish, in order. The
   * visible set is every true level within tick levels 1-10 of the best (§6).
   * Deletes of prices that left the book go first; then a merge walk emits New
   * and Change in price order; entries pushed beyond tick 10 but still held by
   * the client get an explicit Delete at their level after the inserts
   * (HKEX example 5: {New 9750 L1, Delete 9850 L6}); entries pushed beyond 10
   * levels are truncated by the client and get nothing.
   */
  update(side: 0 | 1, trueLevels: readonly TrueLevel[]): AggregateBookEntry[] {
    const entries: AggregateBookEntry[] = [];
    const better = side === 0 ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    const visible: TrueLevel[] = [];
    if (trueLevels.length > 0) {
      const best = trueLevels[0]!.price;
      for (const l of trueLevels) {
        if (visible.length === MAX_BOOK_LEVELS || ticksBetween(this.table, best, l.price) >= VISIBLE_TICKS) break;
        visible.push(l);
      }
    }
    const inBook = new Set<number>();
    for (const l of trueLevels) inBook.add(l.price);
    const client = this.#shown[side].slice();
    const emit = (l: TrueLevel, level: number, action: number) => {
      entries.push({ aggregateQuantity: l.quantity, price: l.price, numberOfOrders: l.orders, side, priceLevel: level, updateAction: action });
    };
    // Phase 1: prices that left the book.
    for (let i = 0; i < client.length;) {
      if (!inBook.has(client[i]!.price)) {
        emit(client[i]!, i + 1, 2); // a Delete carries the level as last published (content unspecified)
        client.splice(i, 1);
      } else i++;
    }
    // Phase 2: merge walk; every remaining client entry not visible is worse than every visible one.
    let j = 0;
    for (const v of visible) {
      const c = client[j];
      if (c && c.price === v.price) {
        if (c.quantity !== v.quantity || c.orders !== v.orders) emit(v, j + 1, 1);
        client[j] = v;
      } else {
        // v is better than client[j] (or client ran out): New shifts the rest down.
        if (c && better(c.price, v.price)) throw new Error(`AggregateBookView: unsorted true book at ${v.price}`);
        emit(v, j + 1, 0);
        client.splice(j, 0, v);
        if (client.length > MAX_BOOK_LEVELS) client.length = MAX_BOOK_LEVELS; // client truncates silently
      }
      j++;
    }
    // Phase 3: what is still held beyond the visible set was pushed past tick 10.
    while (client.length > j) {
      const c = client[j]!;
      emit(c, j + 1, 2);
      client.splice(j, 1);
    }
    this.#shown[side] = client.map((l) => ({ price: l.price, quantity: l.quantity, orders: l.orders }));
    return entries;
  }
}
