// Hot-path packet decoder (spec/omd-c.md §2): same validation and typed errors as decodePacket,
// but messages are delivered to a callback in REUSED objects, one per message type, so the
// steady state allocates nothing but the bigint values of 64-bit fields (the contract's type).
// The objects have the exact types of messages.ts, but are overwritten by the next message of
// the same type: a consumer that keeps a message (MarketImage.apply stores 11, 40, 50, 60, …)
// must use decodePacket or copy. Rare types (reference data, control, news) are delivered as
// fresh objects. Measured against decodePacket by bench/omd.decode.bench.ts.
import type * as M from './messages.ts';
import type { OmdMessage } from './messages.ts';
import type { PacketHeader } from './packet.ts';
import { decodeMessageBody, fixedSizeOf, readAscii, readChar, takeBodyError } from './codec.ts';
import { decodeError, type OmdDecodeError } from './errors.ts';

const HEADER = 16;

/** Receives each message of a packet with its sequence number (header SeqNum + index, OMD-C 3.2). */
export type MessageVisitor = (msg: OmdMessage, seqNum: number) => void;

function entry(): M.AggregateBookEntry {
  return { aggregateQuantity: 0n, price: 0, numberOfOrders: 0, side: 0, priceLevel: 0, updateAction: 0 };
}

function bqItem(): M.BrokerQueueItem {
  return { item: 0, type: '' };
}

/**
 * Usage: `const d = new ReusingPacketDecoder(); const err = d.decode(datagram, (m, seq) => …)`.
 * The whole packet is validated before the first callback, so a bad packet delivers nothing.
 * A message object (and its entries/items arrays) is valid only until the callback returns.
 */
export class ReusingPacketDecoder {
  /** Header of the last packet decoded without error (reused object). */
  readonly header: PacketHeader = { pktSize: 0, msgCount: 0, seqNum: 0, sendTime: 0n };
  /** Unknown MsgTypes skipped in the last packet (spec §2.2). */
  skippedUnknown = 0;

  // Rare or variable-length types decoded during validation, delivered in order afterwards.
  private readonly prepared: Array<OmdMessage | null> = [];
  // One array per group count n, holding pooled objects 0..n-1: the message's entries/items
  // array is swapped, never resized (resizing an array reallocates its backing store in V8).
  private readonly entryPool: M.AggregateBookEntry[] = [];
  private readonly entryArrays: M.AggregateBookEntry[][] = [];
  private readonly itemPool: M.BrokerQueueItem[] = [];
  private readonly itemArrays: M.BrokerQueueItem[][] = [];

