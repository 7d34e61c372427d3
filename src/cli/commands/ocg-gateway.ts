// `failover-drill ocg gateway --config FILE`: one OCG-C gateway (OTP-C or OTP-CSC) with its
// matching engine and the site's two lookup endpoints (primary and mirror), from a YAML or JSON
// config of Comp IDs, passwords, registered source IPs and securities.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Command } from '../command.ts';
import { numberOption, UsageError } from '../command.ts';
import {
  FileSessionStore,
  LookupService,
  MemorySessionStore,
  OcgGateway,
  generateVenueKeyPair,
  hashPassword,
  jsonLineLogger,
  preciseClock,
  profileFor,
  publicKeyOf,
} from '../../ocg/index.ts';
import type { CompIdConfig, OcgLogLevel, OcgService, SessionStore } from '../../ocg/index.ts';
import { LowLatencyProfile, relaunchWithFlags } from '../../lowlatency/index.ts';
import { MatchingEngine } from '../../venue/index.ts';
import type { SecurityDefinition } from '../../venue/index.ts';

/** The config file, after validation. Paths are relative to the config file. */
export interface GatewayFileConfig {
  service: OcgService;
  host: string;
  port: number;
  /** PEM private key; generated (and the public key written next to it) when the file is missing. */
  keyFile: string;
  publicKeyFile: string;
  /** Session journals (sequence numbers, sent messages); absent ⇒ in memory. */
  journalDir?: string;
  /** This site's lookup endpoints (primary, mirror); absent ⇒ none. */
  lookup: { name: string; port: number }[];
  site: 'primary' | 'backup';
  securities: SecurityDefinition[];
  compIds: CompIdConfig[];
  passwordToleranceMs?: number;
  /**
   * OTP-CSC Northbound daily quota in yuan (price × quantity of buys); used up ⇒ buys rejected
   * (Execution Report '8', code 99: the real code is unknown, §5.14 [UNVERIFIED]). Absent ⇒ unlimited.
   */
  dailyQuota?: number;
  /** How long SIGTERM/SIGINT waits for the clients' Logout replies before closing (§3.4). */
  logoutWaitMs: number;
}

const EXAMPLE = `service: OTP-C
port: 28000
keyFile: keys/otp-c.key.pem        # generated on first start; clients need the .pub.pem
journalDir: journal/otp-c          # omit to keep sessions in memory
lookup: [{ name: PS-primary, port: 27000 }, { name: PS-mirror, port: 27001 }]
securities:                        # OTP-CSC: securityExchange XSSC/XSEC (default by code: 6… XSSC, 0…/3… XSEC)
  - { securityId: "700", lotSize: 100, referencePrice: 395.8 }
# dailyQuota: 52000000000         # OTP-CSC only: Northbound daily quota in yuan
# logoutWaitMs: 2000              # at SIGTERM/SIGINT every session is logged out first (§3.4)
compIds:
  - compId: CO99999902
    firm: BROKER1
    password: Abcd1234             # or passwordHash: scrypt$...
    sourceIps: [127.0.0.1]
    brokerIds: ["1001"]
    throttleMps: 100
    cancelOnDisconnect: { enabled: true, delayMs: 10000 }
  - { compId: DC99999902, firm: BROKER1, password: Abcd1234, sourceIps: [127.0.0.1], dropCopy: true }`;

function fail(msg: string): never {
  throw new UsageError(`config: ${msg}`);
}

