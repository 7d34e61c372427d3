// The conductor plays a rundown against the two sites through their control API
// (src/venue control-api.ts) and records, as evidence, when each step ran:
// when the primary was lost and when a site took over (the failover times).
import type { Clock } from '../wire/index.ts';
import type { EvidenceEvent, Service } from '../evidence/index.ts';
import { SERVICES } from '../evidence/index.ts';
import type { FaultRequest, SiteControlClient, SiteRole, SiteStatus, VenueConfig } from '../venue/index.ts';
import { OCG_SERVICES, OMD_SERVICES } from '../venue/index.ts';
import type { EvidenceCollector } from './evidence-collector.ts';
import type { Rundown, RundownStep } from './rundown.ts';
import { RundownScheduler, type StepRun } from './scheduler.ts';
import { hongKongLabel, toHongKongIso } from './hong-kong-time.ts';

export type SiteControl = Pick<SiteControlClient, 'status' | 'activate' | 'isolate' | 'failback' | 'fault' | 'evidence' | 'cleanUp'> &
  // The connectivity-test window and the market's phases of the day; a site without phases trades
  // continuously (the step only checks it answers).
  Partial<Pick<SiteControlClient, 'connectivityTest' | 'marketPhase' | 'securityStatus'>>;

/** An identity the conductor's own marks are addressed to (one event per identity, so the desk sees them per subscriber). */
export interface ConductedIdentity {
  subscriber: string;
  service: Service;
  identity: string;
}

/** Every identity of the venue's subscribers, for the conductor's marks. */
export function identitiesOf(cfg: VenueConfig): ConductedIdentity[] {
  const out: ConductedIdentity[] = [];
  for (const s of cfg.subscribers) {
    for (const svc of OCG_SERVICES) {
      const ids = s[svc];
      if (!ids) continue;
      out.push({ subscriber: s.firm, service: svc, identity: ids.trading });
      if (ids.dropCopy) out.push({ subscriber: s.firm, service: svc, identity: ids.dropCopy });
    }
    // OTP-C over FIX: same service, the FIX CompIDs.
    if (s.fix)
      out.push(
        { subscriber: s.firm, service: 'OTP-C', identity: s.fix.trading },
        ...(s.fix.dropCopy ? [{ subscriber: s.firm, service: 'OTP-C' as const, identity: s.fix.dropCopy }] : []),
      );
    for (const svc of OMD_SERVICES) {
      const ids = s[svc];
      if (ids) out.push({ subscriber: s.firm, service: svc, identity: ids.rtsUsername });
    }
  }
  return out;
}

export interface ConductorOptions {
  rundown: Rundown;
  sites: Record<SiteRole, SiteControl>;
  /** Practice-session id (the evidence `session`). */
  session: string;
  clock: Clock;
  /** Absent: wall clock, Hong Kong time. */
  accelerate?: number;
  collector?: EvidenceCollector;
  /** Without identities the marks go to subscriber "*" per service. */
  identities?: ConductedIdentity[];
  log?: (line: string) => void;
  /** Called when a step starts and when it ended, for progress displays and the drill. */
  onStep?: (e: StepEvent) => void;
}

export interface StepEvent {
  phase: 'start' | 'done' | 'failed';
  step: RundownStep;
  /** Clock ms. */
  at: number;
  error?: string;
  detail?: Record<string, unknown>;
}

export interface FailoverTimes {
  /** Clock ms the primary was cut off (isolate-primary done). */
  primaryLostAt: number | null;
  /** Clock ms the backup answered its activation. */
  backupActiveAt: number | null;
  /** The site's own measure of its takeover (journal applied → endpoints open). */
  backupTakeoverMs: number | null;
  /** Clock ms the primary was active again after fail-back. */
  failedBackAt: number | null;
  failbackTakeoverMs: number | null;
}

export interface ConductorReport {
  runs: StepRun[];
  failover: FailoverTimes;
  failedSteps: number;
  finalStatus: Partial<Record<SiteRole, SiteStatus | string>>;
}

export class Conductor {
  readonly scheduler: RundownScheduler;
  #o: ConductorOptions;
  #failover: FailoverTimes = { primaryLostAt: null, backupActiveAt: null, backupTakeoverMs: null, failedBackAt: null, failbackTakeoverMs: null };

  constructor(opts: ConductorOptions) {
    this.#o = opts;
    this.scheduler = new RundownScheduler(opts.rundown, { clock: opts.clock, ...(opts.accelerate !== undefined ? { accelerate: opts.accelerate } : {}) });
  }

