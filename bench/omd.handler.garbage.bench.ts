// omd.handler.garbage: a FeedHandler (two channels, lines A and B) fed N valid packets per run,
// once clean and once with a garbage datagram on line A after every valid packet (random bytes,
// truncated headers, 40-byte "heartbeats", bad MsgSize, PktSize lies, forged valid packets one
// million ahead, old numbers far behind). Prints the valid packets processed per second under
// garbage (per CPU second), the clean figure, their ratio and the stale time after the start-up refresh (feed time:
// the handler's clock advances 1 ms per 64 valid packets, then 1 s after the last).
// Goal: stale 0 ms and ratio >= 0.8. Datagrams go straight to FeedHandler.onDatagram (the code a
// multicast receiver calls), so the socket layer's own limits are not measured; the start-up
// refresh does come over loopback multicast.
import { createMulticastSender, ManualClock } from '../src/wire/index.ts';
import { decodePacket, encodePacket, FeedHandler, loopbackFeed, MarketGenerator, MarketImage, PacketBuilder, type OmdMessage } from '../src/omd/index.ts';
import { bench } from './report.ts';

const N = Number(process.env.GARBAGE_PACKETS ?? 60_000); // valid packets per run, both channels together
const ROUNDS = 5;
const T0 = 1767922200000000000n;

interface Valid {
  channelId: number;
  pkt: Uint8Array;
  seq: number;
}

/**
 * Deterministic valid traffic: the generator's messages for an SS and an SF channel, at most 8
 * per packet, and the image each channel must end with (every message of the kept packets).
 */
function validTraffic(): { packets: Valid[]; images: Map<number, MarketImage> } {
  const channels = [
    { channelId: 1, product: 'SS' as const },
    { channelId: 2, product: 'SF' as const },
  ];
  const gen = new MarketGenerator({ seed: 7, securities: 60, channels });
  const next = new Map(channels.map((c) => [c.channelId, 1]));
  const b = new PacketBuilder();
  const packets: Valid[] = [];
  const emit = (channelId: number, msgs: readonly OmdMessage[]) => {
    let i = 0;
    while (i < msgs.length) {
      const seq = next.get(channelId)!;
      b.start(seq, T0);
      while (i < msgs.length && b.count < 8 && b.add(msgs[i]!)) i++;
      packets.push({ channelId, pkt: b.finish(), seq });
      next.set(channelId, seq + b.count);
    }
  };
  for (const batch of gen.startOfDay()) emit(batch.channelId, batch.msgs);
  while (packets.length < N) for (const batch of gen.next()) emit(batch.channelId, batch.msgs);
  packets.length = N;
  const images = new Map(channels.map((c) => [c.channelId, new MarketImage()]));
  for (const p of packets) {
    const d = decodePacket(p.pkt);
    if (!d.ok) throw new Error(`bench traffic does not decode: ${d.message}`);
    for (const m of d.messages) images.get(p.channelId)!.apply(m);
  }
  return { packets, images };
}

/** A small seeded PRNG (xorshift32): the same garbage every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** One garbage datagram of kind k, near the live position `seq` where it matters. */
function garbage(k: number, seq: number, valid: Uint8Array, rnd: () => number): Uint8Array {
  const le16 = (b: Uint8Array, o: number, v: number) => {
    b[o] = v & 0xff;
    b[o + 1] = v >>> 8;
  };
  const le32 = (b: Uint8Array, o: number, v: number) => {
    b[o] = v & 0xff;
    b[o + 1] = (v >>> 8) & 0xff;
    b[o + 2] = (v >>> 16) & 0xff;
    b[o + 3] = v >>> 24;
  };
  switch (k % 8) {
    case 0: {
      // random bytes
      const b = new Uint8Array(1 + (rnd() % 1400));
      for (let i = 0; i < b.length; i++) b[i] = rnd() & 0xff;
      return b;
    }
    case 1:
      return valid.subarray(0, rnd() % 16); // truncated header
    case 2: {
      // MsgCount 0, PktSize 40: not a heartbeat
      const b = new Uint8Array(40);
      le16(b, 0, 40);
      le32(b, 4, seq + 3);
      return b;
    }
    case 3: {
      // a valid header whose first MsgSize is 0
      const b = valid.slice();
      if (b.length > 17) le16(b, 16, 0);
      return b;
    }
    case 4:
      return valid.subarray(0, valid.length - 1); // PktSize lies
    case 5:
      return encodePacket(seq + 1_000_000 + (rnd() % 1_000_000), T0, [{ msgType: 40, securityCode: 5, nominalPrice: 1 }]); // forged, far ahead
    case 6:
      return encodePacket(1 + (rnd() % seq), T0, [{ msgType: 40, securityCode: 5, nominalPrice: 1 }]); // old numbers (≤ the packet just sent)
    default: {
      // random header and body with a random SeqNum
      const b = new Uint8Array(16 + 4 * (1 + (rnd() % 50)));
      for (let i = 0; i < b.length; i++) b[i] = rnd() & 0xff;
      le16(b, 0, b.length);
      b[2] = 1 + (rnd() % 10);
      return b;
    }
  }
}