function str(v: unknown, where: string): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return fail(`${where}: expected a string`);
}

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${where}: expected an integer in ${min}..${max}`);
  return v;
}

/** Parse and validate a config text (YAML is a superset of JSON). */
export function parseGatewayConfig(text: string, baseDir: string): GatewayFileConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    fail(`not valid YAML/JSON: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('expected a mapping at the top level');
  const r = raw as Record<string, unknown>;
  const service = r['service'] ?? 'OTP-C';
  if (service !== 'OTP-C' && service !== 'OTP-CSC') fail(`service: expected OTP-C or OTP-CSC, got ${String(service)}`);
  const rel = (p: string) => path.resolve(baseDir, p);
  const keyFile = rel(r['keyFile'] === undefined ? `keys/${service.toLowerCase()}.key.pem` : str(r['keyFile'], 'keyFile'));
  const publicKeyFile = r['publicKeyFile'] === undefined ? keyFile.replace(/(\.key)?\.pem$/, '') + '.pub.pem' : rel(str(r['publicKeyFile'], 'publicKeyFile'));
  const lookupRaw = r['lookup'] ?? [];
  if (!Array.isArray(lookupRaw)) fail('lookup: expected a list of { name, port }');
  const lookup = lookupRaw.map((l: unknown, i) => {
    const o = (l ?? {}) as Record<string, unknown>;
    return {
      name: o['name'] === undefined ? (i === 0 ? 'primary' : 'mirror') : str(o['name'], `lookup[${i}].name`),
      port: int(o['port'] ?? 0, `lookup[${i}].port`, 0, 65535),
    };
  });
  const secRaw = r['securities'];
  if (!Array.isArray(secRaw) || secRaw.length === 0) fail('securities: expected a non-empty list');
  const securities = secRaw.map((s: unknown, i) => {
    const o = (s ?? {}) as Record<string, unknown>;
    const def: SecurityDefinition = {
      securityId: str(o['securityId'], `securities[${i}].securityId`),
      lotSize: int(o['lotSize'], `securities[${i}].lotSize`, 1, 1_000_000),
    };
    if (o['referencePrice'] !== undefined) {
      if (typeof o['referencePrice'] !== 'number' || !(o['referencePrice'] > 0)) fail(`securities[${i}].referencePrice: expected a positive price`);
      def.referencePrice = Math.round(o['referencePrice'] * 1000); // engine prices are P3 (thousandths)
    }
    if (o['marketSegmentId'] !== undefined) def.marketSegmentId = str(o['marketSegmentId'], `securities[${i}].marketSegmentId`);
    if (o['securityExchange'] !== undefined) {
      const mic = str(o['securityExchange'], `securities[${i}].securityExchange`);
      if (!profileFor(service).securityExchanges.includes(mic))
        fail(`securities[${i}].securityExchange: expected one of ${profileFor(service).securityExchanges.join(', ')}`);
      def.securityExchange = mic;
    }
    return def;
  });
  const compRaw = r['compIds'];
  if (!Array.isArray(compRaw) || compRaw.length === 0) fail('compIds: expected a non-empty list');
  const compIds = compRaw.map((c: unknown, i) => {
    const o = (c ?? {}) as Record<string, unknown>;
    const where = `compIds[${i}]`;
    const compId = str(o['compId'], `${where}.compId`);
    if (compId.length > 11) fail(`${where}.compId: at most 11 characters (Alphanumeric Fixed 12)`);
    const ips = o['sourceIps'];
    if (!Array.isArray(ips) || ips.length === 0 || ips.length > 4) fail(`${where}.sourceIps: 1 to 4 registered IPs (§1.1)`);
    const passwordHash =
      o['passwordHash'] !== undefined
        ? str(o['passwordHash'], `${where}.passwordHash`)
        : o['password'] !== undefined
          ? hashPassword(str(o['password'], `${where}.password`))
          : fail(`${where}: password or passwordHash required`);
    const cfg: CompIdConfig = {
      compId,
      firm: o['firm'] === undefined ? compId : str(o['firm'], `${where}.firm`),
      sourceIps: ips.map((x, k) => str(x, `${where}.sourceIps[${k}]`)),
      passwordHash,
    };
    if (o['brokerIds'] !== undefined) {
      if (!Array.isArray(o['brokerIds'])) fail(`${where}.brokerIds: expected a list`);
      cfg.brokerIds = o['brokerIds'].map((x, k) => str(x, `${where}.brokerIds[${k}]`));
    }
    if (o['dropCopy'] !== undefined) cfg.dropCopy = o['dropCopy'] === true;
    if (o['throttleMps'] !== undefined) cfg.throttleMps = int(o['throttleMps'], `${where}.throttleMps`, 0, 10_000_000);
    if (o['mustChangePassword'] !== undefined) cfg.mustChangePassword = o['mustChangePassword'] === true;
    if (o['cancelOnDisconnect'] !== undefined) {
      const cod = o['cancelOnDisconnect'] as Record<string, unknown>;
      cfg.cancelOnDisconnect = { enabled: cod['enabled'] === true, delayMs: int(cod['delayMs'] ?? 0, `${where}.cancelOnDisconnect.delayMs`, 0, 86_400_000) };
    }
    return cfg;
  });
  const out: GatewayFileConfig = {
    service,
    host: r['host'] === undefined ? '127.0.0.1' : str(r['host'], 'host'),
    port: int(r['port'] ?? 0, 'port', 0, 65535),
    keyFile,
    publicKeyFile,
    lookup,
    site: r['site'] === 'backup' ? 'backup' : 'primary',
    securities,
    compIds,
    logoutWaitMs: r['logoutWaitMs'] === undefined ? 2_000 : int(r['logoutWaitMs'], 'logoutWaitMs', 0, 60_000),
  };
  if (r['dailyQuota'] !== undefined) {
    if (service !== 'OTP-CSC') fail('dailyQuota: only for service OTP-CSC (the Northbound quota)');
    out.dailyQuota = int(r['dailyQuota'], 'dailyQuota', 0, 1e12);
  }
  if (r['journalDir'] !== undefined) out.journalDir = rel(str(r['journalDir'], 'journalDir'));
  if (r['passwordToleranceMs'] !== undefined) out.passwordToleranceMs = int(r['passwordToleranceMs'], 'passwordToleranceMs', 0, 86_400_000);
  return out;
}

