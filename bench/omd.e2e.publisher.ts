// Child process of bench/omd.e2e.bench.ts: the exchange side. Publishes a paced
// generator stream on lines A and B so the handler process gets its own core.
//
// The generator makes ~100k msg/s on a two-core host, less than the rate under test,
// so a pool of events is generated before the timed window and replayed; each
// replay round shifts OrderIds (30–34) so the order-level books stay consistent.
// Aggregate book updates (53) replayed on a later book state may hit missing
// levels; both sides apply the same stream, so their images still must agree.
import { MarketGenerator, OmdPublisher, type FeedConfig, type OmdMessage } from '../src/omd/index.ts';

interface StartCmd {
  cmd: 'start';
  cfg: FeedConfig;
  securities: number;
  rate: number;
  durationMs: number;
  poolMessages: number;
  rtsUser: string;
  lossBoth: number;
}
type Cmd = StartCmd | { cmd: 'go' } | { cmd: 'digest' } | { cmd: 'exit' };

let pub: OmdPublisher | null = null;
let start: StartCmd | null = null;
let pool: { channelId: number; msgs: OmdMessage[] }[] = [];
let refreshTimer: NodeJS.Timeout | undefined;
let going = false;

const send = (m: unknown) => process.send!(m);

function shift(m: OmdMessage, round: bigint): OmdMessage {
  if (round === 0n) return m;
  switch (m.msgType) {
    case 30:
    case 31:
    case 32:
    case 33:
    case 34:
      return { ...m, orderId: m.orderId + (round << 40n) };
    default:
      return m;
  }
}

process.on('message', async (c: Cmd) => {
  if (c.cmd === 'start') {
    start = c;
    const gen = new MarketGenerator({
      seed: 42,
      securities: c.securities,
      channels: c.cfg.channels.map((x) => ({ channelId: x.channelId, product: x.product })),
    });
    // Refresh cycles of 2,000 full books are costly: send them by hand (often while the handler
    // synchronises, every 2 s during the run, as a recovery path).
    // Optional loss on both lines (OMD_BENCH_LOSS): the same datagram dropped on A and B, so recovery runs at speed.
    let dropNext = false;
    const lossFilter =
      c.lossBoth > 0
        ? (line: string, _ch: number, _f: number, n: number) => {
            if (!going || n === 0 || line === 'refresh') return false;
            if (line === 'A') dropNext = Math.random() < c.lossBoth;
            return dropNext;
          }
        : undefined;
    pub = new OmdPublisher(c.cfg, { heartbeatIntervalMs: 1000, refreshIntervalMs: 0, rts: { users: [c.rtsUser] }, ...(lossFilter ? { lossFilter } : {}) });
    await pub.start();
    for (const b of gen.startOfDay()) pub.publish(b.channelId, b.msgs);
    let n = 0;
    while (n < c.poolMessages)
      for (const b of gen.next()) {
        pool.push(b);
        n += b.msgs.length;
      }
    refreshTimer = setInterval(() => pub!.refreshNow(), 200);
    send({ ev: 'started', pool: n, rts: pub.rtsEndpoints });
  } else if (c.cmd === 'go') {
    clearInterval(refreshTimer);
    refreshTimer = setInterval(() => pub!.refreshNow(), 2000);
    going = true;
    run();
  } else if (c.cmd === 'digest') {
    const digests: Record<number, string> = {};
    let anomalies = 0;
    for (const ch of start!.cfg.channels) {
      const img = pub!.image(ch.channelId);
      digests[ch.channelId] = img.digest(ch.product);
      anomalies += img.anomalies.badPriceLevel + img.anomalies.unknownOrder;
    }
    send({ ev: 'digest', digests, anomalies });
  } else if (c.cmd === 'exit') {
    clearInterval(refreshTimer);
    await pub?.stop();
    process.exit(0);
  }
});

function run(): void {
  const p = pub!;
  const { rate, durationMs, cfg } = start!;
  const t0 = performance.now();
  let sent = 0;
  let i = 0;
  let round = 0n;
  const perChannel = new Map<number, OmdMessage[]>(cfg.channels.map((c) => [c.channelId, []]));
  const tick = () => {
    const now = performance.now() - t0;
    if (now >= durationMs) {
      clearInterval(refreshTimer);
      going = false;
      const nextSeq: Record<number, number> = {};
      for (const c of cfg.channels) nextSeq[c.channelId] = p.nextSeq(c.channelId);
      send({ ev: 'done', sent, elapsedMs: now, nextSeq });
      return;
    }
    // Pace: publish what the target rate allows so far, batched per channel into full packets.
    // A late tick (GC, scheduling) does not turn into one huge burst: at most ~4 ms worth at once.
    const target = Math.min((rate * now) / 1000, sent + rate / 250);
    while (sent < target) {
      const b = pool[i++]!;
      const out = perChannel.get(b.channelId)!;
      for (const m of b.msgs) out.push(shift(m, round));
      sent += b.msgs.length;
      if (i === pool.length) {
        i = 0;
        round++;
      }
    }
    for (const [id, msgs] of perChannel)
      if (msgs.length) {
        p.publish(id, msgs);
        msgs.length = 0;
      }
    setImmediate(tick);
  };
  tick();
}
