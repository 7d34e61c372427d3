// Where a feed lives on the network. The HKEX Connectivity Guide owns the real
// groups, ports, ChannelIDs and RTS endpoints (OMD-C §12 U7); here they are configuration.
import type { MulticastEndpoint } from '../wire/index.ts';

/** Which OMD product a channel carries; decides the message set and refresh contents (OMD-C §7). */
export type OmdProduct = 'SS' | 'SP' | 'SF' | 'Index' | 'CC';

/** The two services this project simulates: securities market data and China Connect market data. */
export type OmdService = 'OMD-C' | 'OMD-CC';

export interface ChannelConfig {
  /** ChannelID (u16) as used in Retransmission Request/Response. */
  channelId: number;
  product: OmdProduct;
  lineA: MulticastEndpoint;
  lineB: MulticastEndpoint;
  /** The companion refresh channel (OMD-C 4.4); lines A/B of refresh are not modelled separately. */
  refresh: MulticastEndpoint;
}

export interface RtsEndpoint {
  host: string;
  port: number;
  /** Which site serves it (OMD-C 3.4: two per site since the Resilience Model). */
  site: 'primary' | 'backup';
}

export interface FeedConfig {
  service: OmdService;
  /** Interface to send/join on. Loopback (127.0.0.1) is the default and pins multicast to lo. */
  interface: string;
  channels: ChannelConfig[];
  /** The dedicated Disaster Recovery channel that carries DR Signal (105) and heartbeats. */
  drChannel: { channelId: number; lineA: MulticastEndpoint; lineB: MulticastEndpoint };
  rts: RtsEndpoint[];
}

/**
 * A loopback feed layout: channel i of the feed gets groups 239.<base>.<i>.{1,2,3}
 * (line A, line B, refresh) on port basePort + i; the DR channel uses <i> = 0.
 */
export function loopbackFeed(opts: {
  service?: OmdService;
  products?: OmdProduct[];
  groupBase?: number;
  basePort?: number;
  rtsPorts?: number[];
}): FeedConfig {
  const service = opts.service ?? 'OMD-C';
  const products = opts.products ?? (service === 'OMD-CC' ? ['CC'] : ['SS']);
  const g = opts.groupBase ?? (service === 'OMD-CC' ? 102 : 101);
  const basePort = opts.basePort ?? (service === 'OMD-CC' ? 52000 : 51000);
  const channels: ChannelConfig[] = products.map((product, idx) => {
    const i = idx + 1;
    return {
      channelId: i,
      product,
      lineA: { group: `239.${g}.${i}.1`, port: basePort + i },
      lineB: { group: `239.${g}.${i}.2`, port: basePort + i },
      refresh: { group: `239.${g}.${i}.3`, port: basePort + i },
    };
  });
  const rtsPorts = opts.rtsPorts ?? [basePort + 900, basePort + 901, basePort + 902, basePort + 903];
  return {
    service,
    interface: '127.0.0.1',
    channels,
    drChannel: { channelId: 0, lineA: { group: `239.${g}.0.1`, port: basePort }, lineB: { group: `239.${g}.0.2`, port: basePort } },
    rts: rtsPorts.map((port, k) => ({ host: '127.0.0.1', port, site: k < 2 ? 'primary' : 'backup' })),
  };
}
