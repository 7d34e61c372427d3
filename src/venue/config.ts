// The venue's configuration: one practice session, two sites (primary and backup) with
// their addresses and ports, the OMD-C / OMD-CC feed layouts, the securities each trading service
// lists, and the subscribers with their identities per service. Loaded from YAML
// (`failover-drill site --config venue.yaml`) and validated with errors that name the field and
// its line (config-file.ts); `defaultVenueConfig()` builds the embedded default (both sites on loopback,
// 127.0.0.2 / 127.0.0.3). `probeConfigFor()` derives what one subscriber's probe needs
// (the probe defines that shape, src/probe config.ts).
//
// Ports: HKEX publishes the real ones in its Connectivity Guide (OMD-C §12 U7, OCG-C §1.2);
// here they are configuration. Each trading service (OTP-C, OTP-CSC) has its own lookup
// endpoints (CCCG sessions are separate from OCG-C ones, spec note ocg-c.md §5.14).
import type { VcmConfig } from './market-phases.ts';
import { randomBytes } from 'node:crypto';
import type { OcgService, LookupEndpoint } from '../ocg/index.ts';
import { generateVenueKeyPair, publicKeyOf } from '../ocg/index.ts';
import type { FeedConfig, OmdProduct, OmdService, RtsEndpoint } from '../omd/index.ts';
import { loopbackFeed } from '../omd/index.ts';
import type { SecurityDefinition } from './engine-types.ts';
import type { ProbeFeedIdentity, ProbeTradingIdentity, SubscriberProbeConfig } from '../probe/index.ts';

export const SITE_ROLES = ['primary', 'backup'] as const;
export type SiteRole = (typeof SITE_ROLES)[number];

export const OCG_SERVICES = ['OTP-C', 'OTP-CSC'] as const satisfies readonly OcgService[];
export const OMD_SERVICES = ['OMD-C', 'OMD-CC'] as const satisfies readonly OmdService[];

/** One trading service's endpoints at one site. */
export interface SiteTradingPorts {
  /** The site's two lookup endpoints (OCG-C §1.2: "primary" and "mirror" of this site). */
  lookupPrimary: number;
  lookupMirror: number;
  /**
   * The trading gateway. The Lookup Response names a Primary and a Secondary gateway (§3.2); a
   * site here runs one gateway per service and names it twice [INF: a mirror gateway sharing
   * live sessions with the first is not modelled].
   */
  gateway: number;
  /** OTP-C only: the OCG-C FIX gateway (src/fix), fixed address per site (no lookup, docs/spec-decisions.md). */
  fixGateway?: number;
}

/** Where one site listens. Every port is on `host`; 0 = pick a free port (tests only: a probe cannot be told). */
export interface SiteAddressConfig {
  /** Loopback alias in the embedded default (127.0.0.2 primary, 127.0.0.3 backup); a host address in a real drill. */
  host: string;
  /** Site control API (HTTP/JSON, Bearer token). */
  control: number;
  /** Journal link: the active site connects here to the standby site (TCP). */
  replication: number;
  trading: Record<OcgService, SiteTradingPorts>;
  /** Retransmission Service endpoints of this site, two per feed (OMD-C 3.4). */
  rts: Record<OmdService, [number, number]>;
}

/** A feed as src/omd describes it, minus the RTS endpoints (they come from the sites). */
export type FeedLayout = Omit<FeedConfig, 'rts'>;

export interface MarketConfig {
  /** Generator seed (src/omd MarketGenerator). */
  seed: number;
  /** Securities the background market generator publishes per feed. */
  securities: number;
  /** Generator events per second per feed while a site is active (0 = no background market). */
  eventsPerSecond: number;
  /** OTP-C Volatility Control Mechanism (market-phases.ts VcmConfig); absent = its defaults, false = off. */
  vcm?: VcmConfig | false;
}

