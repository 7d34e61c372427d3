// Worked examples of the single-price auction (src/venue/auction.ts). Each row was worked by hand:
// per candidate price, buy = at-auction buys + limit buys at or above it, sell = at-auction sells +
// limit sells at or below it, executable = min(buy, sell); the rules then pick the price.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AT_AUCTION_BUY_PRICE as MKT_B, AT_AUCTION_SELL_PRICE as MKT_S, findEquilibrium } from '../../src/venue/auction.ts';
import type { AuctionLevel } from '../../src/venue/auction.ts';

const L = (price: number, quantity: number): AuctionLevel => ({ price, quantity });

interface Row {
  name: string;
  bids: AuctionLevel[];
  offers: AuctionLevel[];
  reference?: number;
  /** [IEP, IEV, direction, imbalance] or null (nothing executes). */
  want: [number, number, 'B' | 'S' | 'N', number] | null;
}

const ROWS: Row[] = [
  {
    // 9.800: buy 500 sell 100 → 100; 9.900: buy 500 sell 300 → 300; 10.000: buy 300 sell 600 → 300.
    // 300 at two prices; imbalance 200 at 9.900 against 300 at 10.000.
    name: 'rule 1 then 2: largest volume, then the smaller imbalance',
    bids: [L(10_000, 300), L(9_900, 200)],
    offers: [L(9_800, 100), L(9_900, 200), L(10_000, 300)],
    reference: 10_000,
    want: [9_900, 300, 'B', 200],
  },
  {
    // 9.800: buy 300 sell 300 → 300, imbalance 0; 9.900 and 10.000: buy 300 sell 400 → 300, imbalance 100.
    // The reference (10.000) does not beat a smaller imbalance.
    name: 'rule 2 before rule 3: imbalance outranks nearness to the reference',
    bids: [L(10_000, 300)],
    offers: [L(9_800, 300), L(9_900, 100)],
    reference: 10_000,
    want: [9_800, 300, 'N', 0],
  },
  {
    // 9.900: buy 500 sell 500 → 500, 0; 10.000: buy 500 sell 500 → 500, 0; 10.100: buy 400 → 400.
    // 9.900 and 10.000 tie on volume and imbalance; 10.000 is the reference itself.
    name: 'rule 3: nearest the reference (previous close)',
    bids: [L(10_100, 400), L(10_000, 100)],
    offers: [L(9_900, 500)],
    reference: 10_000,
    want: [10_000, 500, 'N', 0],
  },
  {
    // Same book, reference 9.800: 9.900 is 0.100 away, 10.000 is 0.200 away.
    name: 'rule 3 with another reference picks the other price',
    bids: [L(10_100, 400), L(10_000, 100)],
    offers: [L(9_900, 500)],
    reference: 9_800,
    want: [9_900, 500, 'N', 0],
  },
  {
    // 9.800 and 10.000 both execute 500 with no imbalance and are both 0.100 from 9.900.
    name: 'rule 4: equally near, the higher price',
    bids: [L(10_000, 500)],
    offers: [L(9_800, 500)],
    reference: 9_900,
    want: [10_000, 500, 'N', 0],
  },
  {
    // 10.000: buy 300 (at-auction) sell 200 → 200; 10.200: buy 300 sell 400 → 300.
    name: 'at-auction buy against limit sells',
    bids: [L(MKT_B, 300)],
    offers: [L(10_000, 200), L(10_200, 200)],
    reference: 10_000,
    want: [10_200, 300, 'S', 100],
  },
  {
    // No limit price: the at-auction orders match at the reference price.
    name: 'at-auction orders only: the reference price',
    bids: [L(MKT_B, 200)],
    offers: [L(MKT_S, 500)],
    reference: 9_900,
    want: [9_900, 200, 'S', 300],
  },
  {
    // 9.800: buy 100 sell 0; 9.900: buy 0 sell 100 → nothing executes.
    name: 'uncrossed book: no IEP',
    bids: [L(9_800, 100)],
    offers: [L(9_900, 100)],
    reference: 9_850,
    want: null,
  },
  {
    // 10.000: buy 200 + 100 = 300, sell 100 → 100; 10.100: buy 200 (no limit buy that high),
    // sell 100 + 150 = 250 → 200. 10.100 executes more.
    name: 'at-auction buy joins every limit price',
    bids: [L(MKT_B, 200), L(10_000, 100)],
    offers: [L(10_000, 100), L(10_100, 150)],
    reference: 10_000,
    want: [10_100, 200, 'S', 50],
  },
];

describe('single-price auction: worked examples', () => {
  it('has a row for each rule', () => {
    assert.equal(ROWS.length, 9);
  });
  for (const row of ROWS) {
    it(row.name, () => {
      const eq = findEquilibrium(row.bids, row.offers, row.reference);
      if (row.want === null) {
        assert.equal(eq, null);
        return;
      }
      assert.ok(eq !== null, 'an equilibrium');
      assert.deepEqual([eq.price, eq.volume, eq.imbalanceDirection, eq.imbalanceQuantity], row.want);
    });
  }
});
