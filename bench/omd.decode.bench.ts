// omd.decode — OMD-C messages per CPU-second decoded from whole packets (header + messages) into typed field
// values, one core. Goal ≥ 20,000,000 msg/s. Three APIs over the same packets and the same
// consumer work (every field of the frequent types is read, 64-bit fields as bigint):
//   - PacketCursor (reported value): validated packet, lazy per-type views read in place;
//   - ReusingPacketDecoder: validated packet, eager decode into reused per-type objects;
//   - decodePacket: the contract API, a fresh plain object per message.
import { bench } from './report.ts';
import { PacketCursor, ReusingPacketDecoder, decodePacket, type OmdMessage } from '../src/omd/index.ts';
import { benchMix, measure, median, mixSummary, packMix } from './omd-mix.ts';

const msgs = benchMix();
const packets = packMix(msgs);
const total = msgs.length;

// The consumer: reads every field of 53/30/31/32/50/52/60/40 (as a book builder would) and the
// type of everything else. The same reads through plain objects and through cursor views.
let acc = 0;
let bigs = 0;
function consume(m: OmdMessage): void {
  switch (m.msgType) {
    case 53:
      acc = (acc + m.securityCode) | 0;
      for (const e of m.entries) {
        if (e.aggregateQuantity === 0n) bigs++;
        acc = (acc + e.price + e.numberOfOrders + e.side + e.priceLevel + e.updateAction) | 0;
      }
      break;
    case 30:
      if (m.orderId === 0n) bigs++;
      acc = (acc + m.securityCode + m.price + m.quantity + m.side + m.orderType.length + m.orderBookPosition) | 0;
      break;
    case 31:
      if (m.orderId === 0n) bigs++;
      acc = (acc + m.securityCode + m.quantity + m.side + m.orderBookPosition) | 0;
      break;
    case 32:
      if (m.orderId === 0n) bigs++;
      acc = (acc + m.securityCode + m.side) | 0;
      break;
    case 50:
      if (m.tradeTime === 0n) bigs++;
      acc = (acc + m.securityCode + m.tradeId + m.price + m.quantity + m.trdType) | 0;
      break;
    case 52:
      if (m.aggregateQuantity === 0n || m.tradeTime === 0n) bigs++;
      acc = (acc + m.securityCode + m.tickerId + m.price + m.trdType + m.trdCancelFlag.length) | 0;
      break;
    case 60:
      if (m.sharesTraded === 0n || m.turnover === 0n || m.shortSellTurnover === 0n) bigs++;
      acc = (acc + m.securityCode + m.highPrice + m.lowPrice + m.lastPrice + m.vwap + m.shortSellSharesTraded) | 0;
      break;
    case 40:
      acc = (acc + m.securityCode + m.nominalPrice) | 0;
      break;
    default:
      acc = (acc + m.msgType) | 0;
  }
}