  get failover(): FailoverTimes {
    return { ...this.#failover };
  }

  async run(): Promise<ConductorReport> {
    const { clock, collector } = this.#o;
    collector?.start();
    const runs = await this.scheduler.run(async (step) => {
      const label = this.#o.accelerate === undefined ? hongKongLabel(step.atMs) : `${hongKongLabel(step.atMs)} (x${this.#o.accelerate})`;
      this.#log(
        `${label} ${step.action}${step.isolation ? ` (${step.isolation})` : ''}${step.fault ? ` (${step.fault.kind} at ${step.fault.site})` : ''}: ${step.text.en}`,
      );
      this.#log(`${' '.repeat(label.length)} ${step.text.zh}`);
      this.#o.onStep?.({ phase: 'start', step, at: clock.now() });
      try {
        const detail = await this.#execute(step);
        this.#o.onStep?.({ phase: 'done', step, at: clock.now(), detail });
      } catch (e) {
        const msg = (e as Error).message;
        this.#log(`  step ${step.index} ${step.action} FAILED: ${msg}`);
        this.#o.onStep?.({ phase: 'failed', step, at: clock.now(), error: msg });
        throw e;
      }
    });
    const finalStatus: ConductorReport['finalStatus'] = {};
    await Promise.all(
      (['primary', 'backup'] as const).map(async (role) => {
        try {
          finalStatus[role] = await this.#o.sites[role].status();
        } catch (e) {
          finalStatus[role] = (e as Error).message;
        }
      }),
    );
    if (collector) await collector.stop();
    return { runs, failover: this.failover, failedSteps: runs.filter((r) => r.error).length, finalStatus };
  }

  stop(): void {
    this.scheduler.stop();
  }

