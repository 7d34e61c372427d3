// `failover-drill omd listen`: the subscriber side of OMD-C / OMD-CC — a FeedHandler on
// a loopback feed layout, printing live statistics once a second.
import { numberOption, UsageError, type Command } from '../command.ts';
import { closeWithin, untilStopped } from './omd-shutdown.ts';
import { FeedHandler, loopbackFeed, OMD_PRODUCTS, type FeedHandlerCounters, type SuspectEvent, type OmdProduct, type OmdService } from '../../omd/index.ts';

const PRODUCTS = OMD_PRODUCTS;
/** OMD-C default: the four licensed products and the two complimentary feeds, each on its own channel (spec §3.1). */
const OMD_C_DEFAULT: readonly OmdProduct[] = ['SS', 'SP', 'SF', 'Index', 'OddLot', 'StockConnect'];

export interface ListenLine {
  t: number;
  msgPerSec: number;
  messages: number;
  gaps: number;
  recoveredByRts: number;
  recoveredByRefresh: number;
  duplicates: number;
  books: number;
  drState: string;
  stale: number;
  sequenceResets: number;
  decodeErrors: number;
  /** Packets beyond the ahead window, held back until confirmed (a forged or misrouted header). */
  suspect: number;
}

export function formatListenLine(l: ListenLine): string {
  return `t=${l.t}s msg/s=${l.msgPerSec} msgs=${l.messages} gaps=${l.gaps} rts=${l.recoveredByRts} refresh=${l.recoveredByRefresh} dup=${l.duplicates} books=${l.books} dr=${l.drState} stale=${l.stale} resets=${l.sequenceResets} decodeErr=${l.decodeErrors} suspect=${l.suspect}`;
}

const command: Command = {
  name: 'omd listen',
  summary: 'Join an OMD-C / OMD-CC feed (lines A+B, refresh, RTS, DR channel) and print live statistics',
  details: [
    'The feed layout is the loopback one of `omd publish` (groups 239.<group-base>.<channel>.{1,2,3},',
    'ports <port-base>+<channel>, RTS on <port-base>+900..903); use the same --service, --products,',
    '--group-base and --port-base on both sides. One line a second, updated in place on a terminal.',
  ].join('\n'),
  options: {
    service: { type: 'string', default: 'OMD-C', value: 'OMD-C|OMD-CC', description: 'Which service to join' },
    products: {
      type: 'string',
      value: 'LIST',
      description: `Comma-separated products, one channel each (default as omd publish: ${OMD_C_DEFAULT.join(',')} for OMD-C, one CC channel per market for OMD-CC)`,
    },
    'group-base': { type: 'string', value: 'N', description: 'Second octet of the multicast groups (default: 101 OMD-C, 102 OMD-CC)' },
    'port-base': { type: 'string', value: 'PORT', description: 'Base UDP port (default: 51000 OMD-C, 52000 OMD-CC)' },
    interface: { type: 'string', default: '127.0.0.1', value: 'ADDR', description: 'Interface to join on (loopback pins multicast to lo)' },
    'rts-user': { type: 'string', default: 'TESTUSER01', value: 'NAME', description: 'Retransmission server Logon username (≤ 12 characters)' },
    duration: { type: 'string', default: '0', value: 'S', description: 'Stop after S seconds (0 = until interrupted)' },
    json: { type: 'boolean', description: 'Print one JSON object per second instead of text' },
  },
  async run(values) {
    const service = String(values.service) as OmdService;
    if (service !== 'OMD-C' && service !== 'OMD-CC') throw new UsageError(`--service: expected OMD-C or OMD-CC, got ${values.service}`);
    // The same layout as omd publish: without --products, OMD-CC has one channel per market.
    const products: OmdProduct[] | undefined =
      typeof values.products === 'string'
        ? (values.products.split(',').map((p) => p.trim()) as OmdProduct[])
        : service === 'OMD-CC'
          ? undefined
          : [...OMD_C_DEFAULT];
    for (const p of products ?? []) if (!PRODUCTS.includes(p)) throw new UsageError(`--products: unknown product ${p} (one of ${PRODUCTS.join(', ')})`);
    const groupBase = values['group-base'] !== undefined ? numberOption(values, 'group-base', { integer: true, min: 0, max: 255 }) : undefined;
    const portBase = values['port-base'] !== undefined ? numberOption(values, 'port-base', { integer: true, min: 1024, max: 64000 }) : undefined;
    const duration = numberOption(values, 'duration', { min: 0 });
    const user = String(values['rts-user']);
    if (user.length > 12) throw new UsageError('--rts-user: at most 12 characters (OMD-C 3.5.1)');
    const cfg = loopbackFeed({
      service,
      ...(products ? { products } : {}),
      ...(groupBase !== undefined ? { groupBase } : {}),
      ...(portBase !== undefined ? { basePort: portBase } : {}),
    });
    cfg.interface = String(values.interface);

    const handler = new FeedHandler(cfg, { rtsUsername: user });
    // Suspect packets are logged, at most one line a second (a flood must not flood the log too).
    let suspectLoggedAt = -Infinity;
    handler.on('suspect', (e: SuspectEvent) => {
      const now = Date.now();
      if (now - suspectLoggedAt < 1000) return;
      suspectLoggedAt = now;
      console.error(
        `omd listen: suspect ${e.count === 0 ? 'heartbeat' : 'packet'} on channel ${e.channelId} line ${e.line}: SeqNum ${e.seq}, expected ${e.expected} (held back; ${handler.counters.suspect} so far)`,
      );
    });
    await handler.start();
    const stopped = untilStopped(duration);
    const tty = !values.json && process.stdout.isTTY === true;
    const started = Date.now();
    let prev: FeedHandlerCounters = handler.counters;
    const tick = () => {
      const c = handler.counters;
      let books = 0;
      let stale = 0;
      for (const id of handler.channelIds()) {
        books += handler.image(id).securities().length;
        if (handler.status(id).stale) stale++;
      }
      const line: ListenLine = {
        t: Math.round((Date.now() - started) / 1000),
        msgPerSec: c.messages - prev.messages,
        messages: c.messages,
        gaps: c.gapsSeen,
        recoveredByRts: c.recoveredByRts,
        recoveredByRefresh: c.recoveredByRefresh,
        duplicates: c.duplicates,
        books,
        drState: handler.drState,
        stale,
        sequenceResets: c.sequenceResets,
        decodeErrors: c.decodeErrors,
        suspect: c.suspect,
      };
      prev = c;
      if (values.json) process.stdout.write(JSON.stringify(line) + '\n');
      else if (tty) process.stdout.write(`\r${formatListenLine(line)}\x1b[K`);
      else process.stdout.write(formatListenLine(line) + '\n');
    };
    const timer = setInterval(tick, 1000);
    await stopped;
    clearInterval(timer);
    tick();
    if (tty) process.stdout.write('\n');
    await closeWithin('omd listen', () => handler.stop());
    return 0;
  },
};
export default command;