/** A subscriber (firm) and the identities it uses per service (practice-session.md "Subscriber"). */
export interface SubscriberConfig {
  /** Firm id as known to the desk (the evidence `subscriber`). */
  firm: string;
  /** Participant name, for tables. */
  name: string;
  /** Participant code; also the Submitting Broker ID of its orders (OCG-C §5.1). */
  brokerId: string;
  /** Clear-text password of its Comp IDs (a test venue: the probe needs it, the site hashes it at start). */
  password: string;
  /** Registered source IPs (OCG-C §1.1: one + up to three backups); the lookup and gateway check them. */
  sourceIps: string[];
  /** OTP-C: trading Comp ID and drop copy Comp ID (OCG-C §1.1, ≤ 11 characters). */
  'OTP-C'?: { trading: string; dropCopy?: string };
  /** OTP-CSC: China Connect Comp ID. */
  'OTP-CSC'?: { trading: string; dropCopy?: string };
  /** OTP-C over FIX (src/fix): SenderCompID of the trading and of the drop copy session. */
  fix?: { trading: string; dropCopy?: string };
  /** OMD-C: Retransmission Service username. */
  'OMD-C'?: { rtsUsername: string };
  'OMD-CC'?: { rtsUsername: string };
}

/** Time values in ms; a drill at full scale keeps the defaults, accelerated runs shrink them. */
export interface VenueTiming {
  /** OMD heartbeat and DR-signal repeat cadence (OMD-C 3.4.1: about 2 s). */
  omdHeartbeatMs: number;
  /** Refresh cycle period per channel (Connectivity Guide) [INF default 10 s]. */
  refreshIntervalMs: number;
  /** Journal link heartbeat; the standby declares the link dead after `replicationTimeoutMs` of silence. */
  replicationHeartbeatMs: number;
  replicationTimeoutMs: number;
  /**
   * How long the active site holds acknowledgements while no standby is connected before it
   * carries on alone (then acknowledged orders are only at this site: status says so) [ours].
   */
  standbyWaitMs: number;
}

export interface VenueConfig {
  /** Practice-session id as known to the desk (the evidence `session`). */
  session: string;
  /** Bearer token of the site control API (both sites). */
  controlToken: string;
  /** Read-only Bearer token for GET /metrics (Prometheus); absent ⇒ /metrics takes the control token only. */
  metricsToken?: string;
  /** The venue's RSA private key, PEM (OCG-C §1.4); the probe gets the public half. */
  privateKeyPem: string;
  sites: Record<SiteRole, SiteAddressConfig>;
  feeds: Record<OmdService, FeedLayout>;
  market: MarketConfig;
  securities: Record<OcgService, SecurityDefinition[]>;
  subscribers: SubscriberConfig[];
  timing: VenueTiming;
  /** scrypt cost for hashing subscriber passwords at site start (cheap in the embedded default). */
  passwordHashCost?: { N: number; r: number; p: number };
  /**
   * OTP-CSC Northbound daily quota in currency units (yuan; price × quantity of buy orders): once
   * used up, buys are rejected (Execution Report '8', code 99 Other: the real code is unknown,
   * §5.14 [UNVERIFIED]). Absent ⇒ unlimited.
   */
  chinaConnectDailyQuota?: number;
  /**
   * Mutual TLS for the journal link and HTTPS for the control API (PEM text; in venue.yaml each of
   * cert, key, ca is a file path relative to the file, or inline PEM). Both sites' certificates
   * are signed by `ca` and name their site's host address.
   */
  tls?: { cert: string; key: string; ca: string };
}

/**
 * The control token of the embedded venue (`--role both`, `npm start`): fine inside one process,
 * refused by a site of its own, whose config must carry its own secret (`site --write-config`).
 */
export const DEFAULT_CONTROL_TOKEN = 'drill-control-token';

/** A fresh control token: 32 random bytes, base64url. */
export function newControlToken(): string {
  return randomBytes(32).toString('base64url');
}

export const DEFAULT_TIMING: VenueTiming = {
  omdHeartbeatMs: 2_000,
  refreshIntervalMs: 10_000,
  replicationHeartbeatMs: 500,
  replicationTimeoutMs: 3_000,
  standbyWaitMs: 5_000,
};

// ---------------------------------------------------------------------------------------------
// Derived views

