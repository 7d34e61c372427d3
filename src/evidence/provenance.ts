// Who vouches for an evidence event (docs/architecture.md, contract 1, "Trust").
// The venue's own record is authoritative for everything the venue can
// observe; a firm's probe is the firm's own word ("self-reported"). The
// posting principal decides what may be posted (a subscriber only its own
// probe evidence); the event's source, so checked, decides its provenance.
import type { EvidenceEvent, EvidenceKind } from './event.ts';

export const PROVENANCES = ['venue', 'self-reported'] as const;
export type Provenance = (typeof PROVENANCES)[number];

/** Evidence as the desk stores it: who posted it (its id space) and who vouches for it. */
export interface StoredEvidenceEvent extends EvidenceEvent {
  /** The posting principal: 'conductor' (the evidence token) or a desk user id. */
  postedBy: string;
  provenance: Provenance;
}

/** The principal of the evidence bearer token (the conductor, and probes it runs). */
export const CONDUCTOR = 'conductor';

/**
 * Whether the venue itself sees an event of this kind, so that its record is
 * the authority and a probe's report of the same kind is display only.
 * Trading and RTS sessions run over TCP to the venue's gateways: the venue sees
 * lookups, logons (and refusals), logouts, disconnects, orders, the acks and
 * cancels it sends, rejects, resend and retransmission requests, and the drop
 * copy it sends. Multicast is fire-and-forget: the venue cannot see who joined
 * a line, lost it, switched lines, met a gap, recovered it or used the refresh
 * channel, nor what a firm's handler did with the DR signal or its books.
 */
export const VENUE_OBSERVES: Readonly<Record<EvidenceKind, boolean>> = {
  lookup: true,
  logon: true,
  'logon-rejected': true,
  logout: true,
  disconnect: true,
  'resend-request': true,
  'retransmission-request': true,
  order: true,
  ack: true,
  cancel: true,
  reject: true,
  'feed-joined': false,
  'feed-lost': false,
  'line-switch': false,
  // Inference: a gap is what the receiver detects; the venue sees only the resend
  // or retransmission request that follows it (a drop copy's gap included).
  gap: false,
  'gap-recovered': false,
  // Inference: the refresh channel is multicast too; the venue publishes it whoever listens.
  'refresh-used': false,
  'sequence-reset': false,
  'failover-followed': false,
  'failover-failed': false,
  'dr-signal': false,
  'book-verified': false,
  // The conductor's own marks: the venue is the one that lost or activated the site.
  'site-lost': true,
  'site-activated': true,
  // The venue's own books and sessions at the clean-up step.
  'clean-up': true,
  // The preflight's verdict is the firm's own: the venue sees its lookups and logons (recorded as
  // those kinds), never its multicast lines, refresh cycle or clock.
  readiness: false,
  // The venue's own market: phases of the day, halts, VCM.
  'market-phase': true,
};

export function provenanceOf(e: Pick<EvidenceEvent, 'source'>): Provenance {
  return e.source === 'venue' ? 'venue' : 'self-reported';
}

/**
 * Whether an event may decide a state, an answer or a contradiction: venue
 * evidence always; self-reported evidence only for what the venue cannot see,
 * or, where the venue recorded nothing at all for the firm (a rehearsal
 * without the conductor), as the only word there is (`venueRecorded` false).
 */
export function decides(e: Pick<EvidenceEvent, 'source' | 'kind'>, venueRecorded: boolean): boolean {
  return e.source === 'venue' || !VENUE_OBSERVES[e.kind] || !venueRecorded;
}

/** Strict: what a contradiction may rest on, whether or not the venue recorded anything. */
export function authoritative(e: Pick<EvidenceEvent, 'source' | 'kind'>): boolean {
  return e.source === 'venue' || !VENUE_OBSERVES[e.kind];
}
