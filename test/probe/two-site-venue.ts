// A minimal two-site venue on loopback for probe tests, assembled from the real components:
// per trading service a MatchingEngine and one MemorySessionStore shared by the primary and the
// backup OcgGateway (standing in for the hot-standby journal), four LookupService endpoints
// (PS-primary, PS-mirror, BS-primary, BS-mirror); per feed a primary and a backup OmdPublisher
// (the backup takes over from the primary's exportState(), as the journal would carry it) and a
// MarketGenerator. The primary site's TCP endpoints sit behind FaultProxy so the loss can be a
// TCP reset of every connection or a silent black hole. Gives each firm its SubscriberProbeConfig.
import {
  generateVenueKeyPair,
  hashPassword,
  LookupService,
  MemorySessionStore,
  OcgGateway,
  profileFor,
  type CompIdConfig,
  type OcgService,
} from '../../src/ocg/index.ts';
import { MarketGenerator, OmdPublisher, loopbackFeed, type FeedConfig, type OmdProduct, type OmdService, type PublisherLine } from '../../src/omd/index.ts';
import { MatchingEngine, type SecurityDefinition } from '../../src/venue/index.ts';
import type { SubscriberProbeConfig } from '../../src/probe/index.ts';
import { systemClock } from '../../src/wire/index.ts';
import { FaultProxy } from './fault-proxy.ts';

export interface Firm {
  firm: string;
  brokerId: string;
  dropCopy?: boolean;
}

const PASSWORD = 'Drill2026';
const SECURITIES: Record<OcgService, SecurityDefinition[]> = {
  'OTP-C': [{ securityId: '700', lotSize: 100, referencePrice: 395_800 }],
  'OTP-CSC': [{ securityId: '600519', lotSize: 100, referencePrice: 1_458_000 }],
};

let keys: { publicKeyPem: string; privateKeyPem: string } | null = null;
let hash: string | null = null;

interface TradingSite {
  service: OcgService;
  engine: MatchingEngine;
  primary: OcgGateway;
  backup: OcgGateway;
  gwProxy: FaultProxy;
  lookups: LookupService[];
  lookupProxies: FaultProxy[];
}

interface FeedSite {
  service: OmdService;
  cfg: FeedConfig;
  handlerCfg: FeedConfig;
  primary: OmdPublisher;
  backup: OmdPublisher;
  active: OmdPublisher;
  gen: MarketGenerator;
  /** Data datagrams still to drop on both lines (a gap the feed handler must recover). */
  dropBoth: number;
}

export type LossShape = 'tcp-reset' | 'blackhole';

export class TwoSiteVenue {
  readonly firms: Firm[];
  readonly session = 'PS-TEST';
  active: 'primary' | 'backup' = 'primary';
  readonly trading: TradingSite[] = [];
  readonly feeds: FeedSite[] = [];
  #market: ReturnType<typeof setInterval> | null = null;
  #marketOn = true;
  #groupBase: number;
  #basePort: number;
  /** TCP ports below the ephemeral range (a reserved-then-freed ephemeral port can be taken meanwhile). */
  #tcpPort: number;

  constructor(firms: Firm[], opts: { groupBase: number; basePort: number }) {
    this.firms = firms;
    this.#groupBase = opts.groupBase;
    this.#basePort = opts.basePort;
    this.#tcpPort = 12_000 + ((process.pid * 7 + opts.groupBase) % 80) * 50;
  }