/** The full feed config (with all four RTS endpoints: primary site first, OMD-C 3.4). */
export function feedConfigOf(cfg: VenueConfig, service: OmdService): FeedConfig {
  const rts: RtsEndpoint[] = [];
  for (const role of SITE_ROLES) {
    const s = cfg.sites[role];
    for (const port of s.rts[service]) rts.push({ host: s.host, port, site: role });
  }
  return { ...cfg.feeds[service], rts };
}

/** The four lookup endpoints of a trading service in the spec's order: PS-primary, PS-mirror, BS-primary, BS-mirror (OCG-C §1.2). */
export function lookupEndpointsOf(cfg: VenueConfig, service: OcgService): LookupEndpoint[] {
  const p = cfg.sites.primary,
    b = cfg.sites.backup;
  return [
    { host: p.host, port: p.trading[service].lookupPrimary, site: 'primary', name: 'PS-primary' },
    { host: p.host, port: p.trading[service].lookupMirror, site: 'primary', name: 'PS-mirror' },
    { host: b.host, port: b.trading[service].lookupPrimary, site: 'backup', name: 'BS-primary' },
    { host: b.host, port: b.trading[service].lookupMirror, site: 'backup', name: 'BS-mirror' },
  ];
}

/** Control API base URL of a site. */
export function controlUrlOf(cfg: VenueConfig, role: SiteRole): string {
  const s = cfg.sites[role];
  return `${cfg.tls ? 'https' : 'http'}://${s.host}:${s.control}`;
}

export function probeConfigFor(cfg: VenueConfig, firm: string): SubscriberProbeConfig {
  const sub = cfg.subscribers.find((s) => s.firm === firm);
  if (sub === undefined) throw new RangeError(`no subscriber ${firm} in the venue config`);
  const trading: ProbeTradingIdentity[] = [];
  for (const service of OCG_SERVICES) {
    const ids = sub[service];
    if (ids === undefined) continue;
    const lookup = lookupEndpointsOf(cfg, service);
    const securities = cfg.securities[service];
    trading.push({ service, compId: ids.trading, role: 'trading', lookup, securities });
    if (ids.dropCopy !== undefined) trading.push({ service, compId: ids.dropCopy, role: 'drop-copy', lookup, securities });
  }
  if (sub.fix !== undefined) {
    const addresses = (['primary', 'backup'] as const).flatMap((site) => {
      const port = cfg.sites[site].trading['OTP-C'].fixGateway;
      return port === undefined ? [] : [{ host: cfg.sites[site].host, port, site }];
    });
    const fix = { service: 'OTP-C' as const, lookup: [], securities: cfg.securities['OTP-C'], protocol: 'FIX' as const, addresses };
    trading.push({ ...fix, compId: sub.fix.trading, role: 'trading' });
    if (sub.fix.dropCopy !== undefined) trading.push({ ...fix, compId: sub.fix.dropCopy, role: 'drop-copy' });
  }
  const feeds: ProbeFeedIdentity[] = [];
  for (const service of OMD_SERVICES) {
    const ids = sub[service];
    if (ids !== undefined) feeds.push({ service, rtsUsername: ids.rtsUsername, feed: feedConfigOf(cfg, service) });
  }
  return {
    session: cfg.session,
    firm: sub.firm,
    name: sub.name,
    brokerId: sub.brokerId,
    password: sub.password,
    localAddress: sub.sourceIps[0]!,
    publicKeyPem: publicKeyOf(cfg.privateKeyPem),
    trading,
    feeds,
  };
}

