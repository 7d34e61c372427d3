// Embedded two-site venue for tests: both sites in this process on loopback aliases unique to the
// test process (127.<a>.<b>.2 / .3), multicast groups unique to it too, fast journal timers.
import { defaultVenueConfig, startEmbeddedVenue } from '../../src/venue/index.ts';
import type { Site, VenueConfig, DefaultVenueOptions } from '../../src/venue/index.ts';
import { OcgClient, generateVenueKeyPair } from '../../src/ocg/index.ts';
import type { OcgClientEvent, OcgClientOptions, ExecutionReport } from '../../src/ocg/index.ts';
import { probeConfigFor } from '../../src/venue/index.ts';
import { waitFor as waitUntil } from '../helpers/wait.ts';

let keys: { privateKeyPem: string; publicKeyPem: string } | null = null;
export function venueKeys() {
  keys ??= generateVenueKeyPair();
  return keys;
}

let counter = 0;
export function testVenueConfig(opts: DefaultVenueOptions = {}): VenueConfig {
  counter++;
  const a = 20 + (process.pid % 200);
  const b = ((counter * 7 + Math.floor(Math.random() * 200)) % 250) + 1;
  return defaultVenueConfig({
    subscribers: 2,
    primaryHost: `127.${a}.${b}.2`,
    backupHost: `127.${a}.${b}.3`,
    basePort: 21_000 + (process.pid % 20) * 100,
    groupBase: 120 + ((process.pid + counter * 2) % 120),
    privateKeyPem: venueKeys().privateKeyPem,
    controlToken: 'test-control-token-0123456789',
    timing: { replicationHeartbeatMs: 100, replicationTimeoutMs: 600, standbyWaitMs: 1_000, omdHeartbeatMs: 200, refreshIntervalMs: 1_000 },
    market: { eventsPerSecond: 200 },
    ...opts,
  });
}

export async function embedded(cfg: VenueConfig, opts: { journalLinkDelayMs?: number } = {}): Promise<{ primary: Site; backup: Site; stop(): Promise<void> }> {
  return startEmbeddedVenue(cfg, { marketTickMs: 20, ...opts });
}

/**
 * Both sites embedded with the default test config, and F001's OTP-C client started (logged on at
 * the primary); their stops go onto `cleanup` (the test files' after-each list).
 */
export async function venueWithClient(cleanup: Array<() => unknown>): Promise<{ cfg: VenueConfig; v: Awaited<ReturnType<typeof embedded>>; a: TestClient }> {
  const cfg = testVenueConfig();
  const v = await embedded(cfg);
  cleanup.push(() => v.stop());
  const a = ocgClient(cfg, 'F001');
  cleanup.push(() => a.c.close());
  await a.c.start();
  return { cfg, v, a };
}

export interface TestClient {
  c: OcgClient;
  events: OcgClientEvent[];
  reports: ExecutionReport[];
  kinds(): string[];
}

export function ocgClient(
  cfg: VenueConfig,
  firm: string,
  role: 'trading' | 'drop-copy' = 'trading',
  service: 'OTP-C' | 'OTP-CSC' = 'OTP-C',
  extra: Partial<OcgClientOptions> = {},
): TestClient {
  const p = probeConfigFor(cfg, firm);
  const id = p.trading.find((t) => t.service === service && t.role === role)!;
  const c = new OcgClient({
    compId: id.compId,
    password: p.password,
    publicKeyPem: p.publicKeyPem,
    brokerId: p.brokerId,
    bcan: 'ABC123.2568',
    lookup: id.lookup,
    localAddress: p.localAddress,
    service,
    timeScale: 0.001,
    timing: {
      heartbeatIntervalMs: 2000,
      testRequestAfterMs: 6000,
      testRequestTimeoutMs: 6000,
      logonTimeoutMs: 3000,
      logoutTimeoutMs: 1000,
      connectTimeoutMs: 1000,
      lookupTimeoutMs: 500,
      tickMs: 20,
    },
    firstClientOrderId: 10_000_001,
    ...extra,
  });
  const events: OcgClientEvent[] = [];
  const reports: ExecutionReport[] = [];
  c.on('event', (e: OcgClientEvent) => events.push(e));
  c.on('execution-report', (er: ExecutionReport) => reports.push(er));
  return { c, events, reports, kinds: () => events.map((e) => e.kind) };
}

export const waitFor = (what: string, pred: () => boolean, ms = 10_000): Promise<void> => waitUntil(what, pred, ms);
