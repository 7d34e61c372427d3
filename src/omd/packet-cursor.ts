// Hot-path lazy reader (spec/omd-c.md §2): validates a whole packet like decodePacket (same
// typed errors; a bad packet yields no message), then walks its messages in place. Fields are
// read from the bytes only when the consumer asks, through per-type views whose getters have
// the field names and types of messages.ts — no object per message, and a bigint only for a
// 64-bit field actually read. Measured against decodePacket and ReusingPacketDecoder by
// bench/omd.decode.bench.ts.
//
//   const c = new PacketCursor();
//   if (c.reset(datagram) === null) {
//     while (c.next()) {
//       switch (c.msgType) {
//         case MsgType.AddOrder: book.add(c.addOrder.securityCode, c.addOrder.price, …); break;
//         case MsgType.AggregateOrderBookUpdate: { const v = c.aggregateOrderBookUpdate;
//           for (let i = 0; i < v.entryCount; i++) { const e = v.entry(i); … e.price … } break; }
//         default: handle(c.message()); // a plain object, for the rarer types
//       }
//     }
//   }
//
// A view reads whatever message the cursor is on: check msgType first. Views and entries are
// reused; call toMessage()/message() for an independent copy.
// Keep each type's handling in a small function of its own (case 30: onAddOrder(c)): V8 inlines
// at most ~920 bytes of bytecode into one optimised function, and a single function reading
// every field of many types through the getters goes over it; which getters then stay calls
// depends on when it was compiled (bench/omd.decode.bench.ts: 15.7–29 M msg/s from run to run,
// against 33–39 M with a handler per type).
import type * as M from './messages.ts';
import type { OmdMessage } from './messages.ts';
import { decodeMessageBody, fixedSizeOf, readAscii, readChar, takeBodyError } from './codec.ts';
import { decodeError, type OmdDecodeError } from './errors.ts';

const HEADER = 16;

/** Where the cursor is: shared by the cursor and its views. Internal. */
export class CursorPosition {
  u8: Uint8Array = new Uint8Array(0);
  dv: DataView = new DataView(new ArrayBuffer(0));
  /** Offset of the current message's MsgSize field. */
  o = 0;
}

/**
 * Validates buf as one OMD-C packet with the checks and error codes of decodePacket.
 * Rare variable-length types (11, 13, 22) are fully decoded to check their group counts.
 */
export function checkPacket(buf: Uint8Array, dv: DataView): OmdDecodeError | null {
  const len = buf.length;
  if (len < HEADER) return decodeError('TRUNCATED', `packet of ${len} bytes is shorter than the 16-byte header`);
  const pktSize = buf[0]! | (buf[1]! << 8);
  if (pktSize !== len) return decodeError('PKT_SIZE_MISMATCH', `PktSize ${pktSize} but ${len} bytes received`);
  const count = buf[2]!;
  let off = HEADER;
  for (let i = 0; i < count; i++) {
    if (off === len) return decodeError('MSG_COUNT_MISMATCH', `MsgCount ${count} but the packet ends after ${i} messages`);
    if (off + 4 > len) return decodeError('MSG_OVERRUN', `message ${i} header at ${off} overruns PktSize ${len}`);
    const size = buf[off]! | (buf[off + 1]! << 8);
    const type = buf[off + 2]! | (buf[off + 3]! << 8);
    if (size < 4) return decodeError('MSG_SIZE_INVALID', `message ${i} MsgSize ${size} < 4 (MsgType ${type})`);
    if (off + size > len) return decodeError('MSG_OVERRUN', `message ${i} MsgType ${type} MsgSize ${size} at ${off} overruns PktSize ${len}`);
    const fixed = fixedSizeOf(type);
    if (fixed !== 0) {
      if (size < fixed) return decodeError('MSG_TRUNCATED', `MsgType ${type} MsgSize ${size} < its layout ${fixed}`);
      if (type === 53) {
        if (12 + 24 * buf[off + 11]! > size) return decodeError('BAD_FIELD', `AggregateOrderBookUpdate NoEntries ${buf[off + 11]} overruns MsgSize ${size}`);
      } else if (type === 54) {
        if (12 + 4 * buf[off + 8]! > size) return decodeError('BAD_FIELD', `BrokerQueue ItemCount ${buf[off + 8]} overruns MsgSize ${size}`);
      } else if (type === 11 || type === 13 || type === 22) {
        if (decodeMessageBody(buf, dv, off, size, type) === null) return takeBodyError() ?? decodeError('BAD_FIELD', `MsgType ${type}`);
      }
    }
    off += size;
  }
  // A heartbeat is exactly the bare header (OMD-C 3.4.1): MsgCount 0 with anything after it is none.
  if (count === 0 && len !== 16) return decodeError('BAD_HEARTBEAT', `MsgCount 0 but PktSize ${len} (a heartbeat is 16 bytes)`);
  if (off !== len) return decodeError('PKT_SIZE_MISMATCH', `16 + ΣMsgSize = ${off} for MsgCount ${count}, PktSize ${len}`);
  return null;
}

