// The realistic OMD-C message mix shared by the omd.decode and omd.encode benchmarks.
import { DEFAULT_MAX_PACKET_SIZE, generatorMix, packMessages, splitNews, type OmdMessage } from '../src/omd/index.ts';

/**
 * ~100k messages from the seeded MarketGenerator (src/omd/generator.ts): start-of-day reference
 * data first (10, 11, 13, 14, 20, … — rare types at the start of the data, on purpose), then order
 * flow dominated by 53 aggregate book updates, 30/31/32 orders, 50/52 trades, 60 statistics, 54,
 * 40, 71 index data, and a few 33/34/80/81/22. News is split into fragments that fit a packet.
 */
export function benchMix(): OmdMessage[] {
  const out: OmdMessage[] = [];
  // generatorMix is called in 50k chunks (two seeds): a single large call overflows the stack (spread push)
  for (const seed of [1, 2]) {
    for (const m of generatorMix(seed, 50_000)) {
      if (m.msgType === 22) out.push(...splitNews(m));
      else out.push(m);
    }
  }
  return out;
}

/** Packs the mix into wire packets as a publisher would (≤ 1472 bytes, ≤ 255 messages). */
export function packMix(msgs: readonly OmdMessage[]): Uint8Array[] {
  return packMessages(msgs, 1, 1767922200000000000n, DEFAULT_MAX_PACKET_SIZE);
}

/** Share of each MsgType in the mix, e.g. "53:38.5%,50:13.3%,…" (top n). */
export function mixSummary(msgs: readonly OmdMessage[], top = 8): string {
  const c = new Map<number, number>();
  for (const m of msgs) c.set(m.msgType, (c.get(m.msgType) ?? 0) + 1);
  return [...c.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([t, n]) => `${t}:${((100 * n) / msgs.length).toFixed(1)}%`)
    .join(',');
}

/**
 * Runs fn repeatedly for `rounds` rounds of ~roundMs of this process's CPU time each; returns
 * per-round rates in units per CPU-second. CPU time (process.cpuUsage, all threads of the process,
 * so GC and compiler threads count against us) rather than wall time, because the machine is
 * shared: other processes taking the core would otherwise show up as a slower codec.
 */
export function measure(fn: () => number, rounds: number, roundMs: number): number[] {
  const rates: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const cpuUs = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  for (let r = 0; r < rounds; r++) {
    gc?.();
    const t0 = cpuUs();
    const limit = roundMs * 1000;
    let n = 0;
    let dt = 0;
    do {
      n += fn();
      dt = cpuUs() - t0;
    } while (dt < limit);
    rates.push(n / (dt / 1e6));
  }
  return rates;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