// The cursor's consumer is a dispatch to one small function per message type, as a feed handler
// would be written. V8 inlines at most ~920 bytes of bytecode into one optimised function
// (--max-inlined-bytecode-size-cumulative): one function reading every field of eight types
// through the views' getters went over it, and which getters stayed calls then depended on the
// feedback at the moment it was compiled: 15.7-18.6 M msg/s in about a third of the runs and
// 25-29 M in the others (44-45 M in every run with the budget raised to 3,000). Each handler
// below fits the budget alone.
const cursor = new PacketCursor();
type Cursor = PacketCursor;
function onAggregate(c: Cursor): void {
  const v = c.aggregateOrderBookUpdate;
  acc = (acc + v.securityCode) | 0;
  for (let k = 0, ne = v.entryCount; k < ne; k++) {
    const e = v.entry(k);
    if (e.aggregateQuantity === 0n) bigs++;
    acc = (acc + e.price + e.numberOfOrders + e.side + e.priceLevel + e.updateAction) | 0;
  }
}
function onAddOrder(c: Cursor): void {
  const m = c.addOrder;
  if (m.orderId === 0n) bigs++;
  acc = (acc + m.securityCode + m.price + m.quantity + m.side + m.orderType.length + m.orderBookPosition) | 0;
}
function onModifyOrder(c: Cursor): void {
  const m = c.modifyOrder;
  if (m.orderId === 0n) bigs++;
  acc = (acc + m.securityCode + m.quantity + m.side + m.orderBookPosition) | 0;
}
function onDeleteOrder(c: Cursor): void {
  const m = c.deleteOrder;
  if (m.orderId === 0n) bigs++;
  acc = (acc + m.securityCode + m.side) | 0;
}
function onTrade(c: Cursor): void {
  const m = c.trade;
  if (m.tradeTime === 0n) bigs++;
  acc = (acc + m.securityCode + m.tradeId + m.price + m.quantity + m.trdType) | 0;
}
function onTradeTicker(c: Cursor): void {
  const m = c.tradeTicker;
  if (m.aggregateQuantity === 0n || m.tradeTime === 0n) bigs++;
  acc = (acc + m.securityCode + m.tickerId + m.price + m.trdType + m.trdCancelFlag.length) | 0;
}
function onStatistics(c: Cursor): void {
  const m = c.statistics;
  if (m.sharesTraded === 0n || m.turnover === 0n || m.shortSellTurnover === 0n) bigs++;
  acc = (acc + m.securityCode + m.highPrice + m.lowPrice + m.lastPrice + m.vwap + m.shortSellSharesTraded) | 0;
}
function onNominalPrice(c: Cursor): void {
  const m = c.nominalPrice;
  acc = (acc + m.securityCode + m.nominalPrice) | 0;
}
function cursorPass(): number {
  const c = cursor;
  let n = 0;
  for (let i = 0; i < packets.length; i++) {
    if (c.reset(packets[i]!) !== null) throw new Error('bench packet rejected');
    while (c.next()) {
      n++;
      switch (c.msgType) {
        case 53: onAggregate(c); break;
        case 30: onAddOrder(c); break;
        case 31: onModifyOrder(c); break;
        case 32: onDeleteOrder(c); break;
        case 50: onTrade(c); break;
        case 52: onTradeTicker(c); break;
        case 60: onStatistics(c); break;
        case 40: onNominalPrice(c); break;
        default: acc = (acc + c.msgType) | 0;
      }
    }
  }
  return n;
}

const reusing = new ReusingPacketDecoder();
function reusingPass(): number {
  let n = 0;
  for (let i = 0; i < packets.length; i++) {
    if (reusing.decode(packets[i]!, consume) !== null) throw new Error('bench packet rejected');
    n += reusing.header.msgCount;
  }
  return n;
}

function plainPass(): number {
  let n = 0;
  for (let i = 0; i < packets.length; i++) {
    const d = decodePacket(packets[i]!);
    if (!d.ok) throw new Error('bench packet rejected');
    const ms = d.messages;
    for (let k = 0; k < ms.length; k++) consume(ms[k]!);
    n += ms.length;
  }
  return n;
}

if (cursorPass() !== total || reusingPass() !== total || plainPass() !== total) throw new Error('message count mismatch');
// warm-up until optimised; the start-of-day reference data (rare types) opens every pass
const run = (pass: () => number): number[] => {
  measure(pass, 1, 800);
  return measure(pass, 5, 600);
};
const cursorRates = run(cursorPass);
const reusingRates = run(reusingPass);
const plainRates = run(plainPass);
const cur = median(cursorRates);

bench('omd.decode', Math.round(cur), 'msg/s', {
  ns_per_msg: (1e9 / cur).toFixed(1),
  api: 'PacketCursor',
  best: Math.round(Math.max(...cursorRates)),
  reusing_msg_s: Math.round(median(reusingRates)),
  plain_msg_s: Math.round(median(plainRates)),
  plain_ns_per_msg: (1e9 / median(plainRates)).toFixed(1),
  msgs_per_packet: (total / packets.length).toFixed(1),
  mix: mixSummary(msgs),
  sink: (acc ^ bigs) & 0xffff,
});
