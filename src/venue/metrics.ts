// Prometheus metrics of one site (GET /metrics on its control API). One registry per site: the
// embedded venue runs both sites in one process, so nothing goes to prom-client's global registry.
// Every value is read at scrape time from site.status() and site.counters; the hot paths only
// bump the plain counters of site-counters.ts. Names: docs/operations.md, "Metrics".
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OCG_SERVICES, OMD_SERVICES } from './config.ts';
import { SITE_STATES, FAULT_KINDS } from './control-api.ts';
import type { SiteStatus } from './control-api.ts';
import { MULTICAST_LINES } from './site-counters.ts';
import type { Site } from './site.ts';

const SERVICES = [...OCG_SERVICES, ...OMD_SERVICES];
/** Faults that stay in force (kill and clear are moments, not states). */
const LASTING_FAULTS = FAULT_KINDS.filter((k) => k !== 'kill' && k !== 'clear');
const EXECUTION_REPORT_KINDS = ['ack', 'cancel', 'reject'] as const;

export class SiteMetrics {
  readonly registry = new Registry();
  /** One status per scrape: several metrics read it, and it walks the order books. */
  #snapshot: SiteStatus | null = null;

  constructor(site: Site) {
    this.registry.setDefaultLabels({ site: site.role, session: site.cfg.session });
    const registers = [this.registry];
    const status = () => (this.#snapshot ??= site.status());
    const c = site.counters;

    new Gauge({
      name: 'failover_drill_site_state',
      help: 'Site state: 1 for the current one (starting, standby, active, isolated, fenced, stopped)',
      labelNames: ['state'],
      registers,
      collect() {
        const s = status().state;
        for (const st of SITE_STATES) this.set({ state: st }, st === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'failover_drill_site_generation',
      help: 'Activation generation (each takeover adds one)',
      registers,
      collect() {
        this.set(site.generation);
      },
    });
    new Gauge({
      name: 'failover_drill_site_activated_timestamp_seconds',
      help: 'When this site last became active (Unix time), 0 if never',
      registers,
      collect() {
        const a = status().activatedAt;
        this.set(a === null ? 0 : Date.parse(a) / 1000);
      },
    });
    new Gauge({
      name: 'failover_drill_site_last_activation_seconds',
      help: 'Duration of the last takeover (journal applied to endpoints open) and of the last whole fail back',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const a of c.activations) this.set({ kind: a.kind }, a.seconds);
      },
    });
    new Histogram({
      name: 'failover_drill_site_activation_duration_seconds',
      help: 'Takeovers and fail backs of this site, by duration',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
      collect() {
        this.reset();
        for (const a of c.activations) this.observe({ kind: a.kind }, a.seconds);
      },
    });
    new Gauge({
      name: 'failover_drill_site_faults_active',
      help: 'Injected faults in force: 1 while active',
      labelNames: ['fault'],
      registers,
      collect() {
        const on = status().faults;
        for (const f of LASTING_FAULTS) this.set({ fault: f }, on.includes(f) ? 1 : 0);
      },
    });

    new Gauge({
      name: 'failover_drill_service_open',
      help: 'Whether the service is open to subscribers at this site (lookup listening; publisher active)',
      labelNames: ['service'],
      registers,
      collect() {
        const s = status().services;
        for (const svc of SERVICES) this.set({ service: svc }, s[svc]?.open ? 1 : 0);
      },
    });
    new Gauge({
      name: 'failover_drill_sessions_logged_on',
      help: 'Sessions logged on now: OCG Comp IDs at the gateway, retransmission connections for OMD',
      labelNames: ['service'],
      registers,
      collect() {
        const s = status().services;
        for (const svc of OCG_SERVICES) this.set({ service: svc }, s[svc]?.connections ?? 0);
        for (const svc of OMD_SERVICES) this.set({ service: svc }, s[svc] !== undefined ? site.publisher(svc).rtsConnections : 0);
      },
    });
    new Counter({
      name: 'failover_drill_logons_total',
      help: 'Logons answered at this site, accepted or rejected (OCG and retransmission)',
      labelNames: ['service', 'result'],
      registers,
      collect() {
        this.reset();
        for (const svc of SERVICES) {
          this.inc({ service: svc, result: 'accepted' }, c.eventCount(svc, 'logon'));
          this.inc({ service: svc, result: 'rejected' }, c.eventCount(svc, 'logon-rejected'));
        }
      },
    });
    new Counter({
      name: 'failover_drill_orders_total',
      help: 'Orders (new, amend, cancel requests) the gateway received',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const svc of OCG_SERVICES) this.inc({ service: svc }, c.eventCount(svc, 'order'));
      },
    });
    new Counter({
      name: 'failover_drill_execution_reports_total',
      help: "Execution Reports sent to the order's session: ack (accepted, amended, filled), cancel, reject",
      labelNames: ['service', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const svc of OCG_SERVICES) for (const k of EXECUTION_REPORT_KINDS) this.inc({ service: svc, kind: k }, c.eventCount(svc, k));
      },
    });
    new Gauge({
      name: 'failover_drill_orders_resting',
      help: 'Orders the matching engine holds now',
      labelNames: ['service'],
      registers,
      collect() {
        const o = status().orders;
        for (const svc of OCG_SERVICES) this.set({ service: svc }, o[svc] ?? 0);
      },
    });

    new Gauge({
      name: 'failover_drill_journal_link_up',
      help: 'Whether the journal link to the peer site is up (sending or receiving)',
      registers,
      collect() {
        this.set(status().replication.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'failover_drill_journal_sequence',
      help: 'Last journal entry written (active site) or applied (standby)',
      registers,
      collect() {
        this.set(status().replication.lastSeq);
      },
    });
    new Gauge({
      name: 'failover_drill_journal_unacknowledged_entries',
      help: 'Journal entries the standby has not acknowledged yet (active site)',
      registers,
      collect() {
        const r = status().replication;
        this.set(r.direction === 'sending' ? Math.max(0, r.lastSeq - r.ackedSeq) : 0);
      },
    });
    new Gauge({
      name: 'failover_drill_journal_replication_lag_seconds',
      help: 'How long the standby has been behind the active site (0 when it acknowledged every entry)',
      registers,
      collect() {
        this.set(site.replicationLagSeconds());
      },
    });

    new Counter({
      name: 'failover_drill_omd_packets_total',
      help: 'Multicast datagrams sent, heartbeats included',
      labelNames: ['service', 'channel', 'line'],
      registers,
      collect() {
        this.reset();
        forTraffic((l, v) => this.inc(l, v.packets));
      },
    });
    new Counter({
      name: 'failover_drill_omd_messages_total',
      help: 'Messages in the multicast datagrams sent',
      labelNames: ['service', 'channel', 'line'],
      registers,
      collect() {
        this.reset();
        forTraffic((l, v) => this.inc(l, v.messages));
      },
    });
    new Counter({
      name: 'failover_drill_omd_bytes_total',
      help: 'Bytes of the multicast datagrams sent (UDP payload)',
      labelNames: ['service', 'channel', 'line'],
      registers,
      collect() {
        this.reset();
        forTraffic((l, v) => this.inc(l, v.bytes));
      },
    });
    new Counter({
      name: 'failover_drill_omd_refresh_cycles_total',
      help: 'Refresh cycles started',
      labelNames: ['service', 'channel'],
      registers,
      collect() {
        this.reset();
        for (const [svc, m] of c.refreshCycles) for (const [ch, n] of m) this.inc({ service: svc, channel: String(ch) }, n);
      },
    });
    new Counter({
      name: 'failover_drill_retransmission_requests_total',
      help: 'Retransmission requests received',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const svc of OMD_SERVICES) this.inc({ service: svc }, c.eventCount(svc, 'retransmission-request'));
      },
    });
    new Counter({
      name: 'failover_drill_retransmission_refusals_total',
      help: 'Retransmission requests refused (any status but accepted)',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const svc of OMD_SERVICES) this.inc({ service: svc }, c.retransmissionRefusals.get(svc) ?? 0);
      },
    });
    new Counter({
      name: 'failover_drill_evidence_events_total',
      help: 'Evidence events the site recorded, by service and kind',
      labelNames: ['service', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const [svc, m] of c.events) for (const [kind, n] of m) this.inc({ service: svc, kind }, n);
      },
    });

    function forTraffic(
      fn: (labels: { service: string; channel: string; line: string }, v: { packets: number; messages: number; bytes: number }) => void,
    ): void {
      for (const [svc, channels] of c.multicast) {
        for (const [ch, lines] of channels) {
          for (const line of MULTICAST_LINES) {
            const v = lines[line];
            // A channel uses lines A, B and refresh, the DR channel only 'dr': leave out the series that never move.
            if (v.packets > 0) fn({ service: svc, channel: String(ch), line }, v);
          }
        }
      }
    }
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async metrics(): Promise<string> {
    this.#snapshot = null;
    try {
      return await this.registry.metrics();
    } finally {
      this.#snapshot = null;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
