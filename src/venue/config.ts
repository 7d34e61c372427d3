// The venue's configuration: one practice session, two sites (primary and backup) with
// their addresses and ports, the OMD-C / OMD-CC feed layouts, the securities each trading service
// lists, and the subscribers with their identities per service. Loaded from YAML
// (`failover-drill site --config venue.yaml`) and validated with errors that name the field and
// its line; `defaultVenueConfig()` builds the embedded default (both sites on loopback,
// 127.0.0.2 / 127.0.0.3). `probeConfigFor()` derives what one subscriber's probe needs.
//
// Ports: HKEX publishes the real ones in its Connectivity Guide (OMD-C §12 U7, OCG-C §1.2);
// here they are configuration. Each trading service (OTP-C, OTP-CSC) has its own lookup
// endpoints (CCCG sessions are separate from OCG-C ones, spec note ocg-c.md §5.14).
import { DEFAULT_VCM } from './market-phases.ts';
import type { VcmConfig } from './market-phases.ts';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isIP } from 'node:net';
import { LineCounter, parseDocument } from 'yaml';
import type { OcgService, LookupEndpoint } from '../ocg/index.ts';
import { generateVenueKeyPair, publicKeyOf } from '../ocg/index.ts';
import type { ChannelConfig, FeedConfig, OmdProduct, OmdService, RtsEndpoint } from '../omd/index.ts';
import { loopbackFeed, OMD_PRODUCTS } from '../omd/index.ts';
import type { SecurityDefinition } from './engine-types.ts';

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
  const p = cfg.sites.primary, b = cfg.sites.backup;
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

export interface ProbeTradingIdentity {
  service: OcgService;
  compId: string;
  role: 'trading' | 'drop-copy';
  lookup: LookupEndpoint[];
  /** Securities listed on this service, for test orders (price P3, lot in shares). */
  securities: SecurityDefinition[];
}

export interface ProbeFeedIdentity {
  service: OmdService;
  rtsUsername: string;
  /** Layout with all four RTS endpoints (primary site first). */
  feed: FeedConfig;
}