/** Every Comp ID of a trading service → its firm and role. */
export function compIdsOf(cfg: VenueConfig, service: OcgService): Array<{ compId: string; firm: string; dropCopy: boolean; sub: SubscriberConfig }> {
  const out: Array<{ compId: string; firm: string; dropCopy: boolean; sub: SubscriberConfig }> = [];
  for (const sub of cfg.subscribers) {
    const ids = sub[service];
    if (ids === undefined) continue;
    out.push({ compId: ids.trading, firm: sub.firm, dropCopy: false, sub });
    if (ids.dropCopy !== undefined) out.push({ compId: ids.dropCopy, firm: sub.firm, dropCopy: true, sub });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Embedded default

export interface DefaultVenueOptions {
  /** Number of subscribers (firms F001 …). Default 3. */
  subscribers?: number;
  session?: string;
  primaryHost?: string;
  backupHost?: string;
  /**
   * First port of the block each site uses (same numbers on both hosts): lookup, gateways,
   * RTS, control, replication. Default 24000. Multicast ports are `basePort + 1000 …`.
   */
  basePort?: number;
  /** Second octet of the multicast groups: OMD-C uses it, OMD-CC uses it + 1. Default 101. */
  groupBase?: number;
  controlToken?: string;
  privateKeyPem?: string;
  /** Registered source IP of every subscriber. Default 127.0.0.1. */
  subscriberIp?: string;
  timing?: Partial<VenueTiming>;
  market?: Partial<MarketConfig>;
}

/** Four HK and four China Connect securities the trading services list (prices P3). */
export const DEFAULT_SECURITIES: Record<OcgService, SecurityDefinition[]> = {
  'OTP-C': [
    { securityId: '700', lotSize: 100, referencePrice: 395_800 },
    { securityId: '5', lotSize: 400, referencePrice: 64_350 },
    { securityId: '388', lotSize: 100, referencePrice: 297_400 },
    { securityId: '941', lotSize: 500, referencePrice: 72_100 },
  ],
  'OTP-CSC': [
    { securityId: '600519', lotSize: 100, referencePrice: 1_458_000 },
    { securityId: '601318', lotSize: 100, referencePrice: 52_130 },
    { securityId: '600036', lotSize: 100, referencePrice: 41_280 },
    { securityId: '000001', lotSize: 100, referencePrice: 11_450 },
  ],
};

export function defaultVenueConfig(opts: DefaultVenueOptions = {}): VenueConfig {
  const n = opts.subscribers ?? 3;
  const base = opts.basePort ?? 24_000;
  const group = opts.groupBase ?? 101;
  const site = (host: string): SiteAddressConfig => ({
    host,
    control: base + 1,
    replication: base + 2,
    trading: {
      'OTP-C': { lookupPrimary: base + 11, lookupMirror: base + 12, gateway: base + 21, fixGateway: base + 23 },
      'OTP-CSC': { lookupPrimary: base + 13, lookupMirror: base + 14, gateway: base + 22 },
    },
    rts: { 'OMD-C': [base + 31, base + 32], 'OMD-CC': [base + 33, base + 34] },
  });
  const layout = (service: OmdService, products: OmdProduct[], groupBase: number, basePort: number): FeedLayout => {
    const { rts: _rts, ...rest } = loopbackFeed({ service, products, groupBase, basePort });
    return rest;
  };
  const subscriberIp = opts.subscriberIp ?? '127.0.0.1';
  const subscribers: SubscriberConfig[] = [];
  for (let i = 1; i <= n; i++) {
    const firm = `F${String(i).padStart(3, '0')}`;
    subscribers.push({
      firm,
      name: `Simulated Broker ${i}`,
      brokerId: String(1000 + i),
      password: 'Drill2026',
      sourceIps: [subscriberIp],
      'OTP-C': { trading: `${firm}T`, dropCopy: `${firm}D` },
      'OTP-CSC': { trading: `${firm}C` },
      'OMD-C': { rtsUsername: `${firm}MD` },
      'OMD-CC': { rtsUsername: `${firm}MC` },
    });
  }
  return {
    session: opts.session ?? 'PS2',
    controlToken: opts.controlToken ?? DEFAULT_CONTROL_TOKEN,
    privateKeyPem: opts.privateKeyPem ?? generateVenueKeyPair().privateKeyPem,
    sites: { primary: site(opts.primaryHost ?? '127.0.0.2'), backup: site(opts.backupHost ?? '127.0.0.3') },
    feeds: {
      'OMD-C': layout('OMD-C', ['SS', 'SF', 'Index'], group, base + 1_000),
      'OMD-CC': layout('OMD-CC', ['CC'], group + 1, base + 2_000),
    },
    market: { seed: 7, securities: 20, eventsPerSecond: 200, ...opts.market },
    securities: structuredClone(DEFAULT_SECURITIES),
    subscribers,
    timing: { ...DEFAULT_TIMING, ...opts.timing },
    passwordHashCost: { N: 1024, r: 1, p: 1 },
  };
}
