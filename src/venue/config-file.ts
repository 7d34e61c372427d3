// venue.yaml: the venue's configuration (config.ts) read from YAML and validated, with errors that
// name the field and its line.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isIP } from 'node:net';
import { publicKeyOf, type OcgService } from '../ocg/index.ts';
import type { ChannelConfig, OmdProduct, OmdService } from '../omd/index.ts';
import { loopbackFeed, OMD_PRODUCTS } from '../omd/index.ts';
import { parseYamlConfig, type ConfigIssue } from '../yaml-config/index.ts';
import {
  DEFAULT_SECURITIES,
  DEFAULT_TIMING,
  OCG_SERVICES,
  OMD_SERVICES,
  type FeedLayout,
  type SiteTradingPorts,
  type MarketConfig,
  type SiteAddressConfig,
  type SubscriberConfig,
  type VenueConfig,
  type VenueTiming,
} from './config.ts';
import type { SecurityDefinition } from './engine-types.ts';
import { DEFAULT_VCM } from './market-phases.ts';

export class VenueConfigError extends Error {
  override name = 'VenueConfigError';
  readonly issues: ConfigIssue[];
  constructor(source: string, issues: ConfigIssue[]) {
    super(
      `${source}: invalid venue config\n` +
        issues.map((i) => `  ${i.line !== undefined ? `line ${i.line}: ` : ''}${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
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

  str(
    o: Record<string, unknown>,
    key: string,
    path: Path,
    opts: { optional?: boolean; max?: number; pattern?: RegExp; what?: string } = {},
  ): string | undefined {
    const v = o[key];
    if (v === undefined && opts.optional) return undefined;
    if (typeof v === 'number' && opts.pattern !== undefined && opts.pattern.test(String(v))) return String(v);
    if (typeof v !== 'string' || v.length === 0) return this.fail([...path, key], `expected a non-empty string${opts.what ? ` (${opts.what})` : ''}`);
    if (opts.max !== undefined && v.length > opts.max) return this.fail([...path, key], `at most ${opts.max} characters, got ${v.length}`);
    if (opts.pattern !== undefined && !opts.pattern.test(v))
      return this.fail([...path, key], `${JSON.stringify(v)} is not ${opts.what ?? `of the form ${opts.pattern}`}`);
    return v;
  }

  int(o: Record<string, unknown>, key: string, path: Path, min: number, max: number, fallback?: number): number | undefined {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      return this.fail([...path, key], `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
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
      const lookupPrimary = c.port(t, 'lookupPrimary', p),
        lookupMirror = c.port(t, 'lookupMirror', p),
        gateway = c.port(t, 'gateway', p);
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
  if (
    host === undefined ||
    control === undefined ||
    replication === undefined ||
    trading['OTP-C'] === undefined ||
    trading['OTP-CSC'] === undefined ||
    rts['OMD-C'] === undefined ||
    rts['OMD-CC'] === undefined
  )
    return undefined;
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
    const products = productsRaw?.map((x, i) =>
      PRODUCTS.includes(x as OmdProduct) ? (x as OmdProduct) : c.fail([...p, 'products', i], `expected one of ${PRODUCTS.join(', ')}`),
    );
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
    const product = PRODUCTS.includes(ch['product'] as OmdProduct)
      ? (ch['product'] as OmdProduct)
      : c.fail([...p, 'product'], `expected one of ${PRODUCTS.join(', ')}`);
    const lineA = checkEndpoint(c, ch['lineA'], [...p, 'lineA']);
    const lineB = checkEndpoint(c, ch['lineB'], [...p, 'lineB']);
    const refresh = checkEndpoint(c, ch['refresh'], [...p, 'refresh']);
    // OMD-CC: the market a channel carries (spec §8.1); absent = both.
    const market =
      ch['market'] === undefined
        ? undefined
        : ch['market'] === 'ASHR' || ch['market'] === 'ASZR'
          ? ch['market']
          : c.fail([...p, 'market'], 'expected ASHR or ASZR');
    if (channelId !== undefined && product !== undefined && lineA && lineB && refresh)
      channels.push({ channelId, product, lineA, lineB, refresh, ...(market ? { market } : {}) });
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
    const dropCopy =
      t === undefined ? undefined : c.str(t, 'dropCopy', [...path, 'fix'], { optional: true, pattern: COMP_ID, what: 'a FIX CompID (1..11 letters/digits)' });
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
  if (metricsToken !== undefined && metricsToken === controlToken)
    c.fail(['metricsToken'], 'must differ from controlToken (a scrape must not be able to steer the venue)');
  let privateKeyPem = c.str(o, 'privateKeyPem', [], { optional: true });
  const keyFile = c.str(o, 'privateKeyFile', [], { optional: true });
  if (privateKeyPem === undefined && keyFile !== undefined) {
    try {
      privateKeyPem = readFileSync(resolve(opts.baseDir ?? '.', keyFile), 'utf8');
    } catch (e) {
      c.fail(['privateKeyFile'], `cannot read: ${(e as Error).message}`);
    }
  }
  if (privateKeyPem === undefined && keyFile === undefined)
    c.fail(['privateKeyFile'], 'privateKeyPem or privateKeyFile is required (the venue RSA key, OCG-C §1.4)');
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
    const ports = (s: SiteAddressConfig) =>
      [
        s.control,
        s.replication,
        ...OCG_SERVICES.flatMap((x) => [s.trading[x].lookupPrimary, s.trading[x].lookupMirror, s.trading[x].gateway, s.trading[x].fixGateway ?? 0]),
        ...OMD_SERVICES.flatMap((x) => s.rts[x]),
      ].filter((p) => p !== 0);
    const pp = new Set(ports(primary));
    if (ports(backup).some((p) => pp.has(p))) c.fail(['sites', 'backup'], `shares host ${primary.host} and a port with the primary site`);
  }
  const feedsRaw = c.obj(o['feeds'], ['feeds']);
  const feedC = feedsRaw ? checkFeed(c, feedsRaw['OMD-C'], 'OMD-C', ['feeds', 'OMD-C']) : undefined;
  const feedCC = feedsRaw ? checkFeed(c, feedsRaw['OMD-CC'], 'OMD-CC', ['feeds', 'OMD-CC']) : undefined;
  const marketRaw = o['market'] === undefined ? {} : c.obj(o['market'], ['market']);
  const market: MarketConfig | undefined =
    marketRaw === undefined
      ? undefined
      : {
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
    for (const k of Object.keys(timingRaw))
      if (!(k in DEFAULT_TIMING)) c.fail(['timing', k], `unknown timing key (known: ${Object.keys(DEFAULT_TIMING).join(', ')})`);
  }
  if (timing.replicationTimeoutMs <= timing.replicationHeartbeatMs) c.fail(['timing', 'replicationTimeoutMs'], 'must exceed replicationHeartbeatMs');
  let passwordHashCost: VenueConfig['passwordHashCost'];
  if (o['passwordHashCost'] !== undefined) {
    const p = c.obj(o['passwordHashCost'], ['passwordHashCost']);
    if (p !== undefined) {
      const N = c.int(p, 'N', ['passwordHashCost'], 2, 1 << 20),
        r = c.int(p, 'r', ['passwordHashCost'], 1, 32),
        pp = c.int(p, 'p', ['passwordHashCost'], 1, 16);
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
      const cert = pem('cert'),
        key = pem('key'),
        ca = pem('ca');
      if (cert !== undefined && key !== undefined && ca !== undefined) tlsCfg = { cert, key, ca };
    }
  }
  if (
    c.issues.length > 0 ||
    session === undefined ||
    controlToken === undefined ||
    privateKeyPem === undefined ||
    !primary ||
    !backup ||
    !feedC ||
    !feedCC ||
    !market
  ) {
    return { issues: c.issues };
  }
  const config: VenueConfig = {
    session,
    controlToken,
    privateKeyPem,
    sites: { primary, backup },
    feeds: { 'OMD-C': feedC, 'OMD-CC': feedCC },
    market,
    securities,
    subscribers,
    timing,
  };
  if (passwordHashCost !== undefined) config.passwordHashCost = passwordHashCost;
  if (chinaConnectDailyQuota !== undefined) config.chinaConnectDailyQuota = chinaConnectDailyQuota;
  if (tlsCfg !== undefined) config.tls = tlsCfg;
  if (metricsToken !== undefined) config.metricsToken = metricsToken;
  return { config, issues: [] };
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
