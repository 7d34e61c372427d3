// `failover-drill demo` (what `npm start` runs until the two-site venue and the
// conductor exist): an accelerated market-data failover on loopback multicast.
// A primary-site publisher per service (OMD-C, OMD-CC) feeds several subscriber
// feed handlers; the demo loses packets on line A only, then on both lines, then
// loses the primary site, and a backup-site publisher takes over from the
// primary's exported state (OMD-C 2.2.4, spec/omd-c.md §4.5). One handler is
// deliberately faulty: it ignores the Disaster Recovery signal and keeps a stale
// book. The run ends with a table per subscriber and service.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { closeWithin } from './omd-shutdown.ts';
import type { Command } from '../command.ts';
import { numberOption } from '../command.ts';
import {
  FeedHandler,
  MarketGenerator,
  OmdPublisher,
  loopbackFeed,
  type FeedConfig,
  type OmdService,
  type PublisherLine,
  type RecoveredEvent,
} from '../../omd/index.ts';

type Phase = 'open' | 'loss-line-a' | 'loss-both-lines' | 'primary-lost' | 'backup-active';

interface Subscriber {
  name: string;
  service: OmdService;
  faulty?: string;
  handler: FeedHandler;
  recovered: RecoveredEvent[];
  gaps: number;
  drSignalsSeen: number;
  followedAt: number | null;
}

interface FeedRun {
  service: OmdService;
  cfg: FeedConfig;
  primary: OmdPublisher;
  backup: OmdPublisher;
  active: OmdPublisher;
  gen: MarketGenerator;
}

