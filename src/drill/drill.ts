// The embedded default (`npm start`): an accelerated PS2 with both
// sites in one process on loopback (127.0.0.2 / 127.0.0.3), the conductor
// driving them through their control API, and N simulated subscribers (probes
// in-process), a third of them also trading over FIX, four deliberately faulty.
// Ends with a verdict per subscriber, service and protocol.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../wire/index.ts';
import type { OmdService } from '../omd/index.ts';
import {
  SiteControlClient,
  defaultVenueConfig,
  newControlToken,
  probeConfigFor,
  startEmbeddedVenue,
  startSiteControlServer,
  type Site,
  type VenueConfig,
} from '../venue/index.ts';
import { Preflight, Probe, type ProbeReport, type ReadinessReport } from '../probe/index.ts';
import {
  Conductor,
  EvidenceCollector,
  SessionEvidence,
  identitiesOf,
  loadRundown,
  type ConductorReport,
  type Rundown,
  type StepEvent,
} from '../conductor/index.ts';
import { assignFaults, probeFaultsOf, verdicts, type DrillFault, type ServiceVerdict } from './outcome.ts';

export const PS2_RUNDOWN = fileURLToPath(new URL('../../rundowns/ps2.yaml', import.meta.url));

export interface DrillOptions {
  subscribers?: number;
  /** Rundown time runs this many times faster (150: 08:30–11:10 in about 64 s). */
  accelerate?: number;
  rundownPath?: string;
  dataDir?: string;
  session?: string;
  /** First port of each site's block (both hosts use the same numbers). */
  basePort?: number;
  /** Second octet of the multicast groups (OMD-C; OMD-CC uses the next). */
  groupBase?: number;
  /** OCG-C protocol waits multiplier for the probes (default from the acceleration). */
  timeScale?: number;
  desk?: { url: string; token: string };
  log?: (line: string) => void;
  /** Progress summary every this many ms (0 = none). */
  progressMs?: number;
  /** Called once the subscribers and faults are known, before the venue starts (the embedded desk files its paperwork here). */
  beforeSession?: (ctx: DrillSetup) => Promise<void>;
  /** Each rundown step as it starts, ends or fails, with where the sites serve their metrics. */
  onStep?: (e: StepEvent, metrics: DrillMetrics) => void;
}

/** The sites' GET /metrics addresses and the read-only token they take. */
export interface DrillMetrics {
  primary: string;
  backup: string;
  token: string;
}

export interface DrillSetup {
  session: string;
  rundown: Rundown;
  rundownPath: string;
  venue: VenueConfig;
  faults: ReadonlyMap<string, DrillFault>;
}

export interface DrillResult {
  session: string;
  evidencePath: string;
  evidenceCount: number;
  conductor: ConductorReport;
  reports: ProbeReport[];
  faults: Map<string, DrillFault>;
  verdicts: ServiceVerdict[];
  /** Every well-behaved subscriber passed every case and every faulty one failed what its fault breaks. */
  asExpected: boolean;
  /** The readiness check of each firm in the connectivity-test window (rundowns with open-connectivity-test). */
  readiness: ReadinessReport[];
  /** The firm whose readiness check uses a wrong password, so that it fails. */
  preflightFaulty: string | null;
  /** Every firm passed its readiness check but the one meant to fail it. */
  readinessAsExpected: boolean;
  venue: VenueConfig;
}

/** A third of the firms (every third: F003, F006, …) also trade OTP-C over FIX, with a FIX drop copy. */
export function addFixIdentities(venue: VenueConfig): void {
  venue.subscribers.forEach((s, i) => {
    if (i % 3 === 2) s.fix = { trading: `${s.firm}X`, dropCopy: `${s.firm}Y` };
  });
}

/** The active site's books digest of a channel (the probes' venueDigest question). */
function activeDigest(sites: Site[], cfg: VenueConfig) {
  return (service: OmdService, channelId: number): string | undefined => {
    // A black-holed primary never hears it was replaced and still thinks it is active (and keeps
    // trading on its own): the subscribers are served by the active site of the latest generation.
    let site: Site | undefined;
    for (const s of sites) if (s.state === 'active' && (site === undefined || s.generation > site.generation)) site = s;
    if (!site) return undefined;
    const pub = site.publisher(service);
    if (pub.mode !== 'active') return undefined;
    const product = cfg.feeds[service].channels.find((c) => c.channelId === channelId)?.product;
    return pub.image(channelId).digest(product);
  };
}