  #port(): number {
    return this.#tcpPort++;
  }

  static async start(firms: Firm[], opts: { groupBase: number; basePort: number }): Promise<TwoSiteVenue> {
    const v = new TwoSiteVenue(firms, opts);
    await v.#start();
    return v;
  }

  async #start(): Promise<void> {
    keys ??= generateVenueKeyPair();
    hash ??= hashPassword(PASSWORD, { N: 1024, r: 1, p: 1 });
    const privateKeyPem = keys.privateKeyPem;
    for (const service of ['OTP-C', 'OTP-CSC'] as const) {
      const compIds: CompIdConfig[] = [];
      for (const f of this.firms) {
        const base = { firm: f.firm, sourceIps: ['127.0.0.1'], passwordHash: hash, throttleMps: 0 };
        compIds.push({ compId: tradingId(f, service), ...base });
        if (f.dropCopy !== false) compIds.push({ compId: dropCopyId(f, service), ...base, dropCopy: true });
      }
      const engine = new MatchingEngine({ profile: profileFor(service), securities: SECURITIES[service] }, systemClock);
      const store = new MemorySessionStore();
      const gw = (name: string) =>
        new OcgGateway({
          service,
          name,
          privateKeyPem,
          host: '127.0.0.1',
          port: this.#port(),
          compIds,
          router: engine,
          store,
          passwordWorkers: 0,
          sessionTimers: { heartbeatIntervalMs: 200 } as never,
        });
      const primary = gw(`${service} primary`),
        backup = gw(`${service} backup`);
      await primary.start();
      await backup.start();
      await backup.stop(); // keeps its port; the backup gateway opens at the takeover
      const gwProxy = new FaultProxy(primary.address, this.#port());
      await gwProxy.listen();
      const site: TradingSite = { service, engine, primary, backup, gwProxy, lookups: [], lookupProxies: [] };
      const pair = (which: 'primary' | 'backup') => {
        const a = which === 'primary' ? gwProxy.address : backup.address;
        return { primary: a, secondary: a };
      };
      for (const [name, s] of [
        ['PS-primary', 'primary'],
        ['PS-mirror', 'primary'],
        ['BS-primary', 'backup'],
        ['BS-mirror', 'backup'],
      ] as const) {
        const l = new LookupService({
          name,
          site: s,
          host: '127.0.0.1',
          port: this.#port(),
          clients: (c) => primary.lookupEntry(c),
          gateways: () => (this.active === s ? pair(s) : null),
        });
        if (s === 'primary') {
          await l.open();
          const p = new FaultProxy(l.address, this.#port());
          await p.listen();
          site.lookupProxies.push(p);
        }
        site.lookups.push(l);
      }
      this.trading.push(site);
    }
    for (const [i, service] of (['OMD-C', 'OMD-CC'] as const).entries()) {
      const products: OmdProduct[] = service === 'OMD-C' ? ['SS', 'Index'] : ['CC'];
      const cfg = loopbackFeed({
        service,
        products,
        groupBase: this.#groupBase + i,
        basePort: this.#basePort + 100 * i,
        rtsPorts: [this.#port(), this.#port(), this.#port(), this.#port()],
      });
      const feed = { dropBoth: 0 } as FeedSite;
      const loss = (line: PublisherLine, _ch: number, _first: number, count: number): boolean => {
        if (count === 0 || line === 'refresh' || feed.dropBoth <= 0) return false;
        if (line === 'B') feed.dropBoth--;
        return true;
      };
      const common = { heartbeatIntervalMs: 100, refreshIntervalMs: 250, rts: { users: this.firms.map((f) => mdUser(f, service)) }, lossFilter: loss };
      const primary = new OmdPublisher(cfg, { ...common, site: 'primary' });
      const backup = new OmdPublisher(cfg, { ...common, site: 'backup', drNumbering: 'continue' });
      await primary.start();
      await backup.start();
      const gen = new MarketGenerator({
        seed: 11 + i,
        securities: 6,
        service,
        channels: cfg.channels.map((c) => ({ channelId: c.channelId, product: c.product })),
      });
      for (const b of gen.startOfDay()) primary.publish(b.channelId, b.msgs);
      Object.assign(feed, {
        service,
        cfg,
        handlerCfg: { ...cfg, rts: [...primary.rtsEndpoints, ...backup.rtsEndpoints] },
        primary,
        backup,
        active: primary,
        gen,
      });
      this.feeds.push(feed);
    }
    // A small market: a few events every 20 ms on the active site.
    this.#market = setInterval(() => {
      if (!this.#marketOn) return;
      for (const f of this.feeds) {
        if (f.active.mode !== 'active') continue;
        for (let k = 0; k < 3; k++) for (const b of f.gen.next()) f.active.publish(b.channelId, b.msgs);
      }
    }, 20);
  }

  market(on: boolean): void {
    this.#marketOn = on;
  }

  /** The next `n` data datagrams of the feed are lost on both lines. */
  gapOnBothLines(service: OmdService, n = 2): void {
    this.feeds.find((f) => f.service === service)!.dropBoth = n;
  }

  probeConfig(firm: string): SubscriberProbeConfig {
    const f = this.firms.find((x) => x.firm === firm)!;
    return {
      session: this.session,
      firm: f.firm,
      name: `Test firm ${f.firm}`,
      brokerId: f.brokerId,
      password: PASSWORD,
      localAddress: '127.0.0.1',
      publicKeyPem: keys!.publicKeyPem,
      trading: this.trading.flatMap((t) => {
        const lookup = [
          { ...t.lookupProxies[0]!.address, site: 'primary' as const, name: 'PS-primary' },
          { ...t.lookupProxies[1]!.address, site: 'primary' as const, name: 'PS-mirror' },
          { ...t.lookups[2]!.address, site: 'backup' as const, name: 'BS-primary' },
          { ...t.lookups[3]!.address, site: 'backup' as const, name: 'BS-mirror' },
        ];
        const ids = [{ service: t.service, compId: tradingId(f, t.service), role: 'trading' as const, lookup, securities: SECURITIES[t.service] }];
        if (f.dropCopy !== false)
          ids.push({ service: t.service, compId: dropCopyId(f, t.service), role: 'drop-copy' as never, lookup, securities: SECURITIES[t.service] });
        return ids;
      }),
      feeds: this.feeds.map((x) => ({ service: x.service, rtsUsername: mdUser(f, x.service), feed: x.handlerCfg })),
    };
  }

  /** The active site's books digest (the probe's venueDigest hook). */
  digest = (service: OmdService, channelId: number): string | undefined => {
    const f = this.feeds.find((x) => x.service === service);
    if (!f || f.active.mode !== 'active') return undefined;
    const product = f.cfg.channels.find((c) => c.channelId === channelId)?.product;
    return f.active.image(channelId).digest(product);
  };

  /** The backbone change: the primary site is cut off (reset or black hole), then fenced. */
  async losePrimary(shape: LossShape): Promise<void> {
    for (const t of this.trading) {
      for (const p of [t.gwProxy, ...t.lookupProxies]) {
        if (shape === 'tcp-reset') await p.reset();
        else p.blackhole();
      }
    }
    for (const f of this.feeds) {
      // A reset leaves the primary able to say DR 1; a black hole does not (the backup says it).
      if (shape === 'tcp-reset') f.primary.beginDisasterRecovery();
    }
  }

  /** The backup site takes over: its gateways and lookups open, its publishers take the journal's state. */
  async activateBackup(): Promise<void> {
    this.active = 'backup';
    for (const t of this.trading) {
      await t.primary.stop(); // fenced: accepts and keeps nothing
      await t.backup.start();
      await t.lookups[2]!.open();
      await t.lookups[3]!.open();
    }
    for (const f of this.feeds) {
      const state = f.primary.exportState();
      await f.primary.stop();
      f.backup.takeOver(state);
      f.active = f.backup;
    }
  }

  /** Services back to the primary site: the backup's sessions end, the primary opens again. */
  async failBack(): Promise<void> {
    this.active = 'primary';
    for (const t of this.trading) {
      await t.lookups[2]!.close();
      await t.lookups[3]!.close();
      await t.backup.stop();
      await t.primary.start();
      for (const p of [t.gwProxy, ...t.lookupProxies]) await p.restore();
    }
    for (const f of this.feeds) {
      f.backup.beginDisasterRecovery();
      const state = f.backup.exportState();
      await f.backup.stop();
      // A stopped publisher does not start again: a new one at the primary's RTS ports takes over
      // ("standby" role so it waits for takeOver instead of starting the day with a reset).
      const rts = f.primary.rtsEndpoints.map((e) => ({ ...e, site: 'backup' as const }));
      const back = new OmdPublisher(
        { ...f.cfg, rts },
        {
          heartbeatIntervalMs: 100,
          refreshIntervalMs: 250,
          rts: { users: this.firms.map((x) => mdUser(x, f.service)) },
          site: 'backup',
          drNumbering: 'continue',
        },
      );
      await back.start();
      back.takeOver(state);
      f.primary = back;
      f.active = back;
    }
  }

  async close(): Promise<void> {
    if (this.#market) clearInterval(this.#market);
    for (const t of this.trading) {
      for (const p of [t.gwProxy, ...t.lookupProxies]) await p.close();
      await Promise.all(t.lookups.map((l) => l.close()));
      await t.primary.close();
      await t.backup.close();
    }
    for (const f of this.feeds) {
      await f.primary.stop();
      await f.backup.stop();
    }
  }
}

export function tradingId(f: Firm, service: OcgService): string {
  return `${f.firm}${service === 'OTP-C' ? 'T' : 'C'}`;
}
export function dropCopyId(f: Firm, service: OcgService): string {
  return `${f.firm}${service === 'OTP-C' ? 'D' : 'E'}`;
}
export function mdUser(f: Firm, service: OmdService): string {
  return `${f.firm}${service === 'OMD-C' ? 'MD' : 'MC'}`;
}
