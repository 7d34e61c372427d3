import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MarketGenerator,
  MarketImage,
  SeededRandom,
  generatorMix,
  isOnTick,
  ticksBetween,
  SPREAD_TABLE_PART_A,
  canonical,
  loopbackFeed,
  type GeneratorChannel,
  type OmdMessage,
} from '../../src/omd/index.ts';

function run(seed: number, events: number, securities = 12) {
  const g = new MarketGenerator({ seed, securities });
  const images = new Map<number, MarketImage>();
  const all: Array<[number, OmdMessage]> = [];
  const feed = (batches: ReturnType<MarketGenerator['next']>) => {
    for (const b of batches) {
      let img = images.get(b.channelId);
      if (!img) images.set(b.channelId, (img = new MarketImage()));
      for (const m of b.msgs) {
        img.apply(m);
        all.push([b.channelId, m]);
      }
    }
  };
  feed(g.startOfDay());
  for (let i = 0; i < events; i++) feed(g.next());
  return { g, images, all };
}

describe('SeededRandom', () => {
  it('is deterministic per seed and uniform enough', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    assert.deepEqual(
      xs,
      Array.from({ length: 1000 }, () => b.next()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(mean > 0.45 && mean < 0.55);
    assert.notEqual(new SeededRandom(43).next(), xs[0]);
  });
});

describe('MarketGenerator', () => {
  it('same seed → same messages; another seed → different ones', () => {
    const a = run(7, 2000).all.map(([c, m]) => `${c} ${canonical(m)}`);
    const b = run(7, 2000).all.map(([c, m]) => `${c} ${canonical(m)}`);
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a,
      run(8, 2000).all.map(([c, m]) => `${c} ${canonical(m)}`),
    );
    assert.deepEqual(generatorMix(3, 500).map(canonical), generatorMix(3, 500).map(canonical));
    assert.equal(generatorMix(3, 500).length, 500);
  });

  it('produces realistic HK reference data (codes, board lots, HKD, UTF-16 Chinese names, on-grid prices)', () => {
    const g = new MarketGenerator({ seed: 1, securities: 40 });
    const defs = g
      .startOfDay()
      .flatMap((b) => b.msgs)
      .filter((m) => m.msgType === 11);
    const codes = new Set(defs.map((d) => d.securityCode));
    for (const c of [1, 5, 700, 9988]) assert.ok(codes.has(c), `code ${c}`);
    const tencent = defs.find((d) => d.securityCode === 700)!;
    assert.equal(tencent.securityNameGCCS, '騰訊控股');
    assert.equal(tencent.lotSize, 100);
    for (const d of defs) {
      assert.ok([100, 200, 400, 500, 1000, 2000].includes(d.lotSize));
      assert.equal(d.currencyCode, 'HKD');
      assert.ok(isOnTick(SPREAD_TABLE_PART_A, d.previousClosingPrice), `${d.securityCode} ${d.previousClosingPrice}`);
    }
  });

  it('keeps every product consistent: SS/SP aggregate books equal tick levels 1-10 of the SF order book', () => {
    const { g, images } = run(11, 6000);
    const byProduct = new Map(g.channels.map((c) => [c.product, images.get(c.channelId)!]));
    const sf = byProduct.get('SF')!;
    const ss = byProduct.get('SS')!;
    const sp = byProduct.get('SP')!;
    assert.equal(sf.anomalies.unknownOrder, 0);
    assert.equal(ss.anomalies.badPriceLevel, 0);
    assert.ok(sf.securities().length >= 10, `${sf.securities().length} SF securities`);
    for (const code of sf.securities()) {
      for (const side of [0, 1] as const) {
        const levels = new Map<number, { q: bigint; n: number }>();
        for (const o of sf.orders(code)) {
          if (o.side !== side) continue;
          const l = levels.get(o.price) ?? { q: 0n, n: 0 };
          l.q += BigInt(o.quantity);
          l.n++;
          levels.set(o.price, l);
        }
        const sorted = [...levels].sort((a, b) => (side === 0 ? b[0] - a[0] : a[0] - b[0]));
        const best = sorted[0]?.[0];
        const want = sorted
          .filter(([p]) => best !== undefined && ticksBetween(SPREAD_TABLE_PART_A, best, p) < 10)
          .slice(0, 10)
          .map(([price, l]) => ({ price, quantity: l.q, orders: l.n }));
        assert.deepEqual(ss.book(code, side), want, `SS ${code} side ${side}`);
        assert.deepEqual(sp.book(code, side), want, `SP ${code} side ${side}`);
      }
      // Never crossed after matching.
      const bid = ss.book(code, 0)[0]?.price;
      const ask = ss.book(code, 1)[0]?.price;
      if (bid !== undefined && ask !== undefined) assert.ok(bid < ask, `${code} crossed ${bid}/${ask}`);
    }
  });

  it('matches crossing orders into trades with consecutive TradeIDs and statistics that add up', () => {
    const { g, all } = run(5, 5000);
    const sp = g.channels.find((c) => c.product === 'SP')!.channelId;
    const trades = all.filter(([c, m]) => c === sp && m.msgType === 50).map(([, m]) => m as Extract<OmdMessage, { msgType: 50 }>);
    assert.ok(trades.length > 100);
    const perSec = new Map<number, { ids: number[]; qty: bigint }>();
    for (const t of trades) {
      const s = perSec.get(t.securityCode) ?? { ids: [], qty: 0n };
      s.ids.push(t.tradeId);
      s.qty += BigInt(t.quantity);
      perSec.set(t.securityCode, s);
    }
    const stats = new Map<number, Extract<OmdMessage, { msgType: 60 }>>();
    for (const [c, m] of all) if (c === sp && m.msgType === 60) stats.set(m.securityCode, m);
    for (const [code, s] of perSec) {
      assert.deepEqual(
        s.ids,
        s.ids.map((_, i) => i + 1),
        `TradeIDs of ${code}`,
      );
      assert.equal(stats.get(code)!.sharesTraded, s.qty);
    }
    const types = new Set(all.map(([, m]) => m.msgType));
    for (const t of [10, 11, 14, 20, 22, 30, 31, 32, 33, 34, 40, 50, 52, 53, 54, 60, 61, 70, 71, 80, 81]) assert.ok(types.has(t as never), `MsgType ${t}`);
  });

  it('OMD-CC: China Connect reference data, top of book, statistics and status', () => {
    const g = new MarketGenerator({ seed: 2, securities: 6, service: 'OMD-CC' });
    const msgs = [...g.startOfDay(), ...Array.from({ length: 8000 }, () => g.next()).flat()].flatMap((b) => b.msgs);
    const types = new Set(msgs.map((m) => m.msgType));
    for (const t of [610, 611, 621, 655, 660]) assert.ok(types.has(t as never), `MsgType ${t}`);
    const moutai = msgs.find((m) => m.msgType === 611 && m.securityCode === 600519) as Extract<OmdMessage, { msgType: 611 }>;
    assert.equal(moutai.securityNameGB, '贵州茅台');
    assert.equal(moutai.currencyCode, 'CNY');
    const quotes = msgs.filter((m) => m.msgType === 655 && m.bidPrice && m.askPrice) as Extract<OmdMessage, { msgType: 655 }>[];
    assert.ok(quotes.length > 0, 'two-sided top-of-book quotes were generated');
    for (const m of quotes) assert.ok(m.bidPrice < m.askPrice);
  });
});

