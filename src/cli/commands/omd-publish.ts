// `failover-drill omd publish`: a simulated OMD-C / OMD-CC exchange feed on
// loopback multicast (lines A/B, refresh, DR channel, RTS), driven by the seeded
// market generator, optionally captured to a pcap file.
import type { Command } from '../command.ts';
import { numberOption, UsageError } from '../command.ts';
import { closeWithin, untilStopped } from './omd-shutdown.ts';
import { loopbackFeed, MarketGenerator, OMD_PRODUCTS, OmdPublisher, type OmdMessage, type OmdProduct, type OmdService } from '../../omd/index.ts';

const PRODUCTS = OMD_PRODUCTS;
/** OMD-C default: the four licensed products and the two complimentary feeds, each on its own channel (spec §3.1). */
const OMD_C_DEFAULT: readonly OmdProduct[] = ['SS', 'SP', 'SF', 'Index', 'OddLot', 'StockConnect'];

const command: Command = {
  name: 'omd publish',
  summary: 'Publish a simulated OMD-C / OMD-CC feed (lines A/B, refresh, DR channel, retransmission server)',
  details: [
    'Channel i of the feed uses groups 239.<group-base>.<i>.{1,2,3} (line A, line B, refresh) on port',
    '<port-base> + i; the DR channel uses <i> = 0; the RTS listens on <port-base> + 900 and + 901.',
    'Every channel starts with a Sequence Reset; idle channels send heartbeats every 2 s.',
  ].join('\n'),
  options: {
    service: { type: 'string', default: 'OMD-C', value: 'OMD-C|OMD-CC', description: 'Which service to simulate' },
    products: {
      type: 'string',
      value: 'LIST',
      description: `Comma-separated channel products, one channel each (${OMD_PRODUCTS.join(', ')}; default ${OMD_C_DEFAULT.join(',')} for OMD-C, one CC channel per market for OMD-CC)`,
    },
    'group-base': { type: 'string', value: 'N', description: 'Second octet of the 239.x groups (default 101 for OMD-C, 102 for OMD-CC)' },
    'port-base': { type: 'string', value: 'PORT', description: 'Base UDP port (default 51000 for OMD-C, 52000 for OMD-CC)' },
    interface: { type: 'string', default: '127.0.0.1', value: 'ADDR', description: 'Interface to send on (loopback pins multicast to lo)' },
    rate: { type: 'string', default: '1000', value: 'MSG/S', description: 'Real-time messages per second over all channels' },
    duration: { type: 'string', default: '10', value: 'S', description: 'Seconds to run; 0 = until interrupted' },
    seed: { type: 'string', default: '1', value: 'N', description: 'Generator seed (same seed, same messages)' },
    securities: { type: 'string', default: '50', value: 'N', description: 'Number of securities' },
    pcap: { type: 'string', value: 'FILE', description: 'Also write every datagram sent to FILE (classic pcap, Ethernet)' },
    'refresh-interval': { type: 'string', default: '10000', value: 'MS', description: 'Refresh cycle period per channel in ms (0 = never)' },
    'rts-users': { type: 'string', default: 'TESTUSER01', value: 'LIST', description: 'Comma-separated usernames accepted by the retransmission server' },
  },
  async run(values) {
    const service = String(values['service']) as OmdService;
    if (service !== 'OMD-C' && service !== 'OMD-CC') throw new UsageError(`--service: expected OMD-C or OMD-CC, got ${service}`);
    // Without --products, OMD-CC gets one channel per market (loopbackFeed's default, spec §8.1).
    const products =
      typeof values['products'] === 'string'
        ? (values['products'].split(',').map((p) => p.trim()) as OmdProduct[])
        : service === 'OMD-CC'
          ? undefined
          : [...OMD_C_DEFAULT];
    for (const p of products ?? []) if (!PRODUCTS.includes(p)) throw new UsageError(`--products: unknown product ${p} (one of ${PRODUCTS.join(', ')})`);
    if (service === 'OMD-CC' && products?.some((p) => p !== 'CC')) throw new UsageError('--products: OMD-CC carries only CC channels');
    if (service === 'OMD-C' && products?.includes('CC')) throw new UsageError('--products: CC channels belong to --service OMD-CC');
    const groupBase =
      values['group-base'] === undefined ? (service === 'OMD-CC' ? 102 : 101) : numberOption(values, 'group-base', { integer: true, min: 0, max: 255 });
    const basePort =
      values['port-base'] === undefined ? (service === 'OMD-CC' ? 52000 : 51000) : numberOption(values, 'port-base', { integer: true, min: 1024, max: 64000 });
    const rate = numberOption(values, 'rate', { min: 0 });
    const duration = numberOption(values, 'duration', { min: 0 });
    const seed = numberOption(values, 'seed', { integer: true });
    const securities = numberOption(values, 'securities', { integer: true, min: 1, max: 20000 });
    const refreshIntervalMs = numberOption(values, 'refresh-interval', { integer: true, min: 0 });
    const users = String(values['rts-users'])
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    if (users.some((u) => u.length > 12)) throw new UsageError('--rts-users: a Logon Username has at most 12 characters (OMD-C 3.5.1)');

    const cfg = { ...loopbackFeed({ service, ...(products ? { products } : {}), groupBase, basePort }), interface: String(values['interface']) };
    const pcapFile = typeof values['pcap'] === 'string' ? values['pcap'] : undefined;
    const pub = new OmdPublisher(cfg, { refreshIntervalMs, refreshPacketsPerMs: 20, rts: { users }, ...(pcapFile ? { pcapFile } : {}) });
    // The generator stamps TSS StartDateTime, IndexTime, trade and news times: on the publisher's clock (the
    // session's own day and time), not the generator's fixed default day.
    const gen = new MarketGenerator({ seed, securities, service, channels: cfg.channels, startTimeMs: Date.now() });

    await pub.start(); // a signal before this point has its default effect (the OS closes the sockets)
    const stopped = untilStopped(duration);
    const started = Date.now();
    for (const b of gen.startOfDay()) pub.publish(b.channelId, b.msgs);
    const sodMessages = pub.counters.messages;
    console.error(
      `omd publish: ${service} ${cfg.channels.map((c) => `${c.channelId}:${c.product}${c.market ? `/${c.market}` : ''}@${c.lineA.group}/${c.lineB.group}:${c.lineA.port}`).join(' ')} DR ${cfg.drChannel.lineA.group}:${cfg.drChannel.lineA.port} RTS ${pub.rtsEndpoints.map((e) => `${e.host}:${e.port}`).join(',')}`,
    );

    let flowMessages = 0;
    const tick = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      // Everything due in this 10 ms tick goes out as one publish per channel, so packets fill up.
      const perChannel = new Map<number, OmdMessage[]>();
      while (flowMessages < due) {
        for (const b of gen.next(Date.now())) {
          let l = perChannel.get(b.channelId);
          if (!l) perChannel.set(b.channelId, (l = []));
          l.push(...b.msgs);
          flowMessages += b.msgs.length;
        }
      }
      for (const [channelId, msgs] of perChannel) pub.publish(channelId, msgs);
    }, 10);
    await stopped;
    clearInterval(tick);
    await closeWithin('omd publish', () => pub.stop());
    const c = pub.counters;
    const secs = (Date.now() - started) / 1000;
    console.log(
      `omd publish: service=${service} channels=${cfg.channels.length} seconds=${secs.toFixed(1)} messages=${c.messages} (start-of-day ${sodMessages})` +
        ` lineA=${c.lineA.packets}pkt+${c.lineA.heartbeats}hb lineB=${c.lineB.packets}pkt+${c.lineB.heartbeats}hb` +
        ` refresh=${c.refresh.packets}pkt+${c.refresh.heartbeats}hb/${c.refreshCycles}cycles dr=${c.dr.packets}pkt+${c.dr.heartbeats}hb` +
        `${pcapFile ? ` pcap=${pcapFile}` : ''}`,
    );
    return 0;
  },
};
export default command;
