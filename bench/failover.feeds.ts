// Child process of bench/failover.recovery.bench.ts: the feed handlers (firms × OMD-C + OMD-CC) in
// their own process, so that hundreds of handlers decoding every datagram do not share the venue's
// event loop. Over IPC: `start` (venue configuration, firms), `ready` once every handler is in sync
// at the primary, `loss`, then `publishers` (the backup publishers' next sequence number and books
// digest per channel, sent by the parent after each change): a handler has recovered when DR
// completed, it is in sync and every channel is at a number the backup publisher announced, with
// its books then. `report`, `close`.
import { SharedMulticastReceivers, systemClock } from '../src/wire/index.ts';
import { cpuMsSince } from './report.ts';
import { FeedHandler, type DrEvent, type OmdService, type RefreshCompleteEvent } from '../src/omd/index.ts';
import { feedConfigOf, type VenueConfig } from '../src/venue/index.ts';

export interface FeedFigures {
  id: string;
  firstBackupAt: number | null;
  recoveredAt: number | null;
  refreshedAt: number | null;
}

/** Per service, per channel: the backup publisher's next sequence number and books digest. */
export type PublisherState = Record<string, Record<string, { nextSeq: number; digest: string }>>;

export type ToFeeds =
  | { type: 'start'; venue: VenueConfig; firms: [number, number] }
  | { type: 'loss' }
  | { type: 'publishers'; state: PublisherState }
  | { type: 'report' }
  | { type: 'close' };

export type FromFeeds =
  | { type: 'ready' }
  | { type: 'progress'; answered: number; recovered: number; comparing: number }
  | { type: 'report'; feeds: FeedFigures[]; cpuMsSinceLoss: number }
  | { type: 'error'; message: string };

const send = (m: FromFeeds) => process.send!(m);
let lossDone = false;

/** A feed handler that notes its first datagram after the loss (the backup's: the primary is cut off). */
class TimedFeedHandler extends FeedHandler {
  figures!: FeedFigures;
  override onDatagram(channelId: number, line: 'A' | 'B', buf: Uint8Array): void {
    if (lossDone && this.figures.firstBackupAt === null) this.figures.firstBackupAt = Date.now();
    super.onDatagram(channelId, line, buf);
  }
}

const feeds: Array<{ service: OmdService; h: TimedFeedHandler; f: FeedFigures; channels: VenueConfig['feeds'][OmdService]['channels'] }> = [];

