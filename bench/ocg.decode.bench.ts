// ocg.decode: OCG-C messages decoded per second on one core, a 50/50 mix of New Order and
// Execution Report (ack and partial fill), fed in 64 KiB TCP-sized chunks through the path the
// gateway and the client run: OcgFrameReader.nextFrameAt(), then decodeFrame with the venue profile
// (what OcgSession.onFrameAt does). Every message is fully decoded (CRC-32C checked, every field
// read). Goal ≥ 3,000,000. The 4096 messages all differ (IDs, times, prices, quantities: see below);
// the stream is decoded over and over. The rate is per second of this process's CPU time (the
// machine is shared); the wall-clock rate is printed too.
import { bench } from './report.ts';
import {
  decodeFrame,
  encodeMessage,
  ExecType,
  formatTransactionTime,
  OcgFrameReader,
  OcgMsgType,
  OrdStatus,
  OrdType,
  OTP_C_PROFILE,
  Side,
  toPrice,
} from '../src/ocg/index.ts';
import type { OcgMessage } from '../src/ocg/index.ts';

// Wire-like data: every message has its own Client Order ID / Order ID / Execution ID / time, and
// prices and quantities vary the way a busy session's do (16 stocks, ±30 ticks around the last
// price, 1–20 board lots, partial fills of random size). Seeded, so every run decodes the same bytes.
let seed = 0x9e3779b9;
function rnd(n: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
}
/** HKEX spread table (part A) tick for a price, ×10^8. */
function tickOf(px: bigint): bigint {
  const steps: [string, string][] = [
    ['0.25', '0.001'],
    ['0.5', '0.005'],
    ['10', '0.01'],
    ['20', '0.02'],
    ['100', '0.05'],
    ['200', '0.1'],
    ['500', '0.2'],
    ['1000', '0.5'],
  ];
  for (const [upTo, tick] of steps) if (px < toPrice(upTo)) return toPrice(tick);
  return toPrice('1');
}
const STOCKS: [string, string, number][] = [
  ['700', '395.8', 100],
  ['5', '98.45', 400],
  ['9988', '110.3', 100],
  ['388', '402.6', 100],
  ['1299', '61.85', 200],
  ['3690', '121.4', 100],
  ['941', '84.15', 500],
  ['2318', '51.3', 500],
  ['1810', '41.25', 200],
  ['883', '19.86', 1000],
  ['1211', '292.4', 500],
  ['2800', '25.62', 500],
  ['9618', '135.9', 50],
  ['1024', '57.6', 100],
  ['175', '17.52', 1000],
  ['2628', '38.45', 1000],
];
const BROKERS = ['1001', '1002', '2002', '3310', '6998'];
const LOT_QTY = 100_000_000n; // one share ×10^8