export async function runDrill(opts: DrillOptions = {}): Promise<DrillResult> {
  const n = opts.subscribers ?? 12;
  const accelerate = opts.accelerate ?? 150;
  const log = opts.log ?? (() => {});
  const rundownPath = opts.rundownPath ?? PS2_RUNDOWN;
  const rundown = await loadRundown(rundownPath);
  const session = opts.session ?? `${rundown.code}-drill`;
  // Venue timers stay protocol-plausible but short: DR signal / heartbeat every 200 ms, refresh every 1 s.
  const venue = defaultVenueConfig({
    subscribers: n,
    session,
    ...(opts.basePort !== undefined ? { basePort: opts.basePort } : {}),
    ...(opts.groupBase !== undefined ? { groupBase: opts.groupBase } : {}),
    timing: { omdHeartbeatMs: 200, refreshIntervalMs: 1_000 },
    market: { eventsPerSecond: 100, securities: 10 },
  });
  venue.metricsToken = newControlToken();
  // Every firm also has a China Connect drop copy session (the default venue gives OTP-CSC a trading session only).
  for (const s of venue.subscribers) if (s['OTP-CSC'] && !s['OTP-CSC'].dropCopy) s['OTP-CSC'].dropCopy = `${s.firm}E`;
  addFixIdentities(venue);
  const firms = venue.subscribers.map((s) => s.firm);
  const faults = assignFaults(firms);
  // One faulty firm also fails its readiness check: a wrong password in the preflight only.
  const preflightFaulty = [...faults.keys()][0] ?? firms.at(-1) ?? null;
  const timeScale = opts.timeScale ?? Math.min(1, 2 / accelerate);
  // How long a probe may take to recover after noticing the loss: the rundown's 20-minute window, at speed, with slack.
  const windowMs = Math.max(8_000, (25 * 60_000) / accelerate);
  if (opts.beforeSession) await opts.beforeSession({ session, rundown, rundownPath, venue, faults });

  const evidence = new SessionEvidence({
    dataDir: opts.dataDir ?? './data',
    session,
    clock: systemClock,
    ...(opts.desk ? { desk: opts.desk } : {}),
    onError: (m) => log(`desk: ${m}`),
  });
  const embedded = await startEmbeddedVenue(venue, { marketTickMs: 50 });
  const servers: Array<{ url: string; close(): Promise<void> }> = [];
  const probes: Probe[] = [];
  let progressTimer: ReturnType<typeof setInterval> | null = null;
  try {
    for (const site of [embedded.primary, embedded.backup]) servers.push(await startSiteControlServer(site, { token: venue.controlToken }));
    const sites = {
      primary: new SiteControlClient({ baseUrl: servers[0]!.url, token: venue.controlToken, timeoutMs: 30_000 }),
      backup: new SiteControlClient({ baseUrl: servers[1]!.url, token: venue.controlToken, timeoutMs: 30_000 }),
    };
    log(
      `venue up: primary ${venue.sites.primary.host}, backup ${venue.sites.backup.host}; ${n} subscribers, faulty: ${[...faults].map(([f, k]) => `${f} ${k}`).join(', ') || 'none'}`,
    );
    const metrics: DrillMetrics = { primary: `${servers[0]!.url}/metrics`, backup: `${servers[1]!.url}/metrics`, token: venue.metricsToken };
    log(`metrics: primary ${metrics.primary}, backup ${metrics.backup} (Bearer ${metrics.token}; while the session runs)`);
    const digest = activeDigest([embedded.primary, embedded.backup], venue);
    for (const firm of firms) {
      const probe = new Probe({
        config: probeConfigFor(venue, firm),
        clock: systemClock,
        timeScale,
        faults: probeFaultsOf(faults.get(firm)),
        ocgTiming: { connectTimeoutMs: 500, lookupTimeoutMs: 500 },
        feed: { arbitrationTimeoutMs: 20, rts: { responseTimeoutMs: 1_000 } },
        venueDigest: digest,
        recoveryTimeoutMs: windowMs,
        verifyTimeoutMs: Math.max(3_000, windowMs / 2),
        onEvidence: evidence.write,
      });
      probes.push(probe);
    }

    const collector = new EvidenceCollector({ sites, clock: systemClock, pollMs: 250, onError: (m) => log(m) });
    collector.addSink(evidence.write);
    let cleanUpDetail: Record<string, unknown> | null = null;
    const preflights: Promise<ReadinessReport>[] = [];
    const onStep = (e: StepEvent) => {
      // The connectivity-test window: each simulated subscriber runs its readiness check before 08:30.
      if (e.phase === 'done' && e.step.action === 'open-connectivity-test') {
        for (const firm of firms) {
          const cfg = probeConfigFor(venue, firm);
          preflights.push(
            new Preflight({
              config: firm === preflightFaulty ? { ...cfg, password: `${cfg.password}-wrong` } : cfg,
              connectTimeoutMs: 1_000,
              logonTimeoutMs: 3_000,
              heartbeatIntervalMs: venue.timing.omdHeartbeatMs,
              refreshTimeoutMs: 3 * venue.timing.refreshIntervalMs,
              onEvidence: evidence.write,
            })
              .run()
              .then((r) => {
                const failed = r.rows.filter((x) => x.verdict === 'fail');
                log(`readiness ${firm}: ${r.passed ? 'READY' : `NOT READY (${failed.map((x) => `${x.identity} ${x.check}: ${x.reason}`).join('; ')})`}`);
                return r;
              }),
          );
        }
      }
      // The open-primary step is the subscribers' cue to connect; isolation and fail back are venue actions they are told of.
      if (e.phase === 'done' && e.step.action === 'open-primary')
        for (const p of probes) p.start().catch((err: unknown) => log(`probe ${p.config.firm} did not start: ${(err as Error).message}`));
      if (e.phase === 'done' && e.step.action === 'isolate-primary') for (const p of probes) p.siteLost();
      if (e.phase === 'start' && e.step.action === 'fail-back') for (const p of probes) p.failBack();
      if (e.phase === 'done' && e.step.action === 'clean-up') cleanUpDetail = e.detail ?? null;
      opts.onStep?.(e, metrics);
    };
    const conductor = new Conductor({ rundown, sites, session, clock: systemClock, accelerate, collector, identities: identitiesOf(venue), log, onStep });
    if (opts.progressMs) progressTimer = setInterval(() => log(progressLine(probes)), opts.progressMs);
    const report = await conductor.run();
    const readiness = await Promise.all(preflights);
    // After the rundown: let the return to the primary settle, then close every case.
    await Promise.all(probes.map((p) => p.whenSettled(Math.max(3_000, windowMs / 2))));
    if (progressTimer) clearInterval(progressTimer);
    progressTimer = null;
    log(progressLine(probes));
    const reports = await Promise.all(probes.map((p) => p.finish()));
    const closed = await evidence.close();
    // The venue's clean-up check (trading identity → orders still resting), when the rundown has one.
    const check = cleanUpDetail?.['cleanUp'] as { resting: Array<{ compId: string; orders: number }> } | undefined;
    const resting = check ? new Map(check.resting.map((x) => [x.compId, x.orders])) : undefined;
    const v = verdicts(reports, faults, resting);
    return {
      session,
      evidencePath: evidence.path,
      evidenceCount: closed.written,
      conductor: report,
      reports,
      faults,
      verdicts: v,
      asExpected: report.failedSteps === 0 && v.every((x) => x.asExpected),
      venue,
      readiness,
      preflightFaulty: readiness.length ? preflightFaulty : null,
      readinessAsExpected: readiness.every((r) => r.passed === (r.firm !== preflightFaulty)),
    };
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    await Promise.allSettled(probes.map((p) => p.finish()));
    for (const s of servers) await s.close().catch(() => {});
    await embedded.stop();
  }
}

/** One line: per service, how many identities recovered at the backup, failed a case, are still going. */
function progressLine(probes: Probe[]): string {
  const per = new Map<string, { recovered: number; failed: number; total: number }>();
  let passed = 0,
    cases = 0;
  for (const p of probes) {
    for (const sp of p.progress()) {
      const c = per.get(sp.service) ?? { recovered: 0, failed: 0, total: 0 };
      c.total++;
      if (sp.failed > 0) c.failed++;
      else if (sp.recoveryMs !== null) c.recovered++;
      per.set(sp.service, c);
      passed += sp.passed;
      cases += sp.total;
    }
  }
  const services = [...per].map(([svc, c]) => `${svc} ${c.recovered}/${c.total} recovered${c.failed ? `, ${c.failed} failed` : ''}`).join(' | ');
  return `${services} — cases passed ${passed}/${cases}`;
}

export function summaryPath(dataDir: string, session: string): string {
  return join(dataDir, session, 'drill-summary.json');
}
