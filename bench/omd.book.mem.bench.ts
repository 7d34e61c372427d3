// omd.book.mem: resident bytes per security held by a subscriber's MarketImage with full
// books, for 2,000 securities. Every message goes through the wire codec (encode →
// decode → apply) so what the image retains is what a feed handler retains.
// Per security: reference data (11), aggregate book 10 levels per side (53), order-level
// book with 1–8 orders per price on 10 prices per side (30, ~90 orders), broker queues
// of 40 items per side (54), statistics (60), last trade (50), nominal price (40).
// Measured as heapUsed + external (typed-array pools included) delta after full GCs (run with --expose-gc).
import { bench } from './report.ts';
import { MarketGenerator, MarketImage, PacketBuilder, decodeSequencedPacket, type OmdMessage } from '../src/omd/index.ts';

const N = 2000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench does)');

function settle(): { heap: number; rss: number } {
  for (let i = 0; i < 4; i++) gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss }; // external includes arrayBuffers
}

// Reference data from the generator (realistic Security Definitions), prepared before the baseline;
// the generator itself is garbage by then, and what the loop uses is kept alive to the end, so
// neither can move the delta (optimised code frees dead locals early).
function referenceData(): OmdMessage[] {
  const gen = new MarketGenerator({ seed: 5, securities: N, channels: [{ channelId: 1, product: 'SF' }] });
  return gen
    .startOfDay()
    .flatMap((b) => b.msgs)
    .filter((m) => m.msgType === 11);
}
const defs = referenceData();
const codes = defs.map((m) => (m as { securityCode: number }).securityCode);
const keep = globalThis as { omdMemKeep?: unknown };
keep.omdMemKeep = { defs, codes };

let orderId = 1n;
let rnd = 12345;
const rand = (n: number) => {
  rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
  return (rnd >>> 8) % n;
};

function securityMessages(code: number, def: OmdMessage): OmdMessage[] {
  const out: OmdMessage[] = [def];
  const mid = 100_000 + rand(50_000);
  const tick = 50;
  const entries = [];
  for (const side of [0, 1] as const) {
    for (let lv = 1; lv <= 10; lv++) {
      const price = side === 0 ? mid - lv * tick : mid + lv * tick;
      const orders = 1 + rand(8);
      let qty = 0n;
      for (let k = 0; k < orders; k++) {
        const q = 100 * (1 + rand(50));
        qty += BigInt(q);
        out.push({ msgType: 30, securityCode: code, orderId: orderId++, price, quantity: q, side, orderType: '2', orderBookPosition: 0 });
      }
      entries.push({ aggregateQuantity: qty, price, numberOfOrders: orders, side, priceLevel: lv, updateAction: 0 });
    }
  }
  out.push({ msgType: 53, securityCode: code, entries });
  for (const side of [1, 2] as const) {
    const items = Array.from({ length: 40 }, (_, i) => (i % 8 === 7 ? { item: 1 + (i >> 3), type: 'S' } : { item: 1000 + rand(8000), type: 'B' }));
    out.push({ msgType: 54, securityCode: code, side, bqMoreFlag: 'Y', items });
  }
  out.push({
    msgType: 60,
    securityCode: code,
    sharesTraded: 1_000_000n,
    turnover: 123_456_789n,
    highPrice: mid + 500,
    lowPrice: mid - 500,
    lastPrice: mid,
    vwap: mid,
    shortSellSharesTraded: 1000,
    shortSellTurnover: 1_000_000n,
  });
  out.push({ msgType: 50, securityCode: code, tradeId: 1, price: mid, quantity: 1000, trdType: 0, tradeTime: 1767922200000000000n });
  out.push({ msgType: 40, securityCode: code, nominalPrice: mid });
  return out;
}

const before = settle();
const image = new MarketImage();
let applied = 0;
const builder = new PacketBuilder();
keep.omdMemKeep = { defs, codes, builder };
for (let i = 0; i < defs.length; i++) {
  // Wire round trip in packets, as the handler would see them.
  const msgs = securityMessages(codes[i]!, defs[i]!);
  builder.start(1, 0n);
  const flush = () => {
    const p = decodeSequencedPacket(builder.finish());
    if ('ok' in p) throw new Error(p.message);
    for (const m of p.messages) {
      image.apply(m);
      applied++;
    }
  };
  for (const m of msgs)
    if (!builder.add(m)) {
      flush();
      builder.start(1, 0n);
      builder.add(m);
    }
  if (builder.count > 0) flush();
}
const after = settle();

let orders = 0;
let levels = 0;
for (const code of codes) {
  orders += image.orders(code).length;
  levels += image.book(code, 0).length + image.book(code, 1).length;
}
keep.omdMemKeep = null;
if (image.securities().length !== N) throw new Error(`expected ${N} securities, image has ${image.securities().length}`);
bench('omd.book.mem', Math.round((after.heap - before.heap) / N), 'bytes/security', {
  rss: Math.round((after.rss - before.rss) / N),
  securities: N,
  ordersPerSecurity: (orders / N).toFixed(1),
  levelsPerSecurity: (levels / N).toFixed(1),
  messages: applied,
  anomalies: image.anomalies.badPriceLevel + image.anomalies.unknownOrder,
});