const command: Command = {
  name: 'demo',
  summary: 'Accelerated market-data failover on loopback (OMD-C and OMD-CC, primary → backup site)',
  details: [
    'Publishes a seeded market on loopback multicast for OMD-C (SS, SF, Index channels) and OMD-CC,',
    'with feed handlers as subscribers; drops packets on line A, then on both lines (recovered by',
    'retransmission), then fails the primary site over to the backup site (DR signal, refresh).',
    'Ends with a table per subscriber and service; the summary is written under --data.',
  ].join('\n'),
  options: {
    seconds: { type: 'string', default: '4', value: 'S', description: 'Seconds per phase (5 phases)' },
    rate: { type: 'string', default: '2000', value: 'EVENTS/S', description: 'Generator events per second per service' },
    subscribers: { type: 'string', default: '3', value: 'N', description: 'Feed handlers per service (one OMD-C handler is deliberately faulty)' },
    seed: { type: 'string', default: '7', value: 'N', description: 'Generator seed' },
    data: { type: 'string', default: './data', value: 'DIR', description: 'Where the summary JSON is written' },
  },
  async run(values) {
    const phaseMs = numberOption(values, 'seconds', { min: 0.5, max: 600 }) * 1000;
    const rate = numberOption(values, 'rate', { min: 10, max: 200_000 });
    const perService = numberOption(values, 'subscribers', { integer: true, min: 1, max: 20 });
    const seed = numberOption(values, 'seed', { integer: true });
    const dataDir = String(values['data']);

    let phase: Phase = 'open';
    // Loss as the backbone change causes it; the lossFilter hook decides per datagram.
    const loss = (line: PublisherLine, _ch: number, _first: number, count: number): boolean => {
      if (count === 0 || line === 'refresh') return false;
      if (phase === 'loss-line-a') return line === 'A' && Math.random() < 0.3;
      if (phase === 'loss-both-lines') return Math.random() < 0.02;
      return false;
    };

    const feeds: FeedRun[] = [];
    const subs: Subscriber[] = [];
    const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);
    // SIGINT / SIGTERM end the demo at once: every wait is abortable, and closing has a deadline.
    const interrupted = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => {
      log(`${sig}: stopping`);
      interrupted.abort(sig);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const sleep = (ms: number) => delay(ms, undefined, { signal: interrupted.signal });
    try {
      for (const [i, service] of (['OMD-C', 'OMD-CC'] as const).entries()) {
        const cfg = loopbackFeed({
          service,
          products: service === 'OMD-C' ? ['SS', 'SF', 'Index'] : ['CC'],
          groupBase: 201 + i,
          basePort: 46000 + 100 * i,
          rtsPorts: [0, 0, 0, 0],
        });
        const common = {
          heartbeatIntervalMs: 500,
          refreshIntervalMs: 1000,
          refreshPacketsPerMs: 20,
          rts: { users: Array.from({ length: perService }, (_, k) => `DEMO${k + 1}`) },
        };
        const primary = new OmdPublisher(cfg, { ...common, site: 'primary', lossFilter: loss });
        const backup = new OmdPublisher(cfg, { ...common, site: 'backup', drNumbering: 'continue', lossFilter: loss });
        await primary.start();
        await backup.start();
        const gen = new MarketGenerator({
          seed: seed + i,
          securities: service === 'OMD-C' ? 40 : 20,
          service,
          channels: cfg.channels.map((c) => ({ channelId: c.channelId, product: c.product })),
          startTimeMs: Date.now(),
        });
        for (const b of gen.startOfDay()) primary.publish(b.channelId, b.msgs);
        const run: FeedRun = { service, cfg, primary, backup, active: primary, gen };
        feeds.push(run);
        for (let k = 0; k < perService; k++) {
          const faulty = service === 'OMD-C' && k === perService - 1 && perService > 1 ? 'ignores the DR signal, keeps a stale book' : undefined;
          const handler = new FeedHandler(
            { ...cfg, rts: [...primary.rtsEndpoints, ...backup.rtsEndpoints] },
            {
              rtsUsername: `DEMO${k + 1}`,
              arbitrationTimeoutMs: 30,
              ...(faulty ? { ignoreDisasterRecovery: true } : {}),
            },
          );
          const sub: Subscriber = {
            name: `${service === 'OMD-C' ? 'MD' : 'CC'}-SUB${k + 1}`,
            service,
            handler,
            recovered: [],
            gaps: 0,
            drSignalsSeen: 0,
            followedAt: null,
            ...(faulty ? { faulty } : {}),
          };
          handler.on('recovered', (e: RecoveredEvent) => sub.recovered.push(e));
          handler.on('gap', () => sub.gaps++);
          handler.on('dr', (e: { state: string }) => {
            sub.drSignalsSeen++;
            if (e.state === 'DR_COMPLETED' && sub.followedAt === null) sub.followedAt = Date.now();
          });
          await handler.start();
          subs.push(sub);
        }
        log(
          `${service}: primary site publishing ${cfg.channels.map((c) => `${c.product}@${c.lineA.group}|${c.lineB.group}:${c.lineA.port}`).join(' ')}, ${perService} subscribers joined`,
        );
      }

      // Publish generator events at `rate` per service in 20 ms slices until `until`.
      const pump = async (ms: number) => {
        const end = Date.now() + ms;
        const perSlice = Math.max(1, Math.round(rate / 50));
        while (Date.now() < end) {
          for (const f of feeds) {
            if (f.active.mode !== 'active') continue;
            for (let i = 0; i < perSlice; i++) for (const b of f.gen.next()) f.active.publish(b.channelId, b.msgs);
          }
          await sleep(20);
        }
      };
      const progress = () => {
        for (const s of subs) {
          const c = s.handler.counters;
          log(
            `  ${s.name.padEnd(9)} msgs=${c.messages} dup=${c.duplicates} gaps=${c.gapsSeen} rts=${c.recoveredByRts} refresh=${c.recoveredByRefresh} dr=${s.handler.drState}`,
          );
        }
      };

      log('phase 1: primary site open, subscribers join and synchronise from refresh');
      await pump(phaseMs);
      progress();
      phase = 'loss-line-a';
      log('phase 2: line A loses 30% of its packets (line B intact) — arbitration should hide it');
      await pump(phaseMs);
      progress();
      phase = 'loss-both-lines';
      log('phase 3: both lines lose 2% of packets — gaps recovered by retransmission');
      await pump(phaseMs);
      phase = 'open';
      await pump(300);
      progress();

      phase = 'primary-lost';
      log('phase 4: primary site lost — DR signal 1, real-time silent; backup site takes over');
      const failoverAt = Date.now();
      for (const f of feeds) f.primary.beginDisasterRecovery();
      await sleep(Math.min(1000, phaseMs / 2));
      for (const f of feeds) {
        const state = f.primary.exportState();
        await f.primary.stop();
        f.backup.takeOver(state);
        f.active = f.backup;
      }
      phase = 'backup-active';
      log('phase 5: backup site active — DR signal 2, refresh, trading data continues');
      await pump(phaseMs);
      // Let the handlers drain and finish their refreshes before the verdict.
      await sleep(1500);
      progress();

      const rows = subs.map((s) => {
        const f = feeds.find((x) => x.service === s.service)!;
        const equal = f.cfg.channels.every((c) => s.handler.image(c.channelId).digest(c.product) === f.active.image(c.channelId).digest(c.product));
        const caughtUp = f.cfg.channels.every(
          (c) => s.handler.status(c.channelId).expected === f.active.nextSeq(c.channelId) && !s.handler.status(c.channelId).stale,
        );
        const followed = s.handler.drState === 'DR_COMPLETED';
        const passed = equal && caughtUp && followed;
        const reason = passed
          ? 'books equal to the backup site'
          : !followed
            ? 'did not follow the DR signal'
            : !equal
              ? 'books differ from the venue'
              : 'not caught up';
        const recoveryMs = s.followedAt !== null ? s.followedAt - failoverAt : null;
        return {
          subscriber: s.name,
          service: s.service,
          result: passed ? 'passed' : 'failed',
          reason,
          recoveryMs,
          gaps: s.gaps,
          byRts: s.recovered.filter((r) => r.via === 'rts').length,
          byRefresh: s.recovered.filter((r) => r.via === 'refresh').length,
          duplicates: s.handler.counters.duplicates,
          faulty: s.faulty ?? null,
        };
      });
      console.log('');
      console.log(
        ['subscriber', 'service', 'result', 'recovery', 'gaps', 'rts', 'refresh', 'reason'].map((h, i) => h.padEnd([10, 8, 7, 9, 5, 4, 8, 0][i]!)).join(' '),
      );
      for (const r of rows) {
        console.log(
          [
            r.subscriber.padEnd(10),
            r.service.padEnd(8),
            r.result.padEnd(7),
            (r.recoveryMs === null ? '-' : `${r.recoveryMs} ms`).padEnd(9),
            String(r.gaps).padEnd(5),
            String(r.byRts).padEnd(4),
            String(r.byRefresh).padEnd(8),
            r.reason + (r.faulty ? ` (deliberately faulty: ${r.faulty})` : ''),
          ].join(' '),
        );
      }
      mkdirSync(dataDir, { recursive: true });
      const out = join(dataDir, 'omd-demo-summary.json');
      writeFileSync(out, JSON.stringify({ finishedAt: new Date().toISOString(), phaseMs, rate, rows }, null, 2));
      console.log(`\nsummary written to ${out}`);
      // Well-behaved subscribers must pass; the deliberately faulty one must fail.
      const wrong = rows.filter((r) => (r.result === 'passed') === (r.faulty !== null));
      if (wrong.length) console.error(`unexpected outcome for ${wrong.map((r) => r.subscriber).join(', ')}`);
      return wrong.length ? 1 : 0;
    } catch (e) {
      if (interrupted.signal.aborted) return 130;
      throw e;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await closeWithin('demo', async () => {
        for (const s of subs) await s.handler.stop();
        for (const f of feeds) {
          await f.primary.stop();
          await f.backup.stop();
        }
      });
    }
  },
};

export default command;
