// subscriber.yaml: what one subscriber's probe needs (SubscriberProbeConfig, defined here; the venue
// derives one per subscriber with its probeConfigFor()), as a file the subscriber is given. Loaded with validation
// errors that name the field and its YAML line. The venue's public key may be inline
// (`publicKeyPem`) or a file next to the YAML (`publicKeyFile`).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isIP } from 'node:net';
import { stringify } from 'yaml';
import { parseYamlConfig, type ConfigIssue } from '../yaml-config/index.ts';
import { OMD_PRODUCTS, type ChannelConfig, type FeedConfig, type OmdProduct, type OmdService, type RtsEndpoint, type SpreadTable } from '../omd/index.ts';
import type { LookupEndpoint, OcgService } from '../ocg/index.ts';

/** A security the probe may send test orders in (prices P3, lots in shares; the venue's SecurityDefinition fits). */
export interface ProbeSecurity {
  securityId: string;
  /** Board lot in shares: the size of every test order. */
  lotSize: number;
  /** Test orders rest far from it; without one the probe sends none. */
  referencePrice?: number;
  /** Tick table; default SEHK Part A, or the mainland table on OTP-CSC. */
  spreadTable?: SpreadTable;
}

export interface ProbeTradingIdentity {
  service: OcgService;
  compId: string;
  role: 'trading' | 'drop-copy';
  lookup: LookupEndpoint[];
  /** Securities listed on this service, for test orders. */
  securities: ProbeSecurity[];
  /** OTP-C over FIX (src/fix): no lookup (`lookup` empty); the fixed gateway addresses, primary site first. */
  protocol?: 'FIX';
  addresses?: { host: string; port: number; site: 'primary' | 'backup' }[];
}

export interface ProbeFeedIdentity {
  service: OmdService;
  rtsUsername: string;
  /** Layout with all four RTS endpoints (primary site first). */
  feed: FeedConfig;
}

/** What one subscriber's probe needs to follow the session. */
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

/** An issue in subscriber.yaml: the field path, its line, what is wrong (same shape as the venue's). */
export type ProbeConfigIssue = ConfigIssue;

