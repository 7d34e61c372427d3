// The evidence event: the contract between the venue/probe (who emit) and the
// desk (who checks declarations against it). docs/architecture.md, contract 1.

export const SITES = ['primary', 'backup'] as const;
export type Site = (typeof SITES)[number];

export const SERVICES = ['OTP-C', 'OTP-CSC', 'OMD-C', 'OMD-CC'] as const;
export type Service = (typeof SERVICES)[number];

export const TRADING_SERVICES: readonly Service[] = ['OTP-C', 'OTP-CSC'];
export const MARKET_DATA_SERVICES: readonly Service[] = ['OMD-C', 'OMD-CC'];

export const SOURCES = ['venue', 'probe'] as const;
export type Source = (typeof SOURCES)[number];

/**
 * Every kind an emitter may use. The first group is what the venue sees on the
 * wire, the second what the probe sees; both sides may emit either (a probe
 * also sees its own logon). New kinds are added here, in one place.
 */
export const EVIDENCE_KINDS = [
  // venue side (OCG-C and RTS sessions, lookup service)
  'lookup',
  'logon',
  'logon-rejected',
  'logout',
  'disconnect',
  'resend-request',
  'retransmission-request',
  'order',
  'ack',
  'cancel',
  'reject',
  // probe side (feed handler, failover follower)
  'feed-joined',
  'feed-lost',
  'line-switch',
  'gap',
  'gap-recovered',
  'refresh-used',
  'sequence-reset',
  'failover-followed',
  'failover-failed',
  'dr-signal',
  // the probe compared its rebuilt books with the venue's (detail.equal)
  'book-verified',
  // conductor marks (site lost/activated), shared with both sides
  'site-lost',
  'site-activated',
  // the venue at the clean-up step, per trading identity: detail.restingOrders (its live orders),
  // detail.loggedOnAtPrimary (logged on at the primary after the fail back), detail.site (the active site)
  'clean-up',
  // the subscriber's readiness check (preflight) before the session: detail.passed and its rows
  // ({ check, target, verdict, reason }); the firm's own report of what it ran
  'readiness',
  // the venue's market moved: detail.scope 'market' (detail.phase, the phase of the day it entered) or
  // 'security' (detail.securityId with detail.halted, detail.vcm or detail.tradeCancelled)
  'market-phase',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export interface EvidenceEvent {
  /** Emitter-chosen unique id; ingestion is idempotent on it. */
  id: string;
  /** ISO-8601 with milliseconds, e.g. 2023-11-25T02:00:00.123Z. */
  ts: string;
  /** Practice-session id as known to the desk. */
  session: string;
  site: Site;
  service: Service;
  /** Subscriber (firm) id as known to the desk. */
  subscriber: string;
  /** OCG-C CompID or RTS username. */
  identity: string;
  kind: EvidenceKind;
  detail: Record<string, unknown>;
  source: Source;
}