/** Walks the messages of one validated packet in place. */
export class PacketCursor {
  private readonly p = new CursorPosition();
  private nextOffset = HEADER;
  private left = 0;
  private type = 0;
  private seq = 0;
  private size = 0;
  /** Unknown MsgTypes skipped so far in this packet (they still consume a sequence number, spec §2.2). */
  skippedUnknown = 0;

  readonly addOrder = new AddOrderView(this.p);
  readonly modifyOrder = new ModifyOrderView(this.p);
  readonly deleteOrder = new DeleteOrderView(this.p);
  readonly addOddLotOrder = new AddOddLotOrderView(this.p);
  readonly deleteOddLotOrder = new DeleteOddLotOrderView(this.p);
  readonly nominalPrice = new NominalPriceView(this.p);
  readonly indicativeEquilibriumPrice = new IndicativeEquilibriumPriceView(this.p);
  readonly referencePrice = new ReferencePriceView(this.p);
  readonly trade = new TradeView(this.p);
  readonly tradeCancel = new TradeCancelView(this.p);
  readonly tradeTicker = new TradeTickerView(this.p);
  readonly aggregateOrderBookUpdate = new AggregateOrderBookUpdateView(this.p);
  readonly brokerQueue = new BrokerQueueView(this.p);
  readonly orderImbalance = new OrderImbalanceView(this.p);
  readonly statistics = new StatisticsView(this.p);
  readonly closingPrice = new ClosingPriceView(this.p);
  readonly securityStatus = new SecurityStatusView(this.p);
  readonly indexData = new IndexDataView(this.p);
  readonly ccTopOfBook = new CcTopOfBookView(this.p);
  readonly ccStatistics = new CcStatisticsView(this.p);

  /** Validates buf and positions the cursor before its first message; on error it yields nothing. */
  reset(buf: Uint8Array): OmdDecodeError | null {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const err = checkPacket(buf, dv);
    this.skippedUnknown = 0;
    this.type = 0;
    if (err !== null) {
      this.left = 0;
      return err;
    }
    const p = this.p;
    p.u8 = buf;
    p.dv = dv;
    p.o = 0;
    this.nextOffset = HEADER;
    this.left = buf[2]!;
    this.seq = dv.getUint32(4, true) - 1;
    return null;
  }

  /** PktSize of the current packet. */
  get pktSize(): number {
    return this.p.u8.length;
  }
  /** MsgCount of the current packet (0 = heartbeat). */
  get msgCount(): number {
    return this.p.u8[2] ?? 0;
  }
  /** SeqNum of the packet header: the first message's sequence number. */
  get seqNum(): number {
    return this.p.u8.length >= HEADER ? this.p.dv.getUint32(4, true) : 0;
  }
  /** SendTime of the packet header (ns, ms precision). */
  get sendTime(): bigint {
    return this.p.u8.length >= HEADER ? this.p.dv.getBigUint64(8, true) : 0n;
  }