let portSlot = 0;

async function run(packets: Valid[], images: Map<number, MarketImage>, withGarbage: boolean) {
  const k = portSlot++;
  const cfg = loopbackFeed({ products: ['SS', 'SF'], groupBase: 196, basePort: 58_000 + 10 * k, rtsPorts: [] });
  const clock = new ManualClock();
  const h = new FeedHandler(cfg, { rtsUsername: 'BENCH', clock, rts: { enabled: false } });
  const tx = await createMulticastSender();
  try {
    await h.start();
    // Start-up refresh over loopback: an empty snapshot at LastSeqNum 0, repeated until both channels are live.
    let refreshSeq = 1;
    const deadline = Date.now() + 10_000;
    while (!h.synchronised) {
      if (Date.now() > deadline) throw new Error('no start-up refresh within 10 s');
      for (const c of cfg.channels) tx.send(encodePacket(refreshSeq, T0, [{ msgType: 203, lastSeqNum: 0 }]), c.refresh);
      refreshSeq++;
      await new Promise((r) => setTimeout(r, 5));
    }
    let staleSince = -1;
    let staleMs = 0;
    // Stale time in feed time (the handler's clock moves 1 ms per 64 valid packets, then 1 s at the end).
    h.on('stale', () => {
      if (staleSince < 0) staleSince = clock.now();
    });
    h.on('refresh-complete', () => {
      if (staleSince >= 0 && h.synchronised) {
        staleMs += clock.now() - staleSince;
        staleSince = -1;
      }
    });
    const rnd = prng(12345);
    const junk = withGarbage ? packets.map((p, i) => garbage(i, p.seq, p.pkt, rnd)) : [];
    // The garbage was built just now: collect before timing (bench/run.ts passes --expose-gc), so
    // the run does not pay for promoting the bench's own allocations.
    (globalThis as { gc?: () => void }).gc?.();
    // CPU time of this process, not wall time: the host is shared, and a descheduled run says nothing about the handler.
    const t0 = process.cpuUsage();
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      h.onDatagram(p.channelId, 'A', p.pkt);
      if (withGarbage) h.onDatagram(p.channelId, 'A', junk[i]!);
      h.onDatagram(p.channelId, 'B', p.pkt);
      if ((i & 63) === 63) clock.advance(1); // arbitration timers run as the feed goes
    }
    const used = process.cpuUsage(t0);
    const elapsed = (used.user + used.system) / 1e6;
    clock.advance(1_000);
    if (staleSince >= 0) staleMs += clock.now() - staleSince;
    let equal = true;
    for (const c of cfg.channels) if (h.image(c.channelId).digest(c.product) !== images.get(c.channelId)!.digest(c.product)) equal = false;
    const c = h.counters;
    return { rate: packets.length / elapsed, staleMs, equal, suspect: c.suspect, decodeErrors: c.decodeErrors, gaps: c.gapsSeen, synchronised: h.synchronised };
  } finally {
    await tx.close();
    await h.stop();
  }
}

const { packets, images } = validTraffic();
await run(packets.slice(0, 5_000), images, false); // warm-up (its images differ: not looked at)
// Alternate clean and garbage runs; the best rate of each (the host is shared), the worst stale time.
let clean = 0;
let dirty = 0;
let staleMs = 0;
let equal = true;
let last: Awaited<ReturnType<typeof run>> | null = null;
for (let r = 0; r < ROUNDS; r++) {
  const c = await run(packets, images, false);
  const g = await run(packets, images, true);
  clean = Math.max(clean, c.rate);
  dirty = Math.max(dirty, g.rate);
  staleMs = Math.max(staleMs, c.staleMs, g.staleMs);
  equal &&= c.equal && g.equal && g.synchronised;
  last = g;
}
bench('omd.handler.garbage', Math.round(dirty), 'pkt/s', {
  clean: Math.round(clean),
  ratio: (dirty / clean).toFixed(2),
  stale_ms: Math.round(staleMs),
  books_equal: equal ? 'yes' : 'no',
  packets: packets.length,
  garbage: packets.length,
  suspect: last!.suspect,
  decode_errors: last!.decodeErrors,
  gaps: last!.gaps,
});
