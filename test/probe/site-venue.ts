// The real two-site venue (src/venue Site, both sites in this process on loopback aliases unique
// to the test process) with accelerated timers, and probe options to match.
import { defaultVenueConfig, probeConfigFor, startEmbeddedVenue, type Site, type VenueConfig } from '../../src/venue/index.ts';
import { generateVenueKeyPair } from '../../src/ocg/index.ts';
import type { OmdService } from '../../src/omd/index.ts';
import type { ProbeFaults, ProbeOptions } from '../../src/probe/index.ts';

let keys: { privateKeyPem: string } | null = null;
let counter = 0;

export function siteVenueConfig(subscribers: number): VenueConfig {
  keys ??= generateVenueKeyPair();
  counter++;
  const a = 20 + ((process.pid + 101) % 200);
  const b = ((counter * 11 + Math.floor(Math.random() * 200)) % 250) + 1;
  return defaultVenueConfig({
    subscribers,
    session: 'PS-PROBE',
    primaryHost: `127.${a}.${b}.2`,
    backupHost: `127.${a}.${b}.3`,
    basePort: 27_000 + (process.pid % 20) * 100,
    groupBase: 10 + ((process.pid + counter * 2) % 100),
    privateKeyPem: keys.privateKeyPem,
    controlToken: 'probe-test-control-token-0123',
    timing: { replicationHeartbeatMs: 100, replicationTimeoutMs: 600, standbyWaitMs: 1_000, omdHeartbeatMs: 100, refreshIntervalMs: 300 },
    market: { eventsPerSecond: 200 },
  });
}

export interface SiteVenue {
  cfg: VenueConfig;
  primary: Site;
  backup: Site;
  active: () => Site;
  digest: (service: OmdService, channelId: number) => string | undefined;
  stop(): Promise<void>;
}

export async function startSiteVenue(subscribers: number): Promise<SiteVenue> {
  const cfg = siteVenueConfig(subscribers);
  const v = await startEmbeddedVenue(cfg, { marketTickMs: 20 });
  const active = () => (v.backup.state === 'active' ? v.backup : v.primary);
  return {
    cfg,
    primary: v.primary,
    backup: v.backup,
    active,
    digest: (service, channelId) => {
      const site = active();
      if (site.state !== 'active') return undefined;
      const pub = site.publisher(service);
      if (pub.mode !== 'active') return undefined;
      const product = cfg.feeds[service].channels.find((c) => c.channelId === channelId)?.product;
      return pub.image(channelId).digest(product);
    },
    stop: () => v.stop(),
  };
}

export function siteProbeOptions(v: SiteVenue, firm: string, faults: ProbeFaults = {}, extra: Partial<ProbeOptions> = {}): ProbeOptions {
  return {
    config: probeConfigFor(v.cfg, firm),
    faults,
    timeScale: 0.01,
    ocgTiming: { connectTimeoutMs: 300, lookupTimeoutMs: 300 },
    feed: { arbitrationTimeoutMs: 20, rts: { responseTimeoutMs: 500 } },
    venueDigest: v.digest,
    recoveryTimeoutMs: 7_000, // margin for a loaded machine; the neverRelookup case fails when it runs out
    verifyTimeoutMs: 3_000,
    ...extra,
  };
}
