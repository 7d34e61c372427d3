// omd.encode — OMD-C messages per CPU-second encoded into wire packets (PacketBuilder, ≤ 1472 bytes), one
// core. Goal ≥ 10,000,000 msg/s. Reported value: the hot path writing into the builder's reused
// buffer (finishView, as a publisher hands it to socket.send); finish() (a fresh copy per packet)
// is shown in extra.
import { bench } from './report.ts';
import { PacketBuilder, type OmdMessage } from '../src/omd/index.ts';
import { benchMix, measure, median, mixSummary, packMix } from './omd-mix.ts';

const msgs: OmdMessage[] = benchMix();
const total = msgs.length;
const expectedPackets = packMix(msgs).length;
const builder = new PacketBuilder();
const sendTime = 1767922200000000000n;
let bytes = 0;

function pass(copy: boolean): number {
  const b = builder;
  let seq = 1;
  let packets = 0;
  b.start(seq, sendTime);
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!;
    if (!b.add(m)) {
      bytes += (copy ? b.finish() : b.finishView()).length;
      packets++;
      seq += b.count;
      b.start(seq, sendTime);
      b.add(m);
    }
  }
  bytes += (copy ? b.finish() : b.finishView()).length;
  packets++;
  if (packets !== expectedPackets) throw new Error('packet count mismatch');
  return total;
}
const viewPass = (): number => pass(false);
const copyPass = (): number => pass(true);

measure(viewPass, 1, 1000);
measure(copyPass, 1, 600);
const viewRates = measure(viewPass, 7, 700);
const copyRates = measure(copyPass, 4, 600);
const v = median(viewRates);
const c = median(copyRates);

bench('omd.encode', Math.round(v), 'msg/s', {
  ns_per_msg: (1e9 / v).toFixed(1),
  api: 'PacketBuilder.finishView',
  best: Math.round(Math.max(...viewRates)),
  copy_msg_s: Math.round(c),
  packets_per_pass: expectedPackets,
  mix: mixSummary(msgs),
  sink: bytes % 65536,
});