  private readonly m30: M.AddOrder = { msgType: 30, securityCode: 0, orderId: 0n, price: 0, quantity: 0, side: 0, orderType: '', orderBookPosition: 0 };
  private readonly m31: M.ModifyOrder = { msgType: 31, securityCode: 0, orderId: 0n, quantity: 0, side: 0, orderBookPosition: 0 };
  private readonly m32: M.DeleteOrder = { msgType: 32, securityCode: 0, orderId: 0n, side: 0 };
  private readonly m33: M.AddOddLotOrder = { msgType: 33, securityCode: 0, orderId: 0n, price: 0, quantity: 0, brokerId: 0, side: 0 };
  private readonly m34: M.DeleteOddLotOrder = { msgType: 34, securityCode: 0, orderId: 0n, brokerId: 0, side: 0 };
  private readonly m40: M.NominalPrice = { msgType: 40, securityCode: 0, nominalPrice: 0 };
  private readonly m41: M.IndicativeEquilibriumPrice = { msgType: 41, securityCode: 0, price: 0, aggregateQuantity: 0n };
  private readonly m43: M.ReferencePrice = { msgType: 43, securityCode: 0, referencePrice: 0, lowerPrice: 0, upperPrice: 0 };
  private readonly m44: M.Yield = { msgType: 44, securityCode: 0, yield: 0 };
  private readonly m50: M.Trade = { msgType: 50, securityCode: 0, tradeId: 0, price: 0, quantity: 0, trdType: 0, tradeTime: 0n };
  private readonly m51: M.TradeCancel = { msgType: 51, securityCode: 0, tradeId: 0 };
  private readonly m52: M.TradeTicker = { msgType: 52, securityCode: 0, tickerId: 0, price: 0, aggregateQuantity: 0n, tradeTime: 0n, trdType: 0, trdCancelFlag: '' };
  private readonly m53: M.AggregateOrderBookUpdate = { msgType: 53, securityCode: 0, entries: [] };
  private readonly m54: M.BrokerQueue = { msgType: 54, securityCode: 0, side: 0, bqMoreFlag: '', items: [] };
  private readonly m56: M.OrderImbalance = { msgType: 56, securityCode: 0, orderImbalanceDirection: '', orderImbalanceQuantity: 0n };
  private readonly m60: M.Statistics = { msgType: 60, securityCode: 0, sharesTraded: 0n, turnover: 0n, highPrice: 0, lowPrice: 0, lastPrice: 0, vwap: 0, shortSellSharesTraded: 0, shortSellTurnover: 0n };
  private readonly m62: M.ClosingPrice = { msgType: 62, securityCode: 0, closingPrice: 0, numberOfTrades: 0 };
  private readonly m21: M.SecurityStatus = { msgType: 21, securityCode: 0, suspensionIndicator: 0 };
  private readonly m23: M.VcmTrigger = { msgType: 23, securityCode: 0, coolingOffStartTime: 0n, coolingOffEndTime: 0n, vcmReferencePrice: 0, vcmLowerPrice: 0, vcmUpperPrice: 0 };
  private readonly m71: M.IndexData = {
    msgType: 71, indexCode: '', indexStatus: '', indexTime: 0n, indexValue: 0n, netChgPrevDay: 0n, highValue: 0n, lowValue: 0n,
    easValue: 0n, indexTurnover: 0n, openingValue: 0n, closingValue: 0n, previousSesClose: 0n, indexVolume: 0n, netChgPrevDayPct: 0, exception: '',
  };
  private readonly m655: M.CcTopOfBook = { msgType: 655, securityCode: 0, aggregateBidQuantity: 0n, aggregateAskQuantity: 0n, bidPrice: 0, askPrice: 0 };
  private readonly m660: M.CcStatistics = { msgType: 660, securityCode: 0, sharesTraded: 0n, turnover: 0n, highPrice: 0, lowPrice: 0, lastPrice: 0, openingPrice: 0 };
  private dv: DataView = new DataView(new ArrayBuffer(0));
  // IndexCode repeats across messages: keep the last string to avoid rebuilding it.
  private lastIndexCode = '';
  private lastIndexCodeBytes = new Uint8Array(11);

  constructor() {
    for (let n = 0; n < 256; n++) {
      if (n > 0) this.entryPool.push(entry());
      this.entryArrays.push(this.entryPool.slice(0, n));
    }
    for (let n = 0; n < 256; n++) {
      if (n > 0) this.itemPool.push(bqItem());
      this.itemArrays.push(this.itemPool.slice(0, n));
    }
  }

  private entriesOf(n: number): M.AggregateBookEntry[] {
    return this.entryArrays[n]!;
  }

  private itemsOf(n: number): M.BrokerQueueItem[] {
    return this.itemArrays[n]!;
  }

