// omd.decode — OMD-C messages per CPU-second decoded from whole packets (header + messages) into
// typed field values, one core. Goal ≥ 20,000,000 msg/s. Measures decodeSequencedPacket, the call
// FeedHandler.onDatagram makes, and a consumer that reads every field of the frequent types.
import { bench } from './report.ts';
import { decodeSequencedPacket, type OmdMessage } from '../src/omd/index.ts';
import { benchMix, measure, median, mixSummary, packMix } from './omd-mix.ts';

const msgs = benchMix();
const packets = packMix(msgs);
const total = msgs.length;

// The consumer: reads every field of 53/30/31/32/50/52/60/40 (as a book builder would) and the
// type of everything else.
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

function pass(): number {
  let n = 0;
  for (let i = 0; i < packets.length; i++) {
    const d = decodeSequencedPacket(packets[i]!);
    if ('ok' in d) throw new Error('bench packet rejected');
    const ms = d.messages;
    for (let k = 0; k < ms.length; k++) consume(ms[k]!);
    n += ms.length;
  }
  return n;
}

if (pass() !== total) throw new Error('message count mismatch');
// warm-up until optimised; the start-of-day reference data (rare types) opens every pass
measure(pass, 1, 800);
const rates = measure(pass, 5, 600);
const rate = median(rates);

bench('omd.decode', Math.round(rate), 'msg/s', {
  ns_per_msg: (1e9 / rate).toFixed(1),
  api: 'decodeSequencedPacket',
  best: Math.round(Math.max(...rates)),
  msgs_per_packet: (total / packets.length).toFixed(1),
  mix: mixSummary(msgs),
  sink: (acc ^ bigs) & 0xffff,
});
