// omd.image: resident bytes per security of a MarketImage holding 2,000 securities with
// full books (Security Definition, 10 aggregate levels per side, 40-item broker queue per
// side, statistics, nominal price), and 53 updates applied per second on one core.
import { bench } from './report.ts';
import { MarketImage, MarketGenerator, type OmdMessage } from '../src/omd/index.ts';

const N = 2000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function fullDay(): OmdMessage[] {
  const g = new MarketGenerator({ seed: 1, securities: N, channels: [{ channelId: 1, product: 'SS' }] });
  const msgs: OmdMessage[] = [];
  for (const d of g.startOfDay().flatMap((b) => b.msgs)) {
    if (d.msgType !== 11) continue;
    const code = d.securityCode;
    msgs.push(d);
    const entries = [];
    for (const side of [0, 1])
      for (let l = 1; l <= 10; l++)
        entries.push({ aggregateQuantity: BigInt(l * 1000), price: 10_000 + (side ? l : -l) * 10, numberOfOrders: l, side, priceLevel: l, updateAction: 0 });
    msgs.push({ msgType: 53, securityCode: code, entries });
    for (const side of [1, 2])
      msgs.push({ msgType: 54, securityCode: code, side, bqMoreFlag: 'Y', items: Array.from({ length: 40 }, (_, i) => ({ item: 1000 + i, type: 'B' })) });
    msgs.push({
      msgType: 60,
      securityCode: code,
      sharesTraded: 1000n,
      turnover: 100_000n,
      highPrice: 1,
      lowPrice: 1,
      lastPrice: 1,
      vwap: 0,
      shortSellSharesTraded: 0,
      shortSellTurnover: 0n,
    });
    msgs.push({ msgType: 40, securityCode: code, nominalPrice: 1 });
  }
  return msgs;
}

gc();
gc();
const before = process.memoryUsage();
const build = (): MarketImage => {
  const img = new MarketImage();
  for (const m of fullDay()) img.apply(m);
  return img;
};
const img = build();
gc();
gc();
const after = process.memoryUsage();
const bytes = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
bench('omd.image.bytes_per_security', Math.round(bytes / img.securities().length), 'bytes', { securities: img.securities().length });

// Throughput: a generated SS flow (mostly 53) applied to an image.
const g = new MarketGenerator({ seed: 2, securities: 200, channels: [{ channelId: 1, product: 'SS' }] });
const flow = [...g.startOfDay(), ...Array.from({ length: 60_000 }, () => g.next()).flat()].flatMap((b) => b.msgs);
const t0 = performance.now();
let applied = 0;
for (let r = 0; r < 5; r++) {
  const i2 = new MarketImage();
  for (const m of flow) i2.apply(m);
  applied += flow.length;
}
const secs = (performance.now() - t0) / 1000;
bench('omd.image.apply', Math.round(applied / secs), 'msg/s', { messages: applied });