  /** Moves to the next known message (unknown MsgTypes are skipped and counted); false at the end. */
  next(): boolean {
    const u8 = this.p.u8;
    while (this.left > 0) {
      this.left--;
      const o = this.nextOffset;
      const size = u8[o]! | (u8[o + 1]! << 8);
      const type = u8[o + 2]! | (u8[o + 3]! << 8);
      this.nextOffset = o + size;
      this.seq++;
      if (fixedSizeOf(type) === 0) {
        this.skippedUnknown++;
        continue;
      }
      this.p.o = o;
      this.type = type;
      this.size = size;
      return true;
    }
    this.type = 0;
    return false;
  }

  /** MsgType of the current message. */
  get msgType(): number {
    return this.type;
  }
  /** Sequence number of the current message (packet SeqNum + index, OMD-C 3.2). */
  get msgSeqNum(): number {
    return this.seq;
  }
  /** MsgSize of the current message. */
  get msgSize(): number {
    return this.size;
  }

  /** The current message decoded into a fresh plain object (any type). */
  message(): OmdMessage {
    const p = this.p;
    return decodeMessageBody(p.u8, p.dv, p.o, this.size, this.type)!;
  }
}

/** One entry of an AggregateOrderBookUpdate view, positioned by AggregateOrderBookUpdateView.entry(i). */
export class AggregateBookEntryView implements Readonly<M.AggregateBookEntry> {
  private readonly p: CursorPosition;
  /** Offset of the entry within the packet. */
  at = 0;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get aggregateQuantity(): bigint {
    return this.p.dv.getBigUint64(this.at, true);
  }
  get price(): number {
    return this.p.dv.getInt32(this.at + 8, true);
  }
  get numberOfOrders(): number {
    return this.p.dv.getUint32(this.at + 12, true);
  }
  get side(): number {
    return this.p.dv.getUint16(this.at + 16, true);
  }
  get priceLevel(): number {
    return this.p.u8[this.at + 18]!;
  }
  get updateAction(): number {
    return this.p.u8[this.at + 19]!;
  }
  toEntry(): M.AggregateBookEntry {
    return {
      aggregateQuantity: this.aggregateQuantity,
      price: this.price,
      numberOfOrders: this.numberOfOrders,
      side: this.side,
      priceLevel: this.priceLevel,
      updateAction: this.updateAction,
    };
  }
}

