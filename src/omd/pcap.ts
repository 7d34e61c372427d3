// Writes every datagram the publisher sends as a classic pcap file (magic
// a1b2c3d4, µs timestamps, linktype 1 Ethernet) with synthetic but valid
// Ethernet / IPv4 / UDP framing, so Wireshark and the OMD-C dissectors open it.
import fs from 'node:fs';

const LINKTYPE_ETHERNET = 1;
const ETH_HEADER = 14;
const IPV4_HEADER = 20;
const UDP_HEADER = 8;
/** Locally administered unicast MAC for the simulated sender. */
const SOURCE_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01] as const;

export interface PcapDatagram {
  /** Capture time, ms since epoch (from the injected clock). */
  timeMs: number;
  srcAddress: string;
  srcPort: number;
  dstAddress: string;
  dstPort: number;
  payload: Uint8Array;
}

function ipv4Bytes(addr: string): number[] {
  const parts = addr.split('.').map((x) => Number(x));
  if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new RangeError(`not an IPv4 address: ${addr}`);
  return parts;
}

/** RFC 1071 one's-complement sum of 16-bit words, folded. */
function onesComplementSum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if ((end - start) & 1) sum += buf[end - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** One Ethernet frame carrying an IPv4/UDP datagram (TTL 1, DF, UDP checksum computed). */
export function ethernetFrame(d: PcapDatagram, ipId: number): Uint8Array {
  const udpLen = UDP_HEADER + d.payload.length;
  const ipLen = IPV4_HEADER + udpLen;
  const f = new Uint8Array(ETH_HEADER + ipLen);
  const dst = ipv4Bytes(d.dstAddress);
  const src = ipv4Bytes(d.srcAddress);
  // Ethernet: multicast MAC 01:00:5e + low 23 bits of the group (RFC 1112 6.4).
  const multicast = dst[0]! >= 224 && dst[0]! <= 239;
  if (multicast) f.set([0x01, 0x00, 0x5e, dst[1]! & 0x7f, dst[2]!, dst[3]!], 0);
  else f.set([0x02, 0x00, 0x00, 0x00, 0x00, 0x02], 0);
  f.set(SOURCE_MAC, 6);
  f[12] = 0x08;
  f[13] = 0x00; // IPv4
  // IPv4 header.
  const ip = ETH_HEADER;
  f[ip] = 0x45; // version 4, IHL 5
  f[ip + 1] = 0;
  f[ip + 2] = ipLen >>> 8;
  f[ip + 3] = ipLen & 0xff;
  f[ip + 4] = (ipId >>> 8) & 0xff;
  f[ip + 5] = ipId & 0xff;
  f[ip + 6] = 0x40;
  f[ip + 7] = 0; // DF
  f[ip + 8] = 1; // TTL 1, as the multicast sender (src/wire)
  f[ip + 9] = 17; // UDP
  f.set(src, ip + 12);
  f.set(dst, ip + 16);
  const ipSum = ~onesComplementSum(f, ip, ip + IPV4_HEADER) & 0xffff;
  f[ip + 10] = ipSum >>> 8;
  f[ip + 11] = ipSum & 0xff;
  // UDP header and payload.
  const u = ip + IPV4_HEADER;
  f[u] = d.srcPort >>> 8;
  f[u + 1] = d.srcPort & 0xff;
  f[u + 2] = d.dstPort >>> 8;
  f[u + 3] = d.dstPort & 0xff;
  f[u + 4] = udpLen >>> 8;
  f[u + 5] = udpLen & 0xff;
  f.set(d.payload, u + UDP_HEADER);
  // Pseudo-header: src, dst, zero, protocol, UDP length (RFC 768).
  let pseudo = ((src[0]! << 8) | src[1]!) + ((src[2]! << 8) | src[3]!) + ((dst[0]! << 8) | dst[1]!) + ((dst[2]! << 8) | dst[3]!) + 17 + udpLen;
  pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
  let udpSum = ~onesComplementSum(f, u, u + udpLen, pseudo) & 0xffff;
  if (udpSum === 0) udpSum = 0xffff; // 0 means "no checksum" in UDP over IPv4
  f[u + 6] = udpSum >>> 8;
  f[u + 7] = udpSum & 0xff;
  return f;
}

/** Appends datagrams to a pcap file; buffered, flushed on close() and every 256 KiB. */
export class PcapWriter {
  readonly path: string;
  #fd: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ipId = 0;
  #closed = false;
  /** Frames written. */
  frames = 0;

  constructor(path: string) {
    this.path = path;
    this.#fd = fs.openSync(path, 'w');
    const h = new Uint8Array(24);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0xa1b2c3d4, true); // µs resolution, written little-endian
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setInt32(8, 0, true); // thiszone
    dv.setUint32(12, 0, true); // sigfigs
    dv.setUint32(16, 65_535, true); // snaplen
    dv.setUint32(20, LINKTYPE_ETHERNET, true);
    fs.writeSync(this.#fd, h);
  }

  write(d: PcapDatagram): void {
    if (this.#closed) return;
    this.#ipId = (this.#ipId + 1) & 0xffff;
    const frame = ethernetFrame(d, this.#ipId);
    const rec = new Uint8Array(16);
    const dv = new DataView(rec.buffer);
    const ms = Math.max(0, Math.floor(d.timeMs));
    dv.setUint32(0, Math.floor(ms / 1000), true);
    dv.setUint32(4, (ms % 1000) * 1000, true);
    dv.setUint32(8, frame.length, true);
    dv.setUint32(12, frame.length, true);
    this.#chunks.push(rec, frame);
    this.#buffered += rec.length + frame.length;
    this.frames++;
    if (this.#buffered >= 256 * 1024) this.flush();
  }

  flush(): void {
    if (this.#chunks.length === 0 || this.#closed) return;
    fs.writeSync(this.#fd, Buffer.concat(this.#chunks));
    this.#chunks = [];
    this.#buffered = 0;
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    fs.closeSync(this.#fd);
  }
}