const COUNT = 4096;
const frames: Uint8Array[] = [];
let micros = Date.UTC(2026, 10, 28, 2, 10, 45) * 1000;
for (let i = 0; i < COUNT; i++) {
  const [securityId, last, lot] = STOCKS[rnd(STOCKS.length)]!;
  const base = toPrice(last);
  const price = base + BigInt(rnd(61) - 30) * tickOf(base);
  const lots = 1 + rnd(20);
  const qty = BigInt(lot * lots) * LOT_QTY;
  micros += 1 + rnd(300);
  const time = formatTransactionTime(micros);
  const clOrdId = `${rnd(2) === 0 ? 'C' : 'ORD'}${(1_000_000 + i * 37 + rnd(37)).toString(36).toUpperCase()}`;
  const broker = BROKERS[rnd(BROKERS.length)]!;
  const side = rnd(2) === 0 ? Side.Buy : Side.Sell;
  const common = {
    clientOrderId: clOrdId,
    submittingBrokerId: broker,
    securityId,
    securityIdSource: 8,
    securityExchange: 'XHKG',
    transactionTime: time,
    side,
  };
  let body: OcgMessage;
  if (i % 2 === 0) {
    body = {
      msgType: OcgMsgType.NewOrder,
      ...common,
      orderType: OrdType.Limit,
      price,
      orderQuantity: qty,
      disclosureInstructions: 1,
      submittingBcanField: `${String(100_000 + rnd(900_000))}.${broker}`,
    };
  } else if (i % 4 === 1) {
    body = {
      msgType: OcgMsgType.ExecutionReport,
      ...common,
      orderId: String(50_000_000 + i * 3),
      orderType: OrdType.Limit,
      price,
      orderQuantity: qty,
      executionId: `E${70_000_000 + i * 5}`,
      orderStatus: OrdStatus.New,
      execType: ExecType.New,
      cumulativeQuantity: 0n,
      leavesQuantity: qty,
      lotType: 2,
    };
  } else {
    const filled = BigInt(lot * (1 + rnd(lots))) * LOT_QTY;
    body = {
      msgType: OcgMsgType.ExecutionReport,
      ...common,
      orderId: String(50_000_000 + i * 3),
      orderType: OrdType.Limit,
      price,
      orderQuantity: qty,
      executionId: `E${70_000_000 + i * 5}`,
      orderStatus: filled === qty ? OrdStatus.Filled : OrdStatus.PartiallyFilled,
      execType: ExecType.Trade,
      cumulativeQuantity: filled,
      leavesQuantity: qty - filled,
      lotType: 2,
      matchType: 4,
      counterpartyBrokerId: BROKERS[rnd(BROKERS.length)]!,
      executionQuantity: filled,
      executionPrice: price,
      tradeMatchId: `T${80_000_000 + i * 7}`,
      aggressorIndicator: rnd(2),
    };
  }
  frames.push(encodeMessage({ seqNum: i + 1, compId: 'CO99999902' }, body));
}
const total = frames.reduce((n, f) => n + f.length, 0);
const stream = Buffer.alloc(total); // sockets hand over Buffers
{
  let o = 0;
  for (const f of frames) {
    stream.set(f, o);
    o += f.length;
  }
}
const CHUNK = 65_536;
const chunks: Uint8Array[] = [];
for (let o = 0; o < total; o += CHUNK) chunks.push(stream.subarray(o, Math.min(total, o + CHUNK)));

let sink = 0;
const options = { profile: OTP_C_PROFILE };
/** Decode the whole stream once, as a session does; returns messages decoded. */
function pass(): number {
  const reader = new OcgFrameReader();
  let n = 0;
  for (const c of chunks) {
    reader.push(c);
    for (let f = reader.nextFrameAt(); f !== null; f = reader.nextFrameAt()) {
      if (f !== true) throw new Error(f.detail);
      const r = decodeFrame(reader.frame, reader.offset, reader.length, options);
      if (!r.ok) throw new Error(r.detail);
      sink += r.header.seqNum;
      n++;
    }
  }
  return n;
}

/** Messages per second of this process's CPU time (robust when other processes share the 2 cores) and of wall time. */
function run(ms: number, once: () => number = pass): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  let t = t0;
  while (t - t0 < ms) {
    n += once();
    t = performance.now();
  }
  const c = process.cpuUsage(c0);
  return { cpu: (n * 1e6) / (c.user + c.system), wall: (n * 1000) / (t - t0) };
}

run(2000); // warm-up: let the decoder reach the optimising tier
const runs = [run(3000), run(3000), run(3000)].sort((a, b) => a.cpu - b.cpu);
const mid = runs[1]!;
bench('ocg.decode', Math.round(mid.cpu), 'msg/s', {
  goal: 3_000_000,
  basis: 'cpu_time',
  wall_msg_s: Math.round(mid.wall),
  best: Math.round(runs[2]!.cpu),
  mix: 'NewOrder50/ExecReport50',
  avg_bytes: Math.round(total / COUNT),
  sink: sink % 10,
});