/** Lazy view of AggregateOrderBookUpdate (53). Use entryCount/entry(i) on the hot path; `entries` allocates. */
export class AggregateOrderBookUpdateView implements Readonly<M.AggregateOrderBookUpdate> {
  readonly msgType = 53 as const;
  private readonly p: CursorPosition;
  private readonly cursorEntry: AggregateBookEntryView;
  constructor(p: CursorPosition) {
    this.p = p;
    this.cursorEntry = new AggregateBookEntryView(p);
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get entryCount(): number {
    return this.p.u8[this.p.o + 11]!;
  }
  /** Entry i (0-based, < entryCount), as a reused view. */
  entry(i: number): AggregateBookEntryView {
    const e = this.cursorEntry;
    e.at = this.p.o + 12 + 24 * i;
    return e;
  }
  /** All entries as plain objects (allocates). */
  get entries(): M.AggregateBookEntry[] {
    const out: M.AggregateBookEntry[] = [];
    for (let i = 0, n = this.entryCount; i < n; i++) out.push(this.entry(i).toEntry());
    return out;
  }
  toMessage(): M.AggregateOrderBookUpdate {
    return { msgType: 53, securityCode: this.securityCode, entries: this.entries };
  }
}

/** Lazy view of BrokerQueue (54). Use itemCount/itemAt(i)/itemTypeAt(i) on the hot path; `items` allocates. */
export class BrokerQueueView implements Readonly<M.BrokerQueue> {
  readonly msgType = 54 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get itemCount(): number {
    return this.p.u8[this.p.o + 8]!;
  }
  /** 1 buy, 2 sell (§12 U10). */
  get side(): number {
    return this.p.dv.getUint16(this.p.o + 9, true);
  }
  get bqMoreFlag(): string {
    return readChar(this.p.u8, this.p.o + 11);
  }
  /** Item i: broker number, or spread count when its type is 'S'. */
  itemAt(i: number): number {
    return this.p.dv.getUint16(this.p.o + 12 + 4 * i, true);
  }
  itemTypeAt(i: number): string {
    return readChar(this.p.u8, this.p.o + 14 + 4 * i);
  }
  get items(): M.BrokerQueueItem[] {
    const out: M.BrokerQueueItem[] = [];
    for (let i = 0, n = this.itemCount; i < n; i++) out.push({ item: this.itemAt(i), type: this.itemTypeAt(i) });
    return out;
  }
  toMessage(): M.BrokerQueue {
    return { msgType: 54, securityCode: this.securityCode, side: this.side, bqMoreFlag: this.bqMoreFlag, items: this.items };
  }
}

// ---- fixed-layout views (offsets as in codec.ts, spec §5) ----

/** Lazy view of AddOrder (30); valid while the cursor is on a message of that type. */
export class AddOrderView implements Readonly<M.AddOrder> {
  readonly msgType = 30 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get orderId(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 8, true);
  }
  get price(): number {
    return this.p.dv.getInt32(this.p.o + 16, true);
  }
  get quantity(): number {
    return this.p.dv.getUint32(this.p.o + 20, true);
  }
  get side(): number {
    return this.p.dv.getUint16(this.p.o + 24, true);
  }
  get orderType(): string {
    return readChar(this.p.u8, this.p.o + 26);
  }
  get orderBookPosition(): number {
    return this.p.dv.getInt32(this.p.o + 28, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.AddOrder {
    return { msgType: 30, securityCode: this.securityCode, orderId: this.orderId, price: this.price, quantity: this.quantity, side: this.side, orderType: this.orderType, orderBookPosition: this.orderBookPosition };
  }
}

/** Lazy view of ModifyOrder (31); valid while the cursor is on a message of that type. */
export class ModifyOrderView implements Readonly<M.ModifyOrder> {
  readonly msgType = 31 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get orderId(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 8, true);
  }
  get quantity(): number {
    return this.p.dv.getUint32(this.p.o + 16, true);
  }
  get side(): number {
    return this.p.dv.getUint16(this.p.o + 20, true);
  }
  get orderBookPosition(): number {
    return this.p.dv.getInt32(this.p.o + 24, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.ModifyOrder {
    return { msgType: 31, securityCode: this.securityCode, orderId: this.orderId, quantity: this.quantity, side: this.side, orderBookPosition: this.orderBookPosition };
  }
}

/** Lazy view of DeleteOrder (32); valid while the cursor is on a message of that type. */
export class DeleteOrderView implements Readonly<M.DeleteOrder> {
  readonly msgType = 32 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get orderId(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 8, true);
  }
  get side(): number {
    return this.p.dv.getUint16(this.p.o + 16, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.DeleteOrder {
    return { msgType: 32, securityCode: this.securityCode, orderId: this.orderId, side: this.side };
  }
}

/** Lazy view of AddOddLotOrder (33); valid while the cursor is on a message of that type. */
export class AddOddLotOrderView implements Readonly<M.AddOddLotOrder> {
  readonly msgType = 33 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get orderId(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 8, true);
  }
  get price(): number {
    return this.p.dv.getInt32(this.p.o + 16, true);
  }
  get quantity(): number {
    return this.p.dv.getUint32(this.p.o + 20, true);
  }
  get brokerId(): number {
    return this.p.dv.getUint16(this.p.o + 24, true);
  }
  get side(): number {
    return this.p.dv.getUint16(this.p.o + 26, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.AddOddLotOrder {
    return { msgType: 33, securityCode: this.securityCode, orderId: this.orderId, price: this.price, quantity: this.quantity, brokerId: this.brokerId, side: this.side };
  }
}

/** Lazy view of DeleteOddLotOrder (34); valid while the cursor is on a message of that type. */
export class DeleteOddLotOrderView implements Readonly<M.DeleteOddLotOrder> {
  readonly msgType = 34 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get orderId(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 8, true);
  }
  get brokerId(): number {
    return this.p.dv.getUint16(this.p.o + 16, true);
  }
  get side(): number {
    return this.p.dv.getUint16(this.p.o + 18, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.DeleteOddLotOrder {
    return { msgType: 34, securityCode: this.securityCode, orderId: this.orderId, brokerId: this.brokerId, side: this.side };
  }
}

/** Lazy view of NominalPrice (40); valid while the cursor is on a message of that type. */
export class NominalPriceView implements Readonly<M.NominalPrice> {
  readonly msgType = 40 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get nominalPrice(): number {
    return this.p.dv.getInt32(this.p.o + 8, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.NominalPrice {
    return { msgType: 40, securityCode: this.securityCode, nominalPrice: this.nominalPrice };
  }
}

/** Lazy view of IndicativeEquilibriumPrice (41); valid while the cursor is on a message of that type. */
export class IndicativeEquilibriumPriceView implements Readonly<M.IndicativeEquilibriumPrice> {
  readonly msgType = 41 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get price(): number {
    return this.p.dv.getInt32(this.p.o + 8, true);
  }
  get aggregateQuantity(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 12, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.IndicativeEquilibriumPrice {
    return { msgType: 41, securityCode: this.securityCode, price: this.price, aggregateQuantity: this.aggregateQuantity };
  }
}

/** Lazy view of ReferencePrice (43); valid while the cursor is on a message of that type. */
export class ReferencePriceView implements Readonly<M.ReferencePrice> {
  readonly msgType = 43 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get referencePrice(): number {
    return this.p.dv.getInt32(this.p.o + 8, true);
  }
  get lowerPrice(): number {
    return this.p.dv.getInt32(this.p.o + 12, true);
  }
  get upperPrice(): number {
    return this.p.dv.getInt32(this.p.o + 16, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.ReferencePrice {
    return { msgType: 43, securityCode: this.securityCode, referencePrice: this.referencePrice, lowerPrice: this.lowerPrice, upperPrice: this.upperPrice };
  }
}

/** Lazy view of Trade (50); valid while the cursor is on a message of that type. */
export class TradeView implements Readonly<M.Trade> {
  readonly msgType = 50 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get tradeId(): number {
    return this.p.dv.getUint32(this.p.o + 8, true);
  }
  get price(): number {
    return this.p.dv.getInt32(this.p.o + 12, true);
  }
  get quantity(): number {
    return this.p.dv.getUint32(this.p.o + 16, true);
  }
  get trdType(): number {
    return this.p.dv.getInt16(this.p.o + 20, true);
  }
  get tradeTime(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 24, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.Trade {
    return { msgType: 50, securityCode: this.securityCode, tradeId: this.tradeId, price: this.price, quantity: this.quantity, trdType: this.trdType, tradeTime: this.tradeTime };
  }
}

/** Lazy view of TradeCancel (51); valid while the cursor is on a message of that type. */
export class TradeCancelView implements Readonly<M.TradeCancel> {
  readonly msgType = 51 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get tradeId(): number {
    return this.p.dv.getUint32(this.p.o + 8, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.TradeCancel {
    return { msgType: 51, securityCode: this.securityCode, tradeId: this.tradeId };
  }
}

/** Lazy view of TradeTicker (52); valid while the cursor is on a message of that type. */
export class TradeTickerView implements Readonly<M.TradeTicker> {
  readonly msgType = 52 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get tickerId(): number {
    return this.p.dv.getUint32(this.p.o + 8, true);
  }
  get price(): number {
    return this.p.dv.getInt32(this.p.o + 12, true);
  }
  get aggregateQuantity(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 16, true);
  }
  get tradeTime(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 24, true);
  }
  get trdType(): number {
    return this.p.dv.getInt16(this.p.o + 32, true);
  }
  get trdCancelFlag(): string {
    return readChar(this.p.u8, this.p.o + 34);
  }
  /** A plain, independent copy. */
  toMessage(): M.TradeTicker {
    return { msgType: 52, securityCode: this.securityCode, tickerId: this.tickerId, price: this.price, aggregateQuantity: this.aggregateQuantity, tradeTime: this.tradeTime, trdType: this.trdType, trdCancelFlag: this.trdCancelFlag };
  }
}

/** Lazy view of OrderImbalance (56); valid while the cursor is on a message of that type. */
export class OrderImbalanceView implements Readonly<M.OrderImbalance> {
  readonly msgType = 56 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get orderImbalanceDirection(): string {
    return readChar(this.p.u8, this.p.o + 8);
  }
  get orderImbalanceQuantity(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 10, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.OrderImbalance {
    return { msgType: 56, securityCode: this.securityCode, orderImbalanceDirection: this.orderImbalanceDirection, orderImbalanceQuantity: this.orderImbalanceQuantity };
  }
}

/** Lazy view of Statistics (60); valid while the cursor is on a message of that type. */
export class StatisticsView implements Readonly<M.Statistics> {
  readonly msgType = 60 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get sharesTraded(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 8, true);
  }
  get turnover(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 16, true);
  }
  get highPrice(): number {
    return this.p.dv.getInt32(this.p.o + 24, true);
  }
  get lowPrice(): number {
    return this.p.dv.getInt32(this.p.o + 28, true);
  }
  get lastPrice(): number {
    return this.p.dv.getInt32(this.p.o + 32, true);
  }
  get vwap(): number {
    return this.p.dv.getInt32(this.p.o + 36, true);
  }
  get shortSellSharesTraded(): number {
    return this.p.dv.getUint32(this.p.o + 40, true);
  }
  get shortSellTurnover(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 44, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.Statistics {
    return { msgType: 60, securityCode: this.securityCode, sharesTraded: this.sharesTraded, turnover: this.turnover, highPrice: this.highPrice, lowPrice: this.lowPrice, lastPrice: this.lastPrice, vwap: this.vwap, shortSellSharesTraded: this.shortSellSharesTraded, shortSellTurnover: this.shortSellTurnover };
  }
}

/** Lazy view of ClosingPrice (62); valid while the cursor is on a message of that type. */
export class ClosingPriceView implements Readonly<M.ClosingPrice> {
  readonly msgType = 62 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get closingPrice(): number {
    return this.p.dv.getInt32(this.p.o + 8, true);
  }
  get numberOfTrades(): number {
    return this.p.dv.getUint32(this.p.o + 12, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.ClosingPrice {
    return { msgType: 62, securityCode: this.securityCode, closingPrice: this.closingPrice, numberOfTrades: this.numberOfTrades };
  }
}

/** Lazy view of SecurityStatus (21); valid while the cursor is on a message of that type. */
export class SecurityStatusView implements Readonly<M.SecurityStatus> {
  readonly msgType = 21 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get suspensionIndicator(): number {
    return this.p.u8[this.p.o + 8]!;
  }
  /** A plain, independent copy. */
  toMessage(): M.SecurityStatus {
    return { msgType: 21, securityCode: this.securityCode, suspensionIndicator: this.suspensionIndicator };
  }
}

/** Lazy view of CcTopOfBook (655); valid while the cursor is on a message of that type. */
export class CcTopOfBookView implements Readonly<M.CcTopOfBook> {
  readonly msgType = 655 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get aggregateBidQuantity(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 8, true);
  }
  get aggregateAskQuantity(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 16, true);
  }
  get bidPrice(): number {
    return this.p.dv.getInt32(this.p.o + 24, true);
  }
  get askPrice(): number {
    return this.p.dv.getInt32(this.p.o + 28, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.CcTopOfBook {
    return { msgType: 655, securityCode: this.securityCode, aggregateBidQuantity: this.aggregateBidQuantity, aggregateAskQuantity: this.aggregateAskQuantity, bidPrice: this.bidPrice, askPrice: this.askPrice };
  }
}

/** Lazy view of CcStatistics (660); valid while the cursor is on a message of that type. */
export class CcStatisticsView implements Readonly<M.CcStatistics> {
  readonly msgType = 660 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get securityCode(): number {
    return this.p.dv.getUint32(this.p.o + 4, true);
  }
  get sharesTraded(): bigint {
    return this.p.dv.getBigUint64(this.p.o + 8, true);
  }
  get turnover(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 16, true);
  }
  get highPrice(): number {
    return this.p.dv.getInt32(this.p.o + 24, true);
  }
  get lowPrice(): number {
    return this.p.dv.getInt32(this.p.o + 28, true);
  }
  get lastPrice(): number {
    return this.p.dv.getInt32(this.p.o + 32, true);
  }
  get openingPrice(): number {
    return this.p.dv.getInt32(this.p.o + 36, true);
  }
  /** A plain, independent copy. */
  toMessage(): M.CcStatistics {
    return { msgType: 660, securityCode: this.securityCode, sharesTraded: this.sharesTraded, turnover: this.turnover, highPrice: this.highPrice, lowPrice: this.lowPrice, lastPrice: this.lastPrice, openingPrice: this.openingPrice };
  }
}

/** Lazy view of IndexData (71); valid while the cursor is on a message of that type. */
export class IndexDataView implements Readonly<M.IndexData> {
  readonly msgType = 71 as const;
  private readonly p: CursorPosition;
  constructor(p: CursorPosition) {
    this.p = p;
  }
  get indexCode(): string {
    return readAscii(this.p.u8, this.p.o + 4, 11);
  }
  get indexStatus(): string {
    return readChar(this.p.u8, this.p.o + 15);
  }
  get indexTime(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 16, true);
  }
  get indexValue(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 24, true);
  }
  get netChgPrevDay(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 32, true);
  }
  get highValue(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 40, true);
  }
  get lowValue(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 48, true);
  }
  get easValue(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 56, true);
  }
  get indexTurnover(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 64, true);
  }
  get openingValue(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 72, true);
  }
  get closingValue(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 80, true);
  }
  get previousSesClose(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 88, true);
  }
  get indexVolume(): bigint {
    return this.p.dv.getBigInt64(this.p.o + 96, true);
  }
  get netChgPrevDayPct(): number {
    return this.p.dv.getInt32(this.p.o + 104, true);
  }
  get exception(): string {
    return readChar(this.p.u8, this.p.o + 108);
  }
  /** A plain, independent copy. */
  toMessage(): M.IndexData {
    return { msgType: 71, indexCode: this.indexCode, indexStatus: this.indexStatus, indexTime: this.indexTime, indexValue: this.indexValue, netChgPrevDay: this.netChgPrevDay, highValue: this.highValue, lowValue: this.lowValue, easValue: this.easValue, indexTurnover: this.indexTurnover, openingValue: this.openingValue, closingValue: this.closingValue, previousSesClose: this.previousSesClose, indexVolume: this.indexVolume, netChgPrevDayPct: this.netChgPrevDayPct, exception: this.exception };
  }
}
