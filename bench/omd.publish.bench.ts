// omd.publish: real-time messages per second through OmdPublisher.publish() on one core —
// sequence numbering, packing into ≤1472-byte packets, the retransmission window, the
// channel's MarketImage and two loopback multicast sends (lines A and B) per packet.
// Messages come from generatorMix in batches of 20 (one publish call each).
import { bench } from './report.ts';
import { ManualClock } from '../src/wire/index.ts';
import { OmdPublisher, generatorMix, loopbackFeed } from '../src/omd/index.ts';

const msgs = generatorMix(1, 200_000);
const cfg = loopbackFeed({ products: ['SS'], groupBase: 209, basePort: 53900, rtsPorts: [0, 0, 0, 0] });
const pub = new OmdPublisher(cfg, { clock: new ManualClock(), refreshIntervalMs: 0 });
await pub.start();
const t0 = performance.now();
for (let i = 0; i < msgs.length; i += 20) pub.publish(1, msgs.slice(i, i + 20));
const secs = (performance.now() - t0) / 1000;
await pub.stop();
bench('omd.publish', Math.round(msgs.length / secs), 'msg/s', { messages: msgs.length, packets: pub.counters.lineA.packets });