async function start(m: Extract<ToFeeds, { type: 'start' }>): Promise<void> {
  const venue = m.venue;
  // One socket per group for the process's handlers, as on a feed host: the kernel's copy per
  // member socket happens in the publisher's send on one machine, a switch's job on a LAN.
  const shared = new SharedMulticastReceivers();
  for (const s of venue.subscribers.slice(m.firms[0], m.firms[1])) {
    for (const service of ['OMD-C', 'OMD-CC'] as const) {
      const h = new TimedFeedHandler(feedConfigOf(venue, service), {
        rtsUsername: s[service]!.rtsUsername,
        clock: systemClock,
        arbitrationTimeoutMs: 20,
        rts: { responseTimeoutMs: 2_000 },
        join: shared.join,
      });
      const f: FeedFigures = { id: s[service]!.rtsUsername, firstBackupAt: null, recoveredAt: null, refreshedAt: null };
      h.figures = f;
      h.on('dr', (e: DrEvent) => {
        if (lossDone && f.firstBackupAt === null && e.status >= 1) f.firstBackupAt = Date.now();
      });
      const channels = venue.feeds[service].channels;
      const refreshed = new Set<number>();
      h.on('refresh-complete', (e: RefreshCompleteEvent) => {
        if (!lossDone || f.refreshedAt !== null) return;
        refreshed.add(e.channelId);
        if (refreshed.size === channels.length) f.refreshedAt = Date.now();
      });
      feeds.push({ service, h, f, channels });
    }
  }
  for (const x of feeds) await x.h.start();
  const end = Date.now() + 60_000;
  while (!feeds.every((x) => x.h.synchronised)) {
    if (Date.now() > end) throw new Error('feeds not in sync at the primary within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  send({ type: 'ready' });
}

/**
 * Recovered: DR completed, in sync, and every channel at a number the backup publisher announced,
 * with the books it had then. Announcements and datagrams race (IPC against multicast, each market
 * tick moves the numbers on), so each channel's recent announcements are kept, not only the last.
 */
const announced = new Map<string, Map<number, string>>();
const ANNOUNCEMENTS_KEPT = 400;
/** Per handler, the numbers its books were last compared at (a digest is costly to compute). */
const compared = new WeakMap<object, string>();

function remember(state: PublisherState): void {
  for (const [service, channels] of Object.entries(state)) {
    for (const [channelId, { nextSeq, digest }] of Object.entries(channels)) {
      const key = `${service}/${channelId}`;
      let seen = announced.get(key);
      if (!seen) announced.set(key, (seen = new Map()));
      seen.set(nextSeq, digest);
      if (seen.size > ANNOUNCEMENTS_KEPT) seen.delete(seen.keys().next().value!);
    }
  }
}

/** Returns the handlers in sync after the DR that have not yet matched an announcement. */
function check(): number {
  const now = Date.now();
  let comparing = 0;
  for (const x of feeds) {
    if (x.f.recoveredAt !== null || x.f.firstBackupAt === null) continue;
    if (x.h.drState !== 'DR_COMPLETED' || !x.h.synchronised) continue;
    comparing++;
    // Numbers first (cheap), the digests only at announced numbers not yet compared there.
    const at = x.channels.map((c) => x.h.status(c.channelId).expected);
    const wanted = x.channels.map((c, i) => announced.get(`${x.service}/${c.channelId}`)?.get(at[i]!));
    if (wanted.some((d) => d === undefined)) continue;
    const where = at.join(',');
    if (compared.get(x) === where) continue;
    compared.set(x, where);
    if (x.channels.every((c, i) => x.h.image(c.channelId).digest(c.product) === wanted[i])) {
      x.f.recoveredAt = now;
      comparing--;
    }
  }
  return comparing;
}

let progress: ReturnType<typeof setInterval> | null = null;
/** process.cpuUsage() at the loss: the report says how much CPU this process took since. */
let cpuAtLoss: NodeJS.CpuUsage | null = null;
const cpuMsSinceLoss = () => (cpuAtLoss === null ? 0 : cpuMsSince(cpuAtLoss));
process.on('message', (m: ToFeeds) => {
  switch (m.type) {
    case 'start':
      start(m).catch((e: unknown) => send({ type: 'error', message: (e as Error).stack ?? String(e) }));
      return;
    case 'loss':
      cpuAtLoss = process.cpuUsage();
      lossDone = true;
      progress = setInterval(() => {
        // A handler behind the announcement when it came reaches it later.
        const comparing = check();
        send({
          type: 'progress',
          answered: feeds.filter((x) => x.f.firstBackupAt !== null).length,
          recovered: feeds.filter((x) => x.f.recoveredAt !== null).length,
          comparing,
        });
      }, 5);
      return;
    case 'publishers':
      remember(m.state);
      check();
      return;
    case 'report':
      send({ type: 'report', feeds: feeds.map((x) => x.f), cpuMsSinceLoss: cpuMsSinceLoss() });
      return;
    case 'close':
      if (progress !== null) clearInterval(progress);
      void Promise.race([Promise.allSettled(feeds.map((x) => x.h.stop())), new Promise((r) => setTimeout(r, 5_000))]).then(() => process.exit(0));
      return;
    default:
  }
});
process.on('disconnect', () => process.exit(0)); // the parent is gone: nothing left to measure