describe('MarketGenerator channel layout (OMD-C 1.3, spec §3.1, §7, §8.1)', () => {
  /** MsgTypes per channel over a start of day and `events` events. */
  function typesPerChannel(channels: GeneratorChannel[], events: number, service: 'OMD-C' | 'OMD-CC' = 'OMD-C') {
    const g = new MarketGenerator({ seed: 3, securities: 20, service, channels });
    const types = new Map<number, Map<number, number>>(channels.map((c) => [c.channelId, new Map()]));
    const msgs = new Map<number, OmdMessage[]>(channels.map((c) => [c.channelId, []]));
    const take = (batches: ReturnType<MarketGenerator['next']>) => {
      for (const b of batches) {
        const t = types.get(b.channelId)!;
        for (const m of b.msgs) {
          t.set(m.msgType, (t.get(m.msgType) ?? 0) + 1);
          msgs.get(b.channelId)!.push(m);
        }
      }
    };
    take(g.startOfDay());
    for (let i = 0; i < events; i++) take(g.next());
    return { g, types, msgs, has: (ch: number, type: number) => (types.get(ch)!.get(type) ?? 0) > 0 };
  }

  it('odd-lot orders (33/34) and Stock Connect (80/81) travel on their own channels, not on SS', () => {
    const t = typesPerChannel(
      [
        { channelId: 1, product: 'SS' },
        { channelId: 2, product: 'OddLot' },
        { channelId: 3, product: 'StockConnect' },
      ],
      3000,
    );
    for (const type of [33, 34, 80, 81]) assert.equal(t.has(1, type), false, `MsgType ${type} not on SS`);
    assert.ok(t.has(2, 33) && t.has(2, 34), 'odd lots on the odd-lot channel');
    assert.ok(t.has(3, 80) && t.has(3, 81), 'Stock Connect on its channel');
    assert.deepEqual([...t.types.get(2)!.keys()].sort(), [33, 34]);
    assert.deepEqual([...t.types.get(3)!.keys()].sort(), [80, 81]);
    assert.ok(t.has(1, 61), 'Market Turnover (61) stays SS content');
  });

  it('spec unsure (§12 U11): without a Stock Connect channel, 80/81 go on the odd-lot channel (OMD-C 3.14), without either on SS', () => {
    const a = typesPerChannel(
      [
        { channelId: 1, product: 'SS' },
        { channelId: 2, product: 'OddLot' },
      ],
      3000,
    );
    assert.ok(a.has(2, 80) && a.has(2, 81));
    assert.equal(a.has(1, 80), false);
    const b = typesPerChannel([{ channelId: 1, product: 'SS' }], 3000);
    assert.ok(b.has(1, 33) && b.has(1, 80), 'a layout without complimentary channels keeps them on SS');
  });

  it('OMD-CC: the default layout has one channel per market, and each carries only its market', () => {
    const cfg = loopbackFeed({ service: 'OMD-CC' });
    assert.deepEqual(
      cfg.channels.map((c) => [c.channelId, c.product, c.market]),
      [
        [1, 'CC', 'ASHR'],
        [2, 'CC', 'ASZR'],
      ],
    );
    const t = typesPerChannel(cfg.channels, 3000, 'OMD-CC');
    const market = new Map(t.g.securities.map((s) => [s.securityCode, s.marketCode]));
    assert.ok(new Set(market.values()).size === 2, 'both markets listed');
    for (const c of cfg.channels) {
      const list = t.msgs.get(c.channelId)!;
      assert.ok(list.length > 50);
      for (const m of list) {
        if (m.msgType === 610) assert.equal(m.marketCode, c.market);
        else if ('securityCode' in m) assert.equal(market.get(m.securityCode), c.market, `MsgType ${m.msgType} ${m.securityCode} on channel ${c.channelId}`);
      }
    }
  });
});