  /** Validates buf as one packet and, if valid, calls visit for each message. Returns null or the error. */
  decode(buf: Uint8Array, visit: MessageVisitor): OmdDecodeError | null {
    const err = this.validate(buf);
    if (err !== null) return err;
    const dv = this.dv;
    const count = buf[2]!;
    const seq0 = this.header.seqNum;
    const prepared = this.prepared;
    let off = HEADER;
    let seq = seq0;
    for (let i = 0; i < count; i++, seq++) {
      const size = buf[off]! | (buf[off + 1]! << 8);
      const type = buf[off + 2]! | (buf[off + 3]! << 8);
      const o = off;
      off += size;
      switch (type) {
        case 53: {
          const m = this.m53;
          m.securityCode = dv.getUint32(o + 4, true);
          const n = buf[o + 11]!;
          const es = this.entriesOf(n);
          m.entries = es;
          for (let k = 0, p = o + 12; k < n; k++, p += 24) {
            const e = es[k]!;
            e.aggregateQuantity = dv.getBigUint64(p, true);
            e.price = dv.getInt32(p + 8, true);
            e.numberOfOrders = dv.getUint32(p + 12, true);
            e.side = dv.getUint16(p + 16, true);
            e.priceLevel = buf[p + 18]!;
            e.updateAction = buf[p + 19]!;
          }
          visit(m, seq);
          break;
        }
        case 30: {
          const m = this.m30;
          m.securityCode = dv.getUint32(o + 4, true);
          m.orderId = dv.getBigUint64(o + 8, true);
          m.price = dv.getInt32(o + 16, true);
          m.quantity = dv.getUint32(o + 20, true);
          m.side = dv.getUint16(o + 24, true);
          m.orderType = readChar(buf, o + 26);
          m.orderBookPosition = dv.getInt32(o + 28, true);
          visit(m, seq);
          break;
        }
        case 31: {
          const m = this.m31;
          m.securityCode = dv.getUint32(o + 4, true);
          m.orderId = dv.getBigUint64(o + 8, true);
          m.quantity = dv.getUint32(o + 16, true);
          m.side = dv.getUint16(o + 20, true);
          m.orderBookPosition = dv.getInt32(o + 24, true);
          visit(m, seq);
          break;
        }
        case 32: {
          const m = this.m32;
          m.securityCode = dv.getUint32(o + 4, true);
          m.orderId = dv.getBigUint64(o + 8, true);
          m.side = dv.getUint16(o + 16, true);
          visit(m, seq);
          break;
        }
        case 33: {
          const m = this.m33;
          m.securityCode = dv.getUint32(o + 4, true);
          m.orderId = dv.getBigUint64(o + 8, true);
          m.price = dv.getInt32(o + 16, true);
          m.quantity = dv.getUint32(o + 20, true);
          m.brokerId = dv.getUint16(o + 24, true);
          m.side = dv.getUint16(o + 26, true);
          visit(m, seq);
          break;
        }
        case 34: {
          const m = this.m34;
          m.securityCode = dv.getUint32(o + 4, true);
          m.orderId = dv.getBigUint64(o + 8, true);
          m.brokerId = dv.getUint16(o + 16, true);
          m.side = dv.getUint16(o + 18, true);
          visit(m, seq);
          break;
        }
        case 40: {
          const m = this.m40;
          m.securityCode = dv.getUint32(o + 4, true);
          m.nominalPrice = dv.getInt32(o + 8, true);
          visit(m, seq);
          break;
        }
        case 41: {
          const m = this.m41;
          m.securityCode = dv.getUint32(o + 4, true);
          m.price = dv.getInt32(o + 8, true);
          m.aggregateQuantity = dv.getBigUint64(o + 12, true);
          visit(m, seq);
          break;
        }
        case 43: {
          const m = this.m43;
          m.securityCode = dv.getUint32(o + 4, true);
          m.referencePrice = dv.getInt32(o + 8, true);
          m.lowerPrice = dv.getInt32(o + 12, true);
          m.upperPrice = dv.getInt32(o + 16, true);
          visit(m, seq);
          break;
        }
        case 44: {
          const m = this.m44;
          m.securityCode = dv.getUint32(o + 4, true);
          m.yield = dv.getInt32(o + 8, true);
          visit(m, seq);
          break;
        }
        case 50: {
          const m = this.m50;
          m.securityCode = dv.getUint32(o + 4, true);
          m.tradeId = dv.getUint32(o + 8, true);
          m.price = dv.getInt32(o + 12, true);
          m.quantity = dv.getUint32(o + 16, true);
          m.trdType = dv.getInt16(o + 20, true);
          m.tradeTime = dv.getBigUint64(o + 24, true);
          visit(m, seq);
          break;
        }
        case 51: {
          const m = this.m51;
          m.securityCode = dv.getUint32(o + 4, true);
          m.tradeId = dv.getUint32(o + 8, true);
          visit(m, seq);
          break;
        }
        case 52: {
          const m = this.m52;
          m.securityCode = dv.getUint32(o + 4, true);
          m.tickerId = dv.getUint32(o + 8, true);
          m.price = dv.getInt32(o + 12, true);
          m.aggregateQuantity = dv.getBigUint64(o + 16, true);
          m.tradeTime = dv.getBigUint64(o + 24, true);
          m.trdType = dv.getInt16(o + 32, true);
          m.trdCancelFlag = readChar(buf, o + 34);
          visit(m, seq);
          break;
        }
        case 54: {
          const m = this.m54;
          m.securityCode = dv.getUint32(o + 4, true);
          const n = buf[o + 8]!;
          m.side = dv.getUint16(o + 9, true);
          m.bqMoreFlag = readChar(buf, o + 11);
          const its = this.itemsOf(n);
          m.items = its;
          for (let k = 0, p = o + 12; k < n; k++, p += 4) {
            const it = its[k]!;
            it.item = dv.getUint16(p, true);
            it.type = readChar(buf, p + 2);
          }
          visit(m, seq);
          break;
        }
        case 56: {
          const m = this.m56;
          m.securityCode = dv.getUint32(o + 4, true);
          m.orderImbalanceDirection = readChar(buf, o + 8);
          m.orderImbalanceQuantity = dv.getBigUint64(o + 10, true);
          visit(m, seq);
          break;
        }
        case 60: {
          const m = this.m60;
          m.securityCode = dv.getUint32(o + 4, true);
          m.sharesTraded = dv.getBigUint64(o + 8, true);
          m.turnover = dv.getBigInt64(o + 16, true);
          m.highPrice = dv.getInt32(o + 24, true);
          m.lowPrice = dv.getInt32(o + 28, true);
          m.lastPrice = dv.getInt32(o + 32, true);
          m.vwap = dv.getInt32(o + 36, true);
          m.shortSellSharesTraded = dv.getUint32(o + 40, true);
          m.shortSellTurnover = dv.getBigInt64(o + 44, true);
          visit(m, seq);
          break;
        }
        case 62: {
          const m = this.m62;
          m.securityCode = dv.getUint32(o + 4, true);
          m.closingPrice = dv.getInt32(o + 8, true);
          m.numberOfTrades = dv.getUint32(o + 12, true);
          visit(m, seq);
          break;
        }
        case 21: {
          const m = this.m21;
          m.securityCode = dv.getUint32(o + 4, true);
          m.suspensionIndicator = buf[o + 8]!;
          visit(m, seq);
          break;
        }
        case 23: {
          const m = this.m23;
          m.securityCode = dv.getUint32(o + 4, true);
          m.coolingOffStartTime = dv.getBigUint64(o + 8, true);
          m.coolingOffEndTime = dv.getBigUint64(o + 16, true);
          m.vcmReferencePrice = dv.getInt32(o + 24, true);
          m.vcmLowerPrice = dv.getInt32(o + 28, true);
          m.vcmUpperPrice = dv.getInt32(o + 32, true);
          visit(m, seq);
          break;
        }
        case 71: {
          const m = this.m71;
          m.indexCode = this.indexCode(buf, o + 4);
          m.indexStatus = readChar(buf, o + 15);
          m.indexTime = dv.getBigInt64(o + 16, true);
          m.indexValue = dv.getBigInt64(o + 24, true);
          m.netChgPrevDay = dv.getBigInt64(o + 32, true);
          m.highValue = dv.getBigInt64(o + 40, true);
          m.lowValue = dv.getBigInt64(o + 48, true);
          m.easValue = dv.getBigInt64(o + 56, true);
          m.indexTurnover = dv.getBigInt64(o + 64, true);
          m.openingValue = dv.getBigInt64(o + 72, true);
          m.closingValue = dv.getBigInt64(o + 80, true);
          m.previousSesClose = dv.getBigInt64(o + 88, true);
          m.indexVolume = dv.getBigInt64(o + 96, true);
          m.netChgPrevDayPct = dv.getInt32(o + 104, true);
          m.exception = readChar(buf, o + 108);
          visit(m, seq);
          break;
        }
        case 655: {
          const m = this.m655;
          m.securityCode = dv.getUint32(o + 4, true);
          m.aggregateBidQuantity = dv.getBigUint64(o + 8, true);
          m.aggregateAskQuantity = dv.getBigUint64(o + 16, true);
          m.bidPrice = dv.getInt32(o + 24, true);
          m.askPrice = dv.getInt32(o + 28, true);
          visit(m, seq);
          break;
        }
        case 660: {
          const m = this.m660;
          m.securityCode = dv.getUint32(o + 4, true);
          m.sharesTraded = dv.getBigUint64(o + 8, true);
          m.turnover = dv.getBigInt64(o + 16, true);
          m.highPrice = dv.getInt32(o + 24, true);
          m.lowPrice = dv.getInt32(o + 28, true);
          m.lastPrice = dv.getInt32(o + 32, true);
          m.openingPrice = dv.getInt32(o + 36, true);
          visit(m, seq);
          break;
        }
        default: {
          // rare types: decoded into fresh objects during validation (null = unknown, skipped)
          const m = prepared[i];
          prepared[i] = null;
          if (m) visit(m, seq);
        }
      }
    }
    return null;
  }