/** Read the venue key, generating it (and the public key file) on first use. */
export function ensureVenueKey(keyFile: string, publicKeyFile: string): string {
  if (!fs.existsSync(keyFile)) {
    const kp = generateVenueKeyPair();
    fs.mkdirSync(path.dirname(keyFile), { recursive: true });
    fs.writeFileSync(keyFile, kp.privateKeyPem, { mode: 0o600 });
    fs.writeFileSync(publicKeyFile, kp.publicKeyPem);
    return kp.privateKeyPem;
  }
  const pem = fs.readFileSync(keyFile, 'utf8');
  if (!fs.existsSync(publicKeyFile)) fs.writeFileSync(publicKeyFile, publicKeyOf(pem));
  return pem;
}

const command: Command = {
  name: 'ocg gateway',
  summary: 'Run an OCG-C trading gateway (OTP-C or OTP-CSC) with matching engine and lookup endpoints',
  details: `Config file (YAML or JSON), paths relative to it:\n\n${EXAMPLE.split('\n')
    .map((l) => '  ' + l)
    .join('\n')}`,
  options: {
    config: { type: 'string', value: 'FILE', description: 'Gateway config (YAML or JSON)' },
    'export-public-key': { type: 'string', value: 'FILE', description: 'Write the venue public key (PEM) for clients to FILE and exit' },
    duration: { type: 'string', default: '0', value: 'S', description: 'Seconds to run; 0 = until interrupted' },
    'log-level': { type: 'string', default: 'info', value: 'LEVEL', description: 'debug, info, warn or error (JSON lines on stderr)' },
    'low-latency': { type: 'boolean', description: 'Busy polling, quiet collections and V8 start-up flags: lower latency, a whole core (docs/performance.md)' },
  },
  async run(values) {
    if (typeof values['config'] !== 'string') throw new UsageError('--config FILE is required');
    const file = path.resolve(values['config']);
    if (!fs.existsSync(file)) throw new UsageError(`--config: ${file} does not exist`);
    if (values['low-latency'] === true) {
      const code = relaunchWithFlags(); // V8 takes the profile's flags only at start-up
      if (code !== null) return code;
    }
    const cfg = parseGatewayConfig(fs.readFileSync(file, 'utf8'), path.dirname(file));
    const privateKeyPem = ensureVenueKey(cfg.keyFile, cfg.publicKeyFile);
    if (typeof values['export-public-key'] === 'string') {
      fs.writeFileSync(values['export-public-key'], publicKeyOf(privateKeyPem));
      console.log(`public key written to ${path.resolve(values['export-public-key'])}`);
      return 0;
    }
    const duration = numberOption(values, 'duration', { min: 0 });
    const level = String(values['log-level']) as OcgLogLevel;
    if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level: expected debug, info, warn or error, got ${level}`);
    const log = jsonLineLogger((l) => process.stderr.write(l), level);
    const store: SessionStore = cfg.journalDir !== undefined ? new FileSessionStore(cfg.journalDir) : new MemorySessionStore();
    // preciseClock: Transaction Times with microseconds (§2.5); the engine is alone here (no OMD feed).
    const engine = new MatchingEngine(
      {
        profile: profileFor(cfg.service),
        securities: cfg.securities,
        ...(cfg.dailyQuota !== undefined ? { dailyQuota: cfg.dailyQuota * 1000 } : {}), // yuan → P3
      },
      preciseClock,
    );
    const lowLatency = values['low-latency'] === true ? new LowLatencyProfile() : null;
    const gateway = new OcgGateway({
      service: cfg.service,
      name: `${cfg.service} ${cfg.site}`,
      host: cfg.host,
      port: cfg.port,
      privateKeyPem,
      compIds: cfg.compIds,
      router: engine,
      store,
      log,
      securities: cfg.securities,
      clock: preciseClock,
      ...(lowLatency !== null ? { hooks: lowLatency } : {}),
      ...(cfg.passwordToleranceMs !== undefined ? { passwordToleranceMs: cfg.passwordToleranceMs } : {}),
      onEvent: (e) => log.log('info', `evidence.${e.kind}`, { service: e.service, compId: e.compId, firm: e.firm, ...e.detail }),
    });
    const gw = await gateway.start();
    // One gateway per process: the Lookup Response names it as both Primary and Secondary [INF].
    const lookups = cfg.lookup.map(
      (l) =>
        new LookupService({
          name: l.name,
          site: cfg.site,
          host: cfg.host,
          port: l.port,
          log,
          clients: (id) => gateway.lookupEntry(id),
          gateways: () => (gateway.isOpen ? { primary: gw, secondary: gw } : null),
        }),
    );
    for (const l of lookups) await l.open();
    console.log(`ocg gateway: ${cfg.service} ${cfg.site} site`);
    console.log(`  gateway     ${gw.host}:${gw.port}`);
    for (const l of lookups) console.log(`  lookup      ${l.name} ${l.address.host}:${l.address.port}`);
    console.log(`  public key  ${cfg.publicKeyFile}`);
    console.log(`  journal     ${cfg.journalDir ?? '(memory)'}`);
    console.log(`  comp IDs    ${cfg.compIds.map((c) => c.compId + (c.dropCopy === true ? ' (drop copy)' : '')).join(', ')}`);
    console.log(`  profile     ${lowLatency === null ? 'default' : `low-latency: ${lowLatency.describe()}`}`);
    console.log('  ready');
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
      if (duration > 0) setTimeout(() => resolve('duration'), duration * 1000);
    });
    // Service shutdown: every session is logged out before the sockets close (§3.4).
    for (const l of lookups) await l.close();
    await gateway.logoutAll(`service shutdown (${signal})`, cfg.logoutWaitMs);
    await gateway.close();
    store.close();
    return 0;
  },
};

export default command;
