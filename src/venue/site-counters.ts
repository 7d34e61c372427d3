// What a site counted since it started, for its Prometheus metrics (metrics.ts). The site bumps
// these where it already handles the event (evidence, datagrams it sends); a scrape reads them.
// They outlive the publishers and gateways a takeover or fail back replaces, so they only grow.
import type { EvidenceKind, Service } from '../evidence/index.ts';
import type { OmdService } from '../omd/index.ts';

export type MulticastLine = 'A' | 'B' | 'refresh' | 'dr';
export const MULTICAST_LINES: readonly MulticastLine[] = ['A', 'B', 'refresh', 'dr'];

export interface LineTraffic {
  /** Datagrams sent, heartbeats included. */
  packets: number;
  /** Messages in them (a heartbeat carries none). */
  messages: number;
  bytes: number;
}

export interface Activation {
  /** takeover: a standby became active (activate); failback: the whole fail back, catch-up included. */
  kind: 'takeover' | 'failback';
  seconds: number;
}

export class SiteCounters {
  /** Evidence events the site recorded, per service and kind. */
  readonly events = new Map<Service, Map<EvidenceKind, number>>();
  /** Multicast datagrams sent, per feed, channel and line (the DR channel counts under its own id, line 'dr'). */
  readonly multicast = new Map<OmdService, Map<number, Record<MulticastLine, LineTraffic>>>();
  /** Refresh cycles started, per feed and channel. */
  readonly refreshCycles = new Map<OmdService, Map<number, number>>();
  /** Retransmission requests answered with a status other than accepted, per feed. */
  readonly retransmissionRefusals = new Map<OmdService, number>();
  /** Every activation of this site, oldest first (a handful per session: each is a control request). */
  readonly activations: Activation[] = [];

  event(service: Service, kind: EvidenceKind): void {
    let m = this.events.get(service);
    if (m === undefined) this.events.set(service, (m = new Map()));
    m.set(kind, (m.get(kind) ?? 0) + 1);
  }

  eventCount(service: Service, kind: EvidenceKind): number {
    return this.events.get(service)?.get(kind) ?? 0;
  }

  /** The per-channel table of one feed; the publisher's datagram callback holds on to it. */
  feedTraffic(service: OmdService): Map<number, Record<MulticastLine, LineTraffic>> {
    let m = this.multicast.get(service);
    if (m === undefined) this.multicast.set(service, (m = new Map()));
    return m;
  }

  /** One datagram sent; its header's MsgCount (byte 2, OMD-C 2.3) gives the messages. */
  static datagram(table: Map<number, Record<MulticastLine, LineTraffic>>, line: MulticastLine, channelId: number, pkt: Uint8Array): void {
    let lines = table.get(channelId);
    if (lines === undefined) {
      const zero = (): LineTraffic => ({ packets: 0, messages: 0, bytes: 0 });
      table.set(channelId, (lines = { A: zero(), B: zero(), refresh: zero(), dr: zero() }));
    }
    const t = lines[line];
    t.packets++;
    t.messages += pkt[2] ?? 0;
    t.bytes += pkt.length;
  }

  refreshCycle(service: OmdService, channelId: number): void {
    let m = this.refreshCycles.get(service);
    if (m === undefined) this.refreshCycles.set(service, (m = new Map()));
    m.set(channelId, (m.get(channelId) ?? 0) + 1);
  }

  retransmissionRefused(service: OmdService): void {
    this.retransmissionRefusals.set(service, (this.retransmissionRefusals.get(service) ?? 0) + 1);
  }
}