  async #execute(step: RundownStep): Promise<Record<string, unknown>> {
    const { sites, clock } = this.#o;
    const reason = `${this.#o.rundown.code} step ${step.index} ${step.action}`;
    switch (step.action) {
      case 'announce':
        return {};
      case 'open-connectivity-test': {
        // The sites keep their own clock: the window's end is given in it (accelerated runs scale it).
        const untilClock = Math.round(this.scheduler.timeline.clockAt(step.untilMs!));
        const until = new Date(untilClock).toISOString();
        const out: Record<string, unknown> = { until, rundownUntil: toHongKongIso(step.untilMs!) };
        for (const role of ['primary', 'backup'] as const) {
          const site = sites[role];
          if (!site.connectivityTest) throw new Error(`open-connectivity-test: no connectivity-test control for the ${role} site`);
          const r = await site.connectivityTest({ until });
          out[role] = r.connectivityTest;
        }
        this.#log(`  connectivity-test window open at both sites until ${hongKongLabel(step.untilMs!)}`);
        return out;
      }
      case 'open-primary': {
        const r = await sites.primary.activate({ reason });
        this.#mark(step, 'site-activated', 'primary', { takeoverMs: r.takeoverMs, changed: r.changed });
        return { changed: r.changed };
      }
      // The sessions of the day: the active site moves its market through the phases
      // (market-phases.ts), the sub-periods timed at the rundown's pace.
      case 'pre-open':
      case 'continuous-trading':
      case 'closing-auction':
      case 'close': {
        const active = this.#activeSite();
        const site = sites[active];
        if (site.marketPhase === undefined) {
          const st = await site.status();
          return { site: active, state: st.state };
        }
        const r = await site.marketPhase({ session: step.action, ...(this.#o.accelerate !== undefined ? { accelerate: this.#o.accelerate } : {}) });
        this.#log(
          `  market phase at the ${active} site: ${r.phase}${
            r.plan.length > 1
              ? ` (then ${r.plan
                  .slice(1)
                  .map((p) => `${p.phase} ${hongKongLabel(this.#rundownTime(step, p.at))}`)
                  .join(', ')})`
              : ''
          }`,
        );
        return { site: active, phase: r.phase, plan: r.plan.map((p) => p.phase) };
      }
      case 'halt':
      case 'resume': {
        const active = this.#activeSite();
        const site = sites[active];
        if (site.securityStatus === undefined) {
          const st = await site.status();
          return { site: active, state: st.state };
        }
        const r = await site.securityStatus({ securityId: step.security!, halted: step.action === 'halt' });
        this.#log(`  security ${r.securityId} ${r.halted ? 'halted' : 'resumed'} at the ${active} site`);
        return { site: active, securityId: r.securityId, halted: r.halted };
      }
      case 'isolate-primary': {
        const fault = step.isolation!;
        const detail = await this.#isolate(fault, reason);
        this.#failover.primaryLostAt = clock.now();
        this.#mark(step, 'site-lost', 'primary', { fault, ...detail });
        return detail;
      }
      case 'activate-backup': {
        const r = await sites.backup.activate({ reason });
        this.#failover.backupActiveAt = clock.now();
        this.#failover.backupTakeoverMs = r.takeoverMs;
        this.#log(`  backup site active (takeover ${r.takeoverMs} ms)`);
        this.#mark(step, 'site-activated', 'backup', {
          takeoverMs: r.takeoverMs,
          sinceLossMs: this.#failover.primaryLostAt === null ? null : clock.now() - this.#failover.primaryLostAt,
        });
        return { takeoverMs: r.takeoverMs };
      }
      case 'inject-fault': {
        const f = step.fault!;
        const r = await sites[f.site].fault({ kind: f.kind, ...f.params } as FaultRequest);
        return { site: f.site, kind: f.kind, active: r.active };
      }
      case 'fail-back': {
        // A black-holed or flapping primary never heard that it was replaced and may still
        // think it is active: isolate it while the fault still keeps it silent, so nothing of
        // it reaches a subscriber when the fault clears; failback clears the faults.
        const st = await sites.primary.status();
        if (st.state === 'active') await sites.primary.isolate({ mode: 'abrupt', reason: `${reason}: not yet told it was replaced` });
        const r = await sites.primary.failback({ reason });
        this.#failover.failedBackAt = clock.now();
        this.#failover.failbackTakeoverMs = r.takeoverMs;
        this.#log(`  primary site active again (caught up ${r.caughtUpEntries} journal entries, takeover ${r.takeoverMs} ms)`);
        this.#mark(step, 'site-activated', 'primary', { takeoverMs: r.takeoverMs, caughtUpEntries: r.caughtUpEntries, failback: true });
        return { takeoverMs: r.takeoverMs, caughtUpEntries: r.caughtUpEntries };
      }
      case 'clean-up': {
        const out: Record<string, unknown> = {};
        let active: SiteRole | null = null;
        for (const role of ['primary', 'backup'] as const) {
          try {
            const st = await sites[role].status();
            out[role] = { state: st.state, orders: st.orders };
            if (st.state === 'active') active ??= role;
          } catch (e) {
            out[role] = (e as Error).message;
          }
        }
        if (active === null) throw new Error('clean-up: no site is active to report resting orders and sessions');
        // The active site records, per trading identity, its resting orders and whether it is logged on there (venue evidence).
        const r = await sites[active].cleanUp();
        const resting = r.identities.filter((x) => x.restingOrders > 0);
        const away = r.identities.filter((x) => !x.dropCopy && !x.loggedOn);
        this.#log(
          `  clean-up at the ${active} site: ${resting.length ? `${resting.length} identit${resting.length === 1 ? 'y has' : 'ies have'} orders resting (${resting.map((x) => `${x.compId} ${x.restingOrders}`).join(', ')})` : 'no order resting'}; ${away.length} trading session(s) not logged on`,
        );
        out['cleanUp'] = {
          site: active,
          identities: r.identities.length,
          resting: resting.map((x) => ({ compId: x.compId, orders: x.restingOrders })),
          notLoggedOn: away.map((x) => x.compId),
        };
        return out;
      }
    }
  }

  /**
   * The primary lost in one of the backbone change's shapes. A reset or a
   * multicast stop is followed by isolation (nothing may reach the old primary
   * any more); a black hole, a flap and a kill are left as they are, since a
   * graceful close would send the FIN/RST/DR signal that these shapes never send.
   */
  async #isolate(fault: NonNullable<RundownStep['isolation']>, reason: string): Promise<Record<string, unknown>> {
    const primary = this.#o.sites.primary;
    const r = await primary.fault({ kind: fault } as FaultRequest);
    if (fault === 'tcp-reset' || fault === 'multicast-stop') {
      const iso = await primary.isolate({ mode: 'abrupt', reason });
      return { faults: r.active, state: iso.status.state, drSignalSent: iso.drSignalSent };
    }
    return { faults: r.active };
  }

  #mark(step: RundownStep, kind: 'site-lost' | 'site-activated', site: SiteRole, detail: Record<string, unknown>): void {
    const collector = this.#o.collector;
    if (!collector) return;
    const ts = new Date(this.#o.clock.now()).toISOString();
    const base = { step: step.index, action: step.action, rundownAt: toHongKongIso(step.atMs), conductor: true, ...detail };
    const targets: ConductedIdentity[] = this.#o.identities?.length
      ? this.#o.identities
      : SERVICES.map((service) => ({ service, subscriber: '*', identity: '*' }));
    for (const t of targets) {
      const e: EvidenceEvent = {
        id: `${this.#o.session}:conductor:${step.index}:${kind}:${t.service}:${t.subscriber}:${t.identity}`,
        ts,
        session: this.#o.session,
        site,
        service: t.service,
        subscriber: t.subscriber,
        identity: t.identity,
        kind,
        detail: base,
        source: 'venue',
      };
      collector.emit(e);
    }
  }

  /** The site serving now: the backup between its activation and the fail back. */
  #activeSite(): SiteRole {
    return this.#failover.backupActiveAt !== null && this.#failover.failedBackAt === null ? 'backup' : 'primary';
  }

  /** A site time (ms) shown on the rundown's clock: the step's time plus the elapsed time, re-accelerated. */
  #rundownTime(step: RundownStep, siteMs: number): number {
    const elapsed = siteMs - this.#o.clock.now();
    return step.atMs + elapsed * (this.#o.accelerate ?? 1);
  }

  #log(line: string): void {
    this.#o.log?.(line);
  }
}