export class ProbeConfigError extends Error {
  override name = 'ProbeConfigError';
  readonly issues: ProbeConfigIssue[];
  constructor(source: string, issues: ProbeConfigIssue[]) {
    super(
      `${source}: invalid subscriber probe config\n` +
        issues.map((i) => `  ${i.line !== undefined ? `line ${i.line}: ` : ''}${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
    this.issues = issues;
  }
}

type Path = Array<string | number>;
const SITES = ['primary', 'backup'] as const;
const PRODUCTS: readonly OmdProduct[] = OMD_PRODUCTS;

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

  str(o: Record<string, unknown>, key: string, path: Path, opts: { optional?: boolean; max?: number; oneOf?: readonly string[] } = {}): string | undefined {
    let v = o[key];
    if (v === undefined && opts.optional) return undefined;
    if (typeof v === 'number') v = String(v); // brokerId: 1001 is fine
    if (typeof v !== 'string' || v.length === 0) return this.fail([...path, key], 'expected a non-empty string');
    if (opts.max !== undefined && v.length > opts.max) return this.fail([...path, key], `at most ${opts.max} characters, got ${v.length}`);
    if (opts.oneOf && !opts.oneOf.includes(v)) return this.fail([...path, key], `expected one of ${opts.oneOf.join(', ')}, got ${JSON.stringify(v)}`);
    return v;
  }

  int(o: Record<string, unknown>, key: string, path: Path, min: number, max: number): number | undefined {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      return this.fail([...path, key], `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    return v;
  }

  ip(o: Record<string, unknown>, key: string, path: Path): string | undefined {
    const v = this.str(o, key, path);
    if (v !== undefined && isIP(v) === 0) return this.fail([...path, key], `${JSON.stringify(v)} is not an IP address`);
    return v;
  }

  list(o: Record<string, unknown>, key: string, path: Path, min = 0): unknown[] | undefined {
    const v = o[key];
    if (!Array.isArray(v)) return this.fail([...path, key], 'expected a list');
    if (v.length < min) return this.fail([...path, key], `expected at least ${min} entr${min === 1 ? 'y' : 'ies'}`);
    return v;
  }

  /** A multicast group + port; only 224.0.0.0/4 groups are valid (the receiver pins them to loopback). */
  group(v: unknown, path: Path): { group: string; port: number } | undefined {
    const o = this.obj(v, path);
    if (!o) return undefined;
    const group = this.str(o, 'group', path);
    const port = this.int(o, 'port', path, 1, 65_535);
    if (group !== undefined && (isIP(group) !== 4 || Number(group.split('.')[0]) < 224 || Number(group.split('.')[0]) > 239))
      return this.fail([...path, 'group'], `${JSON.stringify(group)} is not an IPv4 multicast group`);
    return group !== undefined && port !== undefined ? { group, port } : undefined;
  }
}

function checkTrading(c: Checker, v: unknown, path: Path): ProbeTradingIdentity | undefined {
  const o = c.obj(v, path);
  if (!o) return undefined;
  const service = c.str(o, 'service', path, { oneOf: ['OTP-C', 'OTP-CSC'] }) as ProbeTradingIdentity['service'] | undefined;
  const compId = c.str(o, 'compId', path, { max: 11 });
  const role = c.str(o, 'role', path, { oneOf: ['trading', 'drop-copy'] }) as ProbeTradingIdentity['role'] | undefined;
  // FIX identities (OTP-C over FIX) name fixed gateway addresses instead of lookup endpoints.
  const protocol = c.str(o, 'protocol', path, { optional: true, oneOf: ['FIX'] }) as 'FIX' | undefined;
  if (protocol === 'FIX' && service !== undefined && service !== 'OTP-C') c.fail([...path, 'service'], 'FIX identities are OTP-C only');
  const addresses: { host: string; port: number; site: 'primary' | 'backup' }[] = [];
  if (protocol === 'FIX') {
    (c.list(o, 'addresses', path, 1) ?? []).forEach((e, i) => {
      const p = [...path, 'addresses', i];
      const eo = c.obj(e, p);
      if (!eo) return;
      const host = c.ip(eo, 'host', p),
        port = c.int(eo, 'port', p, 1, 65_535);
      const site = c.str(eo, 'site', p, { oneOf: SITES }) as 'primary' | 'backup' | undefined;
      if (host !== undefined && port !== undefined && site !== undefined) addresses.push({ host, port, site });
    });
  }
  const lookup: LookupEndpoint[] = [];
  (protocol === 'FIX' && o['lookup'] === undefined ? [] : (c.list(o, 'lookup', path, protocol === 'FIX' ? 0 : 1) ?? [])).forEach((e, i) => {
    const p = [...path, 'lookup', i];
    const eo = c.obj(e, p);
    if (!eo) return;
    const host = c.ip(eo, 'host', p),
      port = c.int(eo, 'port', p, 1, 65_535);
    const site = c.str(eo, 'site', p, { optional: true, oneOf: SITES }) as 'primary' | 'backup' | undefined;
    const name = c.str(eo, 'name', p, { optional: true });
    if (host !== undefined && port !== undefined) lookup.push({ host, port, ...(site ? { site } : {}), ...(name ? { name } : {}) });
  });
  const securities: ProbeSecurity[] = [];
  (c.list(o, 'securities', path, 1) ?? []).forEach((e, i) => {
    const p = [...path, 'securities', i];
    const so = c.obj(e, p);
    if (!so) return;
    const securityId = c.str(so, 'securityId', p),
      lotSize = c.int(so, 'lotSize', p, 1, 1_000_000),
      referencePrice = c.int(so, 'referencePrice', p, 1, 1e12);
    if (securityId !== undefined && lotSize !== undefined && referencePrice !== undefined) securities.push({ securityId, lotSize, referencePrice });
  });
  if (!service || !compId || !role) return undefined;
  return protocol === 'FIX' ? { service, compId, role, lookup, securities, protocol, addresses } : { service, compId, role, lookup, securities };
}

function checkFeed(c: Checker, v: unknown, path: Path): ProbeFeedIdentity | undefined {
  const o = c.obj(v, path);
  if (!o) return undefined;
  const service = c.str(o, 'service', path, { oneOf: ['OMD-C', 'OMD-CC'] }) as ProbeFeedIdentity['service'] | undefined;
  const rtsUsername = c.str(o, 'rtsUsername', path, { max: 12 });
  const fp = [...path, 'feed'];
  const fo = c.obj(o['feed'], fp);
  if (!fo) return undefined;
  const iface = c.ip(fo, 'interface', fp);
  const channels: ChannelConfig[] = [];
  (c.list(fo, 'channels', fp, 1) ?? []).forEach((e, i) => {
    const p = [...fp, 'channels', i];
    const co = c.obj(e, p);
    if (!co) return;
    const channelId = c.int(co, 'channelId', p, 0, 65_535);
    const product = c.str(co, 'product', p, { oneOf: PRODUCTS }) as OmdProduct | undefined;
    const lineA = c.group(co['lineA'], [...p, 'lineA']),
      lineB = c.group(co['lineB'], [...p, 'lineB']),
      refresh = c.group(co['refresh'], [...p, 'refresh']);
    // OMD-CC: the market a channel carries (spec §8.1); absent = both.
    const market =
      co['market'] === undefined
        ? undefined
        : co['market'] === 'ASHR' || co['market'] === 'ASZR'
          ? co['market']
          : c.fail([...p, 'market'], 'expected ASHR or ASZR');
    if (channelId !== undefined && product && lineA && lineB && refresh)
      channels.push({ channelId, product, lineA, lineB, refresh, ...(market ? { market } : {}) });
  });
  const ids = channels.map((x) => x.channelId);
  if (new Set(ids).size !== ids.length) c.fail([...fp, 'channels'], 'duplicate channelId');
  const dp = [...fp, 'drChannel'];
  const dro = c.obj(fo['drChannel'], dp);
  const dr = dro
    ? { channelId: c.int(dro, 'channelId', dp, 0, 65_535), lineA: c.group(dro['lineA'], [...dp, 'lineA']), lineB: c.group(dro['lineB'], [...dp, 'lineB']) }
    : undefined;
  const rts: RtsEndpoint[] = [];
  (c.list(fo, 'rts', fp) ?? []).forEach((e, i) => {
    const p = [...fp, 'rts', i];
    const ro = c.obj(e, p);
    if (!ro) return;
    const host = c.ip(ro, 'host', p),
      port = c.int(ro, 'port', p, 1, 65_535),
      site = c.str(ro, 'site', p, { oneOf: SITES }) as RtsEndpoint['site'] | undefined;
    if (host !== undefined && port !== undefined && site) rts.push({ host, port, site });
  });
  if (!service || !rtsUsername || !iface || !dr || dr.channelId === undefined || !dr.lineA || !dr.lineB) return undefined;
  const fs = c.str(fo, 'service', fp, { optional: true, oneOf: ['OMD-C', 'OMD-CC'] });
  if (fs !== undefined && fs !== service) c.fail([...fp, 'service'], `feed of ${fs} given to a ${service} identity`);
  const feed: FeedConfig = { service, interface: iface, channels, drChannel: { channelId: dr.channelId, lineA: dr.lineA, lineB: dr.lineB }, rts };
  return { service, rtsUsername, feed };
}

/** Validates an already parsed value; never throws. */
export function validateProbeConfig(
  raw: unknown,
  opts: { baseDir?: string } = {},
): { config?: SubscriberProbeConfig; issues: Array<{ path: Path; message: string }> } {
  const c = new Checker();
  const o = c.obj(raw, []);
  if (!o) return { issues: c.issues };
  const session = c.str(o, 'session', []);
  const firm = c.str(o, 'firm', []);
  const name = c.str(o, 'name', [], { optional: true }) ?? firm;
  const brokerId = c.str(o, 'brokerId', [], { max: 12 });
  const password = c.str(o, 'password', []);
  const localAddress = c.ip(o, 'localAddress', []);
  let publicKeyPem: string | undefined;
  if (typeof o['publicKeyPem'] === 'string') publicKeyPem = o['publicKeyPem'];
  else if (typeof o['publicKeyFile'] === 'string') {
    const file = resolve(opts.baseDir ?? '.', o['publicKeyFile']);
    try {
      publicKeyPem = readFileSync(file, 'utf8');
    } catch (e) {
      c.fail(['publicKeyFile'], `cannot read ${file}: ${(e as Error).message}`);
    }
  } else c.fail(['publicKeyPem'], "the venue's public key: publicKeyPem (PEM text) or publicKeyFile (a path)");
  if (publicKeyPem !== undefined && !publicKeyPem.includes('BEGIN PUBLIC KEY'))
    c.fail([typeof o['publicKeyPem'] === 'string' ? 'publicKeyPem' : 'publicKeyFile'], 'not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  const trading = (o['trading'] === undefined ? [] : (c.list(o, 'trading', []) ?? []))
    .map((t, i) => checkTrading(c, t, ['trading', i]))
    .filter((x) => x !== undefined);
  const feeds = (o['feeds'] === undefined ? [] : (c.list(o, 'feeds', []) ?? [])).map((f, i) => checkFeed(c, f, ['feeds', i])).filter((x) => x !== undefined);
  if (trading.length === 0 && feeds.length === 0 && c.issues.length === 0) c.fail([], 'no identity to probe: give `trading` and/or `feeds`');
  for (const t of trading) {
    if (t.role === 'drop-copy' && !trading.some((x) => x.service === t.service && x.protocol === t.protocol && x.role === 'trading'))
      c.fail(['trading'], `drop copy ${t.compId} of ${t.service} without a trading identity of that service`);
  }
  if (c.issues.length || !session || !firm || !name || !brokerId || !password || !localAddress || !publicKeyPem) return { issues: c.issues };
  return { config: { session, firm, name, brokerId, password, localAddress, publicKeyPem, trading, feeds }, issues: [] };
}

/** Parses and validates subscriber.yaml; throws ProbeConfigError naming each field and its line. */
export function parseProbeConfig(text: string, opts: { source?: string; baseDir?: string } = {}): SubscriberProbeConfig {
  const r = parseYamlConfig(text, (raw) => validateProbeConfig(raw, opts.baseDir !== undefined ? { baseDir: opts.baseDir } : {}));
  if (r.config !== undefined) return r.config;
  throw new ProbeConfigError(opts.source ?? 'subscriber probe config', r.issues);
}

export function loadProbeConfig(file: string): SubscriberProbeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProbeConfigError(file, [{ path: '', message: (e as Error).message }]);
  }
  return parseProbeConfig(text, { source: file, baseDir: dirname(resolve(file)) });
}

/** subscriber.yaml text for a probe config (what a venue hands to a subscriber). */
export function probeConfigToYaml(cfg: SubscriberProbeConfig): string {
  return stringify(JSON.parse(JSON.stringify(cfg)), { lineWidth: 0 });
}
