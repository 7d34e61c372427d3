// omd.decode — OMD-C messages/s decoded from whole packets (header + messages) into typed
// messages, one core. Goal ≥ 20,000,000 msg/s. Reported value: the hot-path API
// (ReusingPacketDecoder: validated packet, reused per-type objects, bigint 64-bit fields);
// the plain decodePacket (fresh objects, the contract API) is measured too and shown in extra.
import { bench } from './report.ts';
import { ReusingPacketDecoder, decodePacket, type OmdMessage } from '../src/omd/index.ts';
import { benchMix, measure, median, mixSummary, packMix } from './omd-mix.ts';

const msgs = benchMix();
const packets = packMix(msgs);
const total = msgs.length;

// A consumer that reads typed fields, so the work cannot be optimised away.
let acc = 0;
function consume(m: OmdMessage): void {
  switch (m.msgType) {
    case 53:
      for (const e of m.entries) acc = (acc + e.price + e.priceLevel) | 0;
      break;
    case 30:
      acc = (acc + m.price + m.quantity) | 0;
      break;
    case 50:
      acc = (acc + m.price + m.quantity) | 0;
      break;
    default:
      acc = (acc + m.msgType) | 0;
  }
}

const hot = new ReusingPacketDecoder();
const visit = (m: OmdMessage): void => consume(m);
function hotPass(): number {
  let n = 0;
  for (let i = 0; i < packets.length; i++) {
    if (hot.decode(packets[i]!, visit) !== null) throw new Error('bench packet rejected');
    n += hot.header.msgCount;
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

if (hotPass() !== total || plainPass() !== total) throw new Error('message count mismatch');
// warm-up: both paths until optimised (rare start-of-day types are in every pass)
measure(hotPass, 1, 1500);
measure(plainPass, 1, 1500);

const hotRates = measure(hotPass, 7, 1000);
const plainRates = measure(plainPass, 5, 1000);
const hotMedian = median(hotRates);
const plainMedian = median(plainRates);

bench('omd.decode', Math.round(hotMedian), 'msg/s', {
  ns_per_msg: (1e9 / hotMedian).toFixed(1),
  api: 'ReusingPacketDecoder',
  best: Math.round(Math.max(...hotRates)),
  plain_msg_s: Math.round(plainMedian),
  plain_ns_per_msg: (1e9 / plainMedian).toFixed(1),
  msgs_per_packet: (total / packets.length).toFixed(1),
  mix: mixSummary(msgs),
  check: acc === 0.5 ? 1 : 0,
});
