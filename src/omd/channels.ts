// Where a feed lives on the network. The HKEX Connectivity Guide owns the real
// groups, ports, ChannelIDs and RTS endpoints (OMD-C §12 U7); here they are configuration.
import type { MulticastEndpoint } from '../wire/index.ts';

/**
 * Which OMD product a channel carries; decides the message set and refresh contents (OMD-C §7).
 * OddLot (33/34) and StockConnect (80/81) are the complimentary feeds, each on its own channels
 * (OMD-C 1.3, spec §3.1); without such a channel in a layout they ride on the SS channel.
 */
export type OmdProduct = 'SS' | 'SP' | 'SF' | 'Index' | 'CC' | 'OddLot' | 'StockConnect';

/** Every product, for option and config checks. */
export const OMD_PRODUCTS: readonly OmdProduct[] = ['SS', 'SP', 'SF', 'Index', 'OddLot', 'StockConnect', 'CC'];

/** OMD-CC markets: Shanghai and Shenzhen A shares via Connect (spec §8.1). */
export type CcMarket = 'ASHR' | 'ASZR';

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
  /** OMD-CC: the one market this channel carries (spec §8.1: a channel family per market); absent = both. */
  market?: CcMarket;
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
 * OMD-CC without `products`: one channel per market, Shanghai then Shenzhen (spec §8.1).
 */
export function loopbackFeed(opts: {
  service?: OmdService;
  products?: OmdProduct[];
  /** Market of each channel, by position (OMD-CC); default as above. */
  markets?: ReadonlyArray<CcMarket | undefined>;
  groupBase?: number;
  basePort?: number;
  rtsPorts?: number[];
}): FeedConfig {
  const service = opts.service ?? 'OMD-C';
  const products = opts.products ?? (service === 'OMD-CC' ? ['CC', 'CC'] : ['SS']);
  const markets = opts.markets ?? (opts.products === undefined && service === 'OMD-CC' ? ['ASHR', 'ASZR'] : []);
  const g = opts.groupBase ?? (service === 'OMD-CC' ? 102 : 101);
  const basePort = opts.basePort ?? (service === 'OMD-CC' ? 52000 : 51000);
  const channels: ChannelConfig[] = products.map((product, idx) => {
    const i = idx + 1;
    const market = product === 'CC' ? markets[idx] : undefined;
    return {
      channelId: i,
      product,
      lineA: { group: `239.${g}.${i}.1`, port: basePort + i },
      lineB: { group: `239.${g}.${i}.2`, port: basePort + i },
      refresh: { group: `239.${g}.${i}.3`, port: basePort + i },
      ...(market ? { market } : {}),
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