  private indexCode(buf: Uint8Array, o: number): string {
    const last = this.lastIndexCodeBytes;
    let same = true;
    for (let k = 0; k < 11; k++) {
      if (buf[o + k] !== last[k]) { same = false; break; }
    }
    if (same && this.lastIndexCode !== '') return this.lastIndexCode;
    last.set(buf.subarray(o, o + 11));
    this.lastIndexCode = readAscii(buf, o, 11);
    return this.lastIndexCode;
  }

  /** The checks of decodePacket (same codes), plus decoding the rare types into `prepared`. */
  private validate(buf: Uint8Array): OmdDecodeError | null {
    const len = buf.length;
    if (len < HEADER) return decodeError('TRUNCATED', `packet of ${len} bytes is shorter than the 16-byte header`);
    const pktSize = buf[0]! | (buf[1]! << 8);
    if (pktSize !== len) return decodeError('PKT_SIZE_MISMATCH', `PktSize ${pktSize} but ${len} bytes received`);
    const count = buf[2]!;
    const prepared = this.prepared;
    const dv = new DataView(buf.buffer, buf.byteOffset, len);
    this.dv = dv;
    let skipped = 0;
    let off = HEADER;
    for (let i = 0; i < count; i++) {
      if (off === len) return decodeError('MSG_COUNT_MISMATCH', `MsgCount ${count} but the packet ends after ${i} messages`);
      if (off + 4 > len) return decodeError('MSG_OVERRUN', `message ${i} header at ${off} overruns PktSize ${len}`);
      const size = buf[off]! | (buf[off + 1]! << 8);
      const type = buf[off + 2]! | (buf[off + 3]! << 8);
      if (size < 4) return decodeError('MSG_SIZE_INVALID', `message ${i} MsgSize ${size} < 4 (MsgType ${type})`);
      if (off + size > len) return decodeError('MSG_OVERRUN', `message ${i} MsgType ${type} MsgSize ${size} at ${off} overruns PktSize ${len}`);
      const fixed = fixedSizeOf(type);
      if (fixed !== 0 && size < fixed) return decodeError('MSG_TRUNCATED', `MsgType ${type} MsgSize ${size} < its layout ${fixed}`);
      switch (type) {
        case 53:
          if (12 + 24 * buf[off + 11]! > size) return decodeError('BAD_FIELD', `AggregateOrderBookUpdate NoEntries ${buf[off + 11]} overruns MsgSize ${size}`);
          break;
        case 54:
          if (12 + 4 * buf[off + 8]! > size) return decodeError('BAD_FIELD', `BrokerQueue ItemCount ${buf[off + 8]} overruns MsgSize ${size}`);
          break;
        case 30: case 31: case 32: case 33: case 34: case 40: case 41: case 43: case 44:
        case 50: case 51: case 52: case 56: case 60: case 62: case 21: case 23: case 71: case 655: case 660:
          break;
        default: {
          const m = decodeMessageBody(buf, dv, off, size, type);
          if (m === null) {
            const err = takeBodyError();
            if (err !== null) return err;
            skipped++;
          }
          prepared[i] = m;
        }
      }
      off += size;
    }
    // A heartbeat is exactly the bare header (OMD-C 3.4.1): MsgCount 0 with anything after it is none.
    if (count === 0 && len !== 16) return decodeError('BAD_HEARTBEAT', `MsgCount 0 but PktSize ${len} (a heartbeat is 16 bytes)`);
    if (off !== len) return decodeError('PKT_SIZE_MISMATCH', `16 + ΣMsgSize = ${off} for MsgCount ${count}, PktSize ${len}`);
    const h = this.header;
    h.pktSize = pktSize;
    h.msgCount = count;
    h.seqNum = dv.getUint32(4, true);
    h.sendTime = dv.getBigUint64(8, true);
    this.skippedUnknown = skipped;
    return null;
  }
}