/** What one subscriber's probe needs to follow the session (src/probe reads this). */
export interface SubscriberProbeConfig {
  session: string;
  firm: string;
  name: string;
  brokerId: string;
  password: string;
  /** Address the probe connects from: the first registered source IP. */
  localAddress: string;
  /** Venue's RSA public key, PEM (OCG-C §1.4, distributed out of band). */
  publicKeyPem: string;
  trading: ProbeTradingIdentity[];
  feeds: ProbeFeedIdentity[];
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
  const feeds: ProbeFeedIdentity[] = [];
  for (const service of OMD_SERVICES) {
    const ids = sub[service];
    if (ids !== undefined) feeds.push({ service, rtsUsername: ids.rtsUsername, feed: feedConfigOf(cfg, service) });
  }
  return {
    session: cfg.session, firm: sub.firm, name: sub.name, brokerId: sub.brokerId, password: sub.password,
    localAddress: sub.sourceIps[0]!, publicKeyPem: publicKeyOf(cfg.privateKeyPem), trading, feeds,
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
      firm, name: `Simulated Broker ${i}`, brokerId: String(1000 + i), password: 'Drill2026',
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

// ---------------------------------------------------------------------------------------------
// YAML loading and validation

/** One problem found in a venue config: dotted path, and the YAML line when known. */
export interface ConfigIssue {
  path: string;
  line?: number;
  message: string;
}

export class VenueConfigError extends Error {
  override name = 'VenueConfigError';
  readonly issues: ConfigIssue[];
  constructor(source: string, issues: ConfigIssue[]) {
    super(`${source}: invalid venue config\n` + issues.map((i) => `  ${i.line !== undefined ? `line ${i.line}: ` : ''}${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.issues = issues;
  }
}

type Path = Array<string | number>;

/** Collects issues with their paths while walking an untyped value. */
class Checker {
  readonly issues: Array<{ path: Path; message: string }> = [];

  fail(path: Path, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  obj(v: unknown, path: Path): Record<string, unknown> | undefined {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return this.fail(path, 'expected a mapping');
    return v as Record<string, unknown>;
  }

  str(o: Record<string, unknown>, key: string, path: Path, opts: { optional?: boolean; max?: number; pattern?: RegExp; what?: string } = {}): string | undefined {
    const v = o[key];
    if (v === undefined && opts.optional) return undefined;
    if (typeof v === 'number' && opts.pattern !== undefined && opts.pattern.test(String(v))) return String(v);
    if (typeof v !== 'string' || v.length === 0) return this.fail([...path, key], `expected a non-empty string${opts.what ? ` (${opts.what})` : ''}`);
    if (opts.max !== undefined && v.length > opts.max) return this.fail([...path, key], `at most ${opts.max} characters, got ${v.length}`);
    if (opts.pattern !== undefined && !opts.pattern.test(v)) return this.fail([...path, key], `${JSON.stringify(v)} is not ${opts.what ?? `of the form ${opts.pattern}`}`);
    return v;
  }

  int(o: Record<string, unknown>, key: string, path: Path, min: number, max: number, fallback?: number): number | undefined {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return this.fail([...path, key], `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    return v;
  }

  port(o: Record<string, unknown>, key: string, path: Path): number | undefined {
    return this.int(o, key, path, 0, 65_535);
  }

  ipv4(o: Record<string, unknown>, key: string, path: Path): string | undefined {
    const v = this.str(o, key, path);
    if (v === undefined) return undefined;
    if (isIP(v) !== 4) return this.fail([...path, key], `${JSON.stringify(v)} is not an IPv4 address`);
    return v;
  }

  list(o: Record<string, unknown>, key: string, path: Path, opts: { optional?: boolean; min?: number } = {}): unknown[] | undefined {
    const v = o[key];
    if (v === undefined && opts.optional) return undefined;
    if (!Array.isArray(v)) return this.fail([...path, key], 'expected a list');
    if (opts.min !== undefined && v.length < opts.min) return this.fail([...path, key], `expected at least ${opts.min} entries`);
    return v;
  }
}

const COMP_ID = /^[A-Za-z0-9]{1,11}$/;
const PRODUCTS: readonly OmdProduct[] = OMD_PRODUCTS;

function checkSite(c: Checker, v: unknown, path: Path): SiteAddressConfig | undefined {
  const o = c.obj(v, path);
  if (o === undefined) return undefined;
  const host = c.ipv4(o, 'host', path);
  const control = c.port(o, 'control', path);
  const replication = c.port(o, 'replication', path);
  const tradingRaw = c.obj(o['trading'], [...path, 'trading']);
  const trading: Partial<Record<OcgService, SiteTradingPorts>> = {};
  if (tradingRaw !== undefined) {
    for (const svc of OCG_SERVICES) {
      const p = [...path, 'trading', svc];
      const t = c.obj(tradingRaw[svc], p);
      if (t === undefined) continue;
      const lookupPrimary = c.port(t, 'lookupPrimary', p), lookupMirror = c.port(t, 'lookupMirror', p), gateway = c.port(t, 'gateway', p);
      if (lookupPrimary !== undefined && lookupMirror !== undefined && gateway !== undefined) trading[svc] = { lookupPrimary, lookupMirror, gateway };
      const fixGateway = svc === 'OTP-C' && t['fixGateway'] !== undefined ? c.port(t, 'fixGateway', p) : undefined;
      if (fixGateway !== undefined && trading[svc] !== undefined) trading[svc].fixGateway = fixGateway;
    }
  }
  const rtsRaw = c.obj(o['rts'], [...path, 'rts']);
  const rts: Partial<Record<OmdService, [number, number]>> = {};
  if (rtsRaw !== undefined) {
    for (const svc of OMD_SERVICES) {
      const l = c.list(rtsRaw, svc, [...path, 'rts']);
      if (l === undefined) continue;
      if (l.length !== 2 || !l.every((x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 65_535)) {
        c.fail([...path, 'rts', svc], 'expected two ports (OMD-C 3.4: two RTS endpoints per site)');
        continue;
      }
      rts[svc] = [l[0] as number, l[1] as number];
    }
  }
  if (host === undefined || control === undefined || replication === undefined || trading['OTP-C'] === undefined || trading['OTP-CSC'] === undefined || rts['OMD-C'] === undefined || rts['OMD-CC'] === undefined) return undefined;
  return { host, control, replication, trading: trading as Record<OcgService, SiteTradingPorts>, rts: rts as Record<OmdService, [number, number]> };
}

function checkEndpoint(c: Checker, v: unknown, path: Path): { group: string; port: number } | undefined {
  const o = c.obj(v, path);
  if (o === undefined) return undefined;
  const group = c.ipv4(o, 'group', path);
  const port = c.int(o, 'port', path, 1, 65_535);
  if (group !== undefined && !/^2(2[4-9]|3\d)\./.test(group)) return c.fail([...path, 'group'], `${group} is not a multicast group (224.0.0.0/4)`);
  return group !== undefined && port !== undefined ? { group, port } : undefined;
}

function checkFeed(c: Checker, v: unknown, service: OmdService, path: Path): FeedLayout | undefined {
  const o = c.obj(v, path);
  if (o === undefined) return undefined;
  // Shorthand: `loopback: { products, groupBase, basePort }` expands like src/omd loopbackFeed.
  if (o['loopback'] !== undefined) {
    const p = [...path, 'loopback'];
    const l = c.obj(o['loopback'], p);
    if (l === undefined) return undefined;
    const productsRaw = c.list(l, 'products', p, { optional: true, min: 1 });
    const products = productsRaw?.map((x, i) => (PRODUCTS.includes(x as OmdProduct) ? (x as OmdProduct) : c.fail([...p, 'products', i], `expected one of ${PRODUCTS.join(', ')}`)));
    const groupBase = c.int(l, 'groupBase', p, 1, 255, service === 'OMD-CC' ? 102 : 101);
    const basePort = c.int(l, 'basePort', p, 1, 65_000, service === 'OMD-CC' ? 52_000 : 51_000);
    if (products?.some((x) => x === undefined) || groupBase === undefined || basePort === undefined) return undefined;
    const { rts: _rts, ...rest } = loopbackFeed({ service, ...(products ? { products: products as OmdProduct[] } : {}), groupBase, basePort });
    return rest;
  }
  const iface = c.ipv4(o, 'interface', path) ?? '127.0.0.1';
  const chRaw = c.list(o, 'channels', path, { min: 1 });
  const channels: ChannelConfig[] = [];
  chRaw?.forEach((x, i) => {
    const p = [...path, 'channels', i];
    const ch = c.obj(x, p);
    if (ch === undefined) return;
    const channelId = c.int(ch, 'channelId', p, 1, 65_535);
    const product = PRODUCTS.includes(ch['product'] as OmdProduct) ? (ch['product'] as OmdProduct) : c.fail([...p, 'product'], `expected one of ${PRODUCTS.join(', ')}`);
    const lineA = checkEndpoint(c, ch['lineA'], [...p, 'lineA']);
    const lineB = checkEndpoint(c, ch['lineB'], [...p, 'lineB']);
    const refresh = checkEndpoint(c, ch['refresh'], [...p, 'refresh']);
    // OMD-CC: the market a channel carries (spec §8.1); absent = both.
    const market = ch['market'] === undefined ? undefined : ch['market'] === 'ASHR' || ch['market'] === 'ASZR' ? ch['market'] : c.fail([...p, 'market'], 'expected ASHR or ASZR');
    if (channelId !== undefined && product !== undefined && lineA && lineB && refresh) channels.push({ channelId, product, lineA, lineB, refresh, ...(market ? { market } : {}) });
  });
  const drRaw = c.obj(o['drChannel'], [...path, 'drChannel']);
  let drChannel: FeedLayout['drChannel'] | undefined;
  if (drRaw !== undefined) {
    const channelId = c.int(drRaw, 'channelId', [...path, 'drChannel'], 0, 65_535);
    const lineA = checkEndpoint(c, drRaw['lineA'], [...path, 'drChannel', 'lineA']);
    const lineB = checkEndpoint(c, drRaw['lineB'], [...path, 'drChannel', 'lineB']);
    if (channelId !== undefined && lineA && lineB) drChannel = { channelId, lineA, lineB };
  }
  const ids = new Set<number>();
  for (const ch of channels) {
    if (ids.has(ch.channelId) || ch.channelId === drChannel?.channelId) c.fail([...path, 'channels'], `ChannelID ${ch.channelId} used twice`);
    ids.add(ch.channelId);
  }
  if (chRaw === undefined || channels.length !== chRaw.length || drChannel === undefined) return undefined;
  return { service, interface: iface, channels, drChannel };
}

function checkSecurities(c: Checker, v: unknown, path: Path): SecurityDefinition[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return c.fail(path, 'expected a non-empty list of securities');
  const out: SecurityDefinition[] = [];
  v.forEach((x, i) => {
    const p = [...path, i];
    const o = c.obj(x, p);
    if (o === undefined) return;
    const securityId = c.str(o, 'securityId', p, { pattern: /^[0-9]{1,6}$/, what: 'a security code of up to 6 digits' });
    const lotSize = c.int(o, 'lotSize', p, 1, 1_000_000);
    const referencePrice = o['referencePrice'] === undefined ? undefined : c.int(o, 'referencePrice', p, 1, 1e12);
    const marketSegmentId = c.str(o, 'marketSegmentId', p, { optional: true, max: 4 });
    const securityExchange = c.str(o, 'securityExchange', p, { optional: true, pattern: /^X[A-Z]{3}$/, what: 'a market identifier code (XHKG, XSSC, XSEC)' });
    const couponRate = o['couponRate'] === undefined ? undefined : c.int(o, 'couponRate', p, 1, 100_000);
    const vcmRaw = o['vcm'];
    if (vcmRaw !== undefined && typeof vcmRaw !== 'boolean') c.fail([...p, 'vcm'], 'expected true or false');
    const vcm = typeof vcmRaw === 'boolean' ? vcmRaw : undefined;
    if (securityId === undefined || lotSize === undefined) return;
    const def: SecurityDefinition = { securityId, lotSize };
    if (referencePrice !== undefined) def.referencePrice = referencePrice;
    if (marketSegmentId !== undefined) def.marketSegmentId = marketSegmentId;
    if (securityExchange !== undefined) def.securityExchange = securityExchange;
    if (couponRate !== undefined) def.couponRate = couponRate;
    if (vcm !== undefined) def.vcm = vcm;
    out.push(def);
  });
  return out.length === v.length ? out : undefined;
}

function checkSubscriber(c: Checker, v: unknown, path: Path): SubscriberConfig | undefined {
  const o = c.obj(v, path);
  if (o === undefined) return undefined;
  const firm = c.str(o, 'firm', path);
  const name = c.str(o, 'name', path, { optional: true }) ?? firm;
  const brokerId = c.str(o, 'brokerId', path, { pattern: /^[0-9]{1,12}$/, what: 'a Submitting Broker ID (digits)' });
  const password = c.str(o, 'password', path);
  const ipsRaw = c.list(o, 'sourceIps', path, { min: 1 });
  const sourceIps: string[] = [];
  ipsRaw?.forEach((x, i) => {
    if (typeof x !== 'string' || isIP(x) === 0) c.fail([...path, 'sourceIps', i], `${JSON.stringify(x)} is not an IP address`);
    else sourceIps.push(x);
  });
  if (ipsRaw !== undefined && ipsRaw.length > 4) c.fail([...path, 'sourceIps'], 'at most 4 registered IPs (OCG-C §1.1: one + up to 3 backups)');
  if (firm === undefined || name === undefined || brokerId === undefined || password === undefined || ipsRaw === undefined) return undefined;
  const sub: SubscriberConfig = { firm, name, brokerId, password, sourceIps };
  for (const svc of OCG_SERVICES) {
    if (o[svc] === undefined) continue;
    const t = c.obj(o[svc], [...path, svc]);
    if (t === undefined) continue;
    const trading = c.str(t, 'trading', [...path, svc], { pattern: COMP_ID, what: 'a Comp ID (1..11 letters/digits, OCG-C §1.1)' });
    const dropCopy = c.str(t, 'dropCopy', [...path, svc], { optional: true, pattern: COMP_ID, what: 'a Comp ID (1..11 letters/digits, OCG-C §1.1)' });
    if (trading !== undefined) sub[svc] = dropCopy !== undefined ? { trading, dropCopy } : { trading };
  }
  if (o['fix'] !== undefined) {
    const t = c.obj(o['fix'], [...path, 'fix']);
    const trading = t === undefined ? undefined : c.str(t, 'trading', [...path, 'fix'], { pattern: COMP_ID, what: 'a FIX CompID (1..11 letters/digits)' });
    const dropCopy = t === undefined ? undefined : c.str(t, 'dropCopy', [...path, 'fix'], { optional: true, pattern: COMP_ID, what: 'a FIX CompID (1..11 letters/digits)' });
    if (trading !== undefined) sub.fix = dropCopy !== undefined ? { trading, dropCopy } : { trading };
  }
  for (const svc of OMD_SERVICES) {
    if (o[svc] === undefined) continue;
    const t = c.obj(o[svc], [...path, svc]);
    if (t === undefined) continue;
    const rtsUsername = c.str(t, 'rtsUsername', [...path, svc], { max: 12 });
    if (rtsUsername !== undefined) sub[svc] = { rtsUsername };
  }
  return sub;
}

/** Validates an already-parsed value (from YAML or JSON) into a VenueConfig; issues carry dotted paths. */
export function validateVenueConfig(raw: unknown, opts: { baseDir?: string } = {}): { config?: VenueConfig; issues: Array<{ path: Path; message: string }> } {
  const c = new Checker();
  const o = c.obj(raw, []);
  if (o === undefined) return { issues: c.issues };
  const session = c.str(o, 'session', []);
  const controlToken = c.str(o, 'controlToken', []);
  if (controlToken !== undefined && controlToken.length < 16) c.fail(['controlToken'], 'at least 16 characters');
  const metricsToken = c.str(o, 'metricsToken', [], { optional: true });
  if (metricsToken !== undefined && metricsToken.length < 16) c.fail(['metricsToken'], 'at least 16 characters');
  if (metricsToken !== undefined && metricsToken === controlToken) c.fail(['metricsToken'], 'must differ from controlToken (a scrape must not be able to steer the venue)');
  let privateKeyPem = c.str(o, 'privateKeyPem', [], { optional: true });
  const keyFile = c.str(o, 'privateKeyFile', [], { optional: true });
  if (privateKeyPem === undefined && keyFile !== undefined) {
    try {
      privateKeyPem = readFileSync(resolve(opts.baseDir ?? '.', keyFile), 'utf8');
    } catch (e) {
      c.fail(['privateKeyFile'], `cannot read: ${(e as Error).message}`);
    }
  }
  if (privateKeyPem === undefined && keyFile === undefined) c.fail(['privateKeyFile'], 'privateKeyPem or privateKeyFile is required (the venue RSA key, OCG-C §1.4)');
  if (privateKeyPem !== undefined) {
    try {
      publicKeyOf(privateKeyPem);
    } catch {
      c.fail([keyFile !== undefined ? 'privateKeyFile' : 'privateKeyPem'], 'not a PEM RSA private key');
    }
  }
  const sitesRaw = c.obj(o['sites'], ['sites']);
  const primary = sitesRaw ? checkSite(c, sitesRaw['primary'], ['sites', 'primary']) : undefined;
  const backup = sitesRaw ? checkSite(c, sitesRaw['backup'], ['sites', 'backup']) : undefined;
  if (primary && backup && primary.host === backup.host) {
    // Same host is allowed only when every port differs (one machine, no loopback aliases).
    const ports = (s: SiteAddressConfig) => [s.control, s.replication, ...OCG_SERVICES.flatMap((x) => [s.trading[x].lookupPrimary, s.trading[x].lookupMirror, s.trading[x].gateway, s.trading[x].fixGateway ?? 0]), ...OMD_SERVICES.flatMap((x) => s.rts[x])].filter((p) => p !== 0);
    const pp = new Set(ports(primary));
    if (ports(backup).some((p) => pp.has(p))) c.fail(['sites', 'backup'], `shares host ${primary.host} and a port with the primary site`);
  }
  const feedsRaw = c.obj(o['feeds'], ['feeds']);
  const feedC = feedsRaw ? checkFeed(c, feedsRaw['OMD-C'], 'OMD-C', ['feeds', 'OMD-C']) : undefined;
  const feedCC = feedsRaw ? checkFeed(c, feedsRaw['OMD-CC'], 'OMD-CC', ['feeds', 'OMD-CC']) : undefined;
  const marketRaw = o['market'] === undefined ? {} : c.obj(o['market'], ['market']);
  const market: MarketConfig | undefined = marketRaw === undefined ? undefined : {
    seed: c.int(marketRaw, 'seed', ['market'], 0, 2 ** 31, 7) ?? 7,
    securities: c.int(marketRaw, 'securities', ['market'], 1, 10_000, 20) ?? 20,
    eventsPerSecond: c.int(marketRaw, 'eventsPerSecond', ['market'], 0, 1_000_000, 200) ?? 200,
  };
  if (market !== undefined && marketRaw !== undefined && marketRaw['vcm'] !== undefined) {
    const v = marketRaw['vcm'];
    if (v === false) market.vcm = false;
    else {
      const vo = c.obj(v, ['market', 'vcm']);
      if (vo !== undefined) {
        market.vcm = {
          bandPercent: c.int(vo, 'bandPercent', ['market', 'vcm'], 1, 99, DEFAULT_VCM.bandPercent) ?? DEFAULT_VCM.bandPercent,
          coolingOffMs: c.int(vo, 'coolingOffMs', ['market', 'vcm'], 1, 3_600_000, DEFAULT_VCM.coolingOffMs) ?? DEFAULT_VCM.coolingOffMs,
          lookbackMs: c.int(vo, 'lookbackMs', ['market', 'vcm'], 0, 3_600_000, DEFAULT_VCM.lookbackMs) ?? DEFAULT_VCM.lookbackMs,
        };
      }
    }
  }
  const secRaw = o['securities'] === undefined ? undefined : c.obj(o['securities'], ['securities']);
  const securities: Record<OcgService, SecurityDefinition[]> = structuredClone(DEFAULT_SECURITIES);
  if (secRaw !== undefined) {
    for (const svc of OCG_SERVICES) {
      if (secRaw[svc] === undefined) continue;
      const l = checkSecurities(c, secRaw[svc], ['securities', svc]);
      if (l !== undefined) securities[svc] = l;
    }
  }
  const subsRaw = c.list(o, 'subscribers', [], { min: 1 });
  const subscribers: SubscriberConfig[] = [];
  subsRaw?.forEach((x, i) => {
    const s = checkSubscriber(c, x, ['subscribers', i]);
    if (s !== undefined) subscribers.push(s);
  });
  // Comp IDs are unique per service, RTS usernames per feed, firms overall.
  const seen = new Map<string, string>();
  subscribers.forEach((s, i) => {
    const claim = (key: string, path: Path, what: string) => {
      const prev = seen.get(key);
      if (prev !== undefined) c.fail(path, `${what} already used by ${prev}`);
      else seen.set(key, `subscribers.${i}`);
    };
    claim(`firm:${s.firm}`, ['subscribers', i, 'firm'], `firm ${s.firm}`);
    for (const svc of OCG_SERVICES) {
      const ids = s[svc];
      if (ids === undefined) continue;
      claim(`${svc}:${ids.trading}`, ['subscribers', i, svc, 'trading'], `Comp ID ${ids.trading}`);
      if (ids.dropCopy !== undefined) claim(`${svc}:${ids.dropCopy}`, ['subscribers', i, svc, 'dropCopy'], `Comp ID ${ids.dropCopy}`);
    }
    for (const svc of OMD_SERVICES) {
      const ids = s[svc];
      if (ids !== undefined) claim(`${svc}:${ids.rtsUsername}`, ['subscribers', i, svc, 'rtsUsername'], `RTS username ${ids.rtsUsername}`);
    }
  });
  const timingRaw = o['timing'] === undefined ? {} : c.obj(o['timing'], ['timing']);
  const timing: VenueTiming = { ...DEFAULT_TIMING };
  if (timingRaw !== undefined) {
    for (const k of Object.keys(DEFAULT_TIMING) as Array<keyof VenueTiming>) {
      const v = c.int(timingRaw, k, ['timing'], 1, 3_600_000, DEFAULT_TIMING[k]);
      if (v !== undefined) timing[k] = v;
    }
    for (const k of Object.keys(timingRaw)) if (!(k in DEFAULT_TIMING)) c.fail(['timing', k], `unknown timing key (known: ${Object.keys(DEFAULT_TIMING).join(', ')})`);
  }
  if (timing.replicationTimeoutMs <= timing.replicationHeartbeatMs) c.fail(['timing', 'replicationTimeoutMs'], 'must exceed replicationHeartbeatMs');
  let passwordHashCost: VenueConfig['passwordHashCost'];
  if (o['passwordHashCost'] !== undefined) {
    const p = c.obj(o['passwordHashCost'], ['passwordHashCost']);
    if (p !== undefined) {
      const N = c.int(p, 'N', ['passwordHashCost'], 2, 1 << 20), r = c.int(p, 'r', ['passwordHashCost'], 1, 32), pp = c.int(p, 'p', ['passwordHashCost'], 1, 16);
      if (N !== undefined && (N & (N - 1)) !== 0) c.fail(['passwordHashCost', 'N'], 'must be a power of two');
      if (N !== undefined && r !== undefined && pp !== undefined) passwordHashCost = { N, r, p: pp };
    }
  }
  const chinaConnectDailyQuota = o['chinaConnectDailyQuota'] === undefined ? undefined : c.int(o, 'chinaConnectDailyQuota', [], 0, 1e12);
  let tlsCfg: VenueConfig['tls'];
  if (o['tls'] !== undefined) {
    const t = c.obj(o['tls'], ['tls']);
    if (t !== undefined) {
      const pem = (k: 'cert' | 'key' | 'ca'): string | undefined => {
        const v = c.str(t, k, ['tls']);
        if (v === undefined) return undefined;
        if (v.startsWith('-----BEGIN')) return v;
        try {
          const text = readFileSync(resolve(opts.baseDir ?? '.', v), 'utf8');
          if (!text.includes('-----BEGIN')) c.fail(['tls', k], `${v}: not a PEM file`);
          return text;
        } catch (e) {
          c.fail(['tls', k], `cannot read: ${(e as Error).message}`);
          return undefined;
        }
      };
      const cert = pem('cert'), key = pem('key'), ca = pem('ca');
      if (cert !== undefined && key !== undefined && ca !== undefined) tlsCfg = { cert, key, ca };
    }
  }
  if (c.issues.length > 0 || session === undefined || controlToken === undefined || privateKeyPem === undefined || !primary || !backup || !feedC || !feedCC || !market) {
    return { issues: c.issues };
  }
  const config: VenueConfig = {
    session, controlToken, privateKeyPem, sites: { primary, backup }, feeds: { 'OMD-C': feedC, 'OMD-CC': feedCC },
    market, securities, subscribers, timing,
  };
  if (passwordHashCost !== undefined) config.passwordHashCost = passwordHashCost;
  if (chinaConnectDailyQuota !== undefined) config.chinaConnectDailyQuota = chinaConnectDailyQuota;
  if (tlsCfg !== undefined) config.tls = tlsCfg;
  if (metricsToken !== undefined) config.metricsToken = metricsToken;
  return { config, issues: [] };
}

/**
 * Parses YAML text and validates it; every issue comes back with the line of the
 * deepest node that exists along its path (shared by venue.yaml and subscriber.yaml).
 */
export function parseYamlConfig<T>(
  text: string,
  validate: (raw: unknown) => { config?: T | undefined; issues: { path: (string | number)[]; message: string }[] },
): { config: T; issues: [] } | { config?: undefined; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return { issues: doc.errors.map((e) => ({ path: '', line: lines.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! })) };
  }
  const { config, issues } = validate(doc.toJS());
  if (config !== undefined) return { config, issues: [] };
  return {
    issues: issues.map((i) => {
      const issue: ConfigIssue = { path: i.path.join('.'), message: i.message };
      for (let n = i.path.length; n >= 0; n--) {
        const node = doc.getIn(i.path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node !== undefined && node !== null && typeof node === 'object' && Array.isArray(node.range)) {
          issue.line = lines.linePos(node.range[0]).line;
          break;
        }
      }
      return issue;
    }),
  };
}

/** Parses and validates venue YAML; throws VenueConfigError naming each field and its line. */
export function parseVenueConfig(text: string, opts: { source?: string; baseDir?: string } = {}): VenueConfig {
  const r = parseYamlConfig(text, (raw) => validateVenueConfig(raw, opts.baseDir !== undefined ? { baseDir: opts.baseDir } : {}));
  if (r.config !== undefined) return r.config;
  throw new VenueConfigError(opts.source ?? 'venue config', r.issues);
}

export function loadVenueConfig(file: string): VenueConfig {
  return parseVenueConfig(readFileSync(file, 'utf8'), { source: file, baseDir: dirname(resolve(file)) });
}

/** A venue config as YAML-ready plain data (for writing an example venue.yaml). */
export function venueConfigToPlain(cfg: VenueConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(cfg)) as Record<string, unknown>;
}
