// Matching engine: per-security price-time priority limit order books through the phases of the
// day (market-phases.ts): continuous matching, single-price auctions in the pre-opening and closing
// auction sessions (auction.ts), halts and VCM cooling-off (spec note §5; OCG-C code tables from
// src/ocg). Pure logic: no sockets, the
// clock is injected, and `apply(command)` is deterministic so a journal replayed on a standby
// reproduces the same state.
//
// Inferences and doubts, each also said where it applies:
// - Market orders (at-auction orders) and At Crossing TIF only in an auction's input periods;
//   IOC/FOK only in continuous trading; a phase without input, or a halted security → 99 Other
//   with a Reason naming the phase [INF: the Order Reject Code list has no phase code].
// - Cancel and amend refused in the no-cancellation, matching and blocking periods → Cancel/Amend
//   Reject Code 99 Other [INF].
// - VCM: the trade that would move the price beyond the band is not done; the cooling-off starts
//   and the aggressor's remainder is cancelled with Exec Restatement Reason 6 (Cancel on trading
//   halt/VCM) [INF]; during cooling-off only prices inside the band trade or are accepted (16).
// - Reject code choice where the Order Reject Code list (§5.7) has no exact entry: unknown
//   security, off-tick price, unsupported type/TIF/side → 99 Other with a Reason text [INF]
//   (the gateway may answer unknown security with BMR code 2 instead, `cause` tells it).
// - Price band = SEHK "9 times" rule against the last trade or the reference price → 16 [INF].
// - Max order size 3,000 board lots → 3 Order exceeds limit [INF].
// - Client Order IDs are unique per Submitting Broker ID per day (note §5.1).
import type { Clock } from '../wire/index.ts';
import {
  AmendRejectCode,
  CancelRejectCode,
  ExecRestatementReason,
  ExecType,
  LotType,
  MassCancelRejectCode,
  MassCancelRequestType,
  MassCancelResponse,
  OrdRejReason,
  OrdStatus,
  OrdType,
  Side,
  TimeInForce,
} from '../ocg/index.ts';
import type {
  EngineAmendRequest,
  EngineCancelOnDisconnectRequest,
  EngineCancelRequest,
  EngineEvent,
  EngineMassCancelRequest,
  EngineNewOrderRequest,
  EngineOboCancelRequest,
  EngineOboMassCancelRequest,
  EngineRequest,
  MassCancelReportEvent,
  OcgProfile,
  OrderEcho,
  OrderEvent,
  OrderRouter,
  RejectCause,
} from '../ocg/index.ts';
import { isOnTick, MAINLAND_SPREAD_TABLE, SPREAD_TABLE_PART_A } from '../omd/index.ts';
import type { SpreadTable } from '../omd/index.ts';
import type { BookChangeEvent, EngineCommand, MatchingEngineOptions, MatchingEngineState, OrderState, SecurityDefinition, TradeEvent } from './engine-types.ts';
import { OrderBook, RestingOrder, bookSideOf } from './order-book.ts';
import type { BookSide } from './order-book.ts';
import type { MarketEvent, MarketState, PhaseRequest, SecurityStatusRequest, TradeCancelRequest, VenueRequest } from './engine-types.ts';
import { AT_AUCTION_BUY_PRICE, AT_AUCTION_SELL_PRICE, findEquilibrium, levelsOf } from './auction.ts';
import type { Equilibrium } from './auction.ts';
import { CAS_BAND_PERCENT, DEFAULT_VCM, PHASE_RULES, POS_BAND_PERCENT, bandAround, isMarketPhase } from './market-phases.ts';
import type { MarketPhase, PhaseRules, VcmConfig } from './market-phases.ts';

/** Largest quantity in a Client Order ID chain (§5.3: 99 999 999). */
export const MAX_ORDER_QUANTITY = 99_999_999;
/** SEHK maximum order size in board lots [INF]. */
export const DEFAULT_MAX_BOARD_LOTS = 3_000;
/** SEHK "9 times" rule: a price ≥ 9× or ≤ 1/9 of the reference is refused [INF]. */
export const PRICE_BAND_FACTOR = 9;
/** Hong Kong and mainland local time are UTC+8 (the CSC no-cancel windows are local). */
const LOCAL_OFFSET_MS = 8 * 3_600_000;

interface SecurityRuntime {
  def: SecurityDefinition;
  table: SpreadTable;
  lotSize: number;
  segment: string;
  book: OrderBook;
  /** Last trade price (P3), NaN when none today. */
  lastPrice: number;
  halted: boolean;
  /** Cooling-off in force (times ms), or null. */
  vcm: { start: number; end: number; reference: number; lower: number; upper: number } | null;
  /** Reference price and Lower/Upper limits of the current auction period (OMD-C 43), or null. */
  band: { reference: number; lower: number; upper: number } | null;
  /** Last IEP published, for change detection (null = none). */
  iep: Equilibrium | null;
  /** Trades today (OMD-C 62 NumberOfTrades). */
  trades: number;
  /** Recent trades [time ms, price] for the VCM reference (oldest first). */
  history: [number, number][];
}

interface Rejection {
  code: number;
  cause: RejectCause;
  reason: string;
}

/** Owner filter of a mass cancel: every order of `brokerId`, optionally narrowed. */
interface MassScope {
  brokerId: string;
  requestType: number;
  securityId?: string;
  segment?: string;
  bookSide?: 1 | 2;
}

/** Scratch state for #newOrder (RestingOrder's constructor copies it); cumQty and ordStatus fixed for a new order. */
const NEW_ORDER_STATE: OrderState = {
  orderId: '',
  clientOrderId: '',
  compId: '',
  brokerId: '',
  securityId: '',
  side: 0,
  orderType: 0,
  price: 0,
  orderQty: 0,
  cumQty: 0,
  leavesQty: 0,
  ordStatus: OrdStatus.New,
  tif: 0,
  lotType: 0,
  priority: 0,
  enteredAt: 0,
  echo: undefined,
};

export class MatchingEngine implements OrderRouter {
  readonly #clock: Clock;
  readonly #profile: OcgProfile;
  readonly #securities = new Map<string, SecurityRuntime>();
  readonly #maxBoardLots: number;
  readonly #dailyQuota: number;
  readonly #csc: boolean;
  readonly #noCancelWindows: readonly (readonly [number, number])[];

  /** Live orders by Order ID. */
  readonly #orders = new Map<string, RestingOrder>();
  /** Per Submitting Broker ID: Client Order ID → Order ID it named ('' for none). */
  readonly #clOrdIds = new Map<string, Map<string, string>>();
  /**
   * Final OrdStatus of finished orders today, indexed by the numeric Order ID (0 = not finished).
   * A byte per order instead of a Map entry: the engine mints Order IDs as decimal counters.
   */
  #finished = new Uint8Array(1024);
  #nextOrderId = 1;
  #nextExecId = 1;
  #nextTradeId = 1;
  #nextMassActionId = 1;
  #nextPriority = 1;
  #quotaUsed = 0;

  readonly #commandListeners: ((c: EngineCommand) => void)[] = [];
  readonly #tradeListeners: ((t: TradeEvent) => void)[] = [];
  readonly #bookListeners: ((c: BookChangeEvent) => void)[] = [];
  readonly #marketListeners: ((e: MarketEvent) => void)[] = [];
  #phase: MarketPhase;
  #rules: PhaseRules;
  readonly #vcm: VcmConfig | null;
  /** Auctions of today already matched ('pos', 'cas'). */
  readonly #matched = new Set<string>();
  /** Securities whose auction book changed during the command being applied. */
  readonly #touched = new Set<SecurityRuntime>();
  /** Events of the command being applied. */
  #out: EngineEvent[] = [];
  #now = 0;

  constructor(options: MatchingEngineOptions, clock: Clock) {
    this.#clock = clock;
    this.#profile = options.profile;
    this.#csc = options.profile.service === 'OTP-CSC';
    this.#maxBoardLots = options.maxBoardLotsPerOrder ?? DEFAULT_MAX_BOARD_LOTS;
    this.#dailyQuota = options.dailyQuota ?? Number.POSITIVE_INFINITY;
    this.#noCancelWindows = options.profile.noCancelWindows.map(([a, b]) => [minutesOf(a), minutesOf(b)] as const);
    const initial = options.initialPhase ?? 'continuous';
    if (!isMarketPhase(initial)) throw new RangeError(`unknown market phase ${String(initial)}`);
    this.#phase = initial;
    this.#rules = PHASE_RULES[initial];
    this.#vcm = options.vcm === false ? null : (options.vcm ?? DEFAULT_VCM);
    if (this.#vcm !== null && !(this.#vcm.bandPercent > 0 && this.#vcm.bandPercent < 100)) throw new RangeError('VCM bandPercent must be in (0, 100)');
    for (const def of options.securities) {
      if (!Number.isSafeInteger(def.lotSize) || def.lotSize <= 0) throw new RangeError(`bad lot size for ${def.securityId}`);
      this.#securities.set(def.securityId, {
        def,
        table: def.spreadTable ?? (this.#csc ? MAINLAND_SPREAD_TABLE : SPREAD_TABLE_PART_A),
        lotSize: def.lotSize,
        segment: def.marketSegmentId ?? 'MAIN',
        book: new OrderBook(def.securityId),
        lastPrice: Number.NaN,
        halted: false,
        vcm: null,
        band: null,
        iep: null,
        trades: 0,
        history: [],
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Entry points

  /** Stamp `request` with the clock, hand the command to the journal listeners, apply it. */
  handle(request: VenueRequest): EngineEvent[] {
    const command = { ...request, at: this.#clock.now() } as EngineCommand;
    for (const l of this.#commandListeners) l(command);
    return this.apply(command);
  }

  /** Deterministic: the same command sequence from the same state yields the same events and state. */
  apply(command: EngineCommand): EngineEvent[] {
    const out: EngineEvent[] = [];
    this.#out = out;
    this.#now = command.at;
    switch (command.type) {
      case 'new':
        this.#newOrder(command);
        break;
      case 'amend':
        this.#amend(command);
        break;
      case 'cancel':
        this.#cancel(command);
        break;
      case 'oboCancel':
        this.#oboCancel(command);
        break;
      case 'massCancel':
        this.#massCancel(command, command.brokerId, ExecRestatementReason.MassCancelledByBroker);
        break;
      case 'oboMassCancel':
        this.#massCancel(command, command.owningBrokerId, ExecRestatementReason.OboMassCancel);
        break;
      case 'cancelOnDisconnect':
        this.#cancelOnDisconnect(command);
        break;
      case 'endOfDay':
        this.#endOfDay();
        break;
      case 'phase':
        this.#setPhase(command);
        break;
      case 'securityStatus':
        this.#securityStatus(command);
        break;
      case 'tradeCancel':
        this.#tradeCancel(command);
        break;
      default:
        break; // unknown command from a foreign journal: ignore, state stays sane
    }
    if (this.#touched.size > 0) this.#publishIeps();
    return out;
  }

  /** A trade id this engine has issued today (what a trade cancel may name). */
  tradeIssued(tradeId: string): boolean {
    const n = orderNumber(tradeId);
    return n > 0 && n < this.#nextTradeId;
  }

  /** The phase of the day the market is in. */
  get phase(): MarketPhase {
    return this.#phase;
  }

  /** Phase changes, halts, VCM triggers, IEPs, reference and closing prices (for the OMD publisher). */
  onMarket(listener: (e: MarketEvent) => void): () => void {
    return subscribe(this.#marketListeners, listener);
  }

  /** Whether a security is halted now. */
  isHalted(securityId: string): boolean {
    return this.#securities.get(securityId)?.halted ?? false;
  }

  /** The IEP of a security in an auction now (null when none). */
  equilibrium(securityId: string): Equilibrium | null {
    const sec = this.#securities.get(securityId);
    if (sec === undefined || this.#rules.auction === null) return null;
    return findEquilibrium(levelsOf(sec.book.bids), levelsOf(sec.book.offers), this.#auctionReference(sec));
  }

  /** Called with every command `handle` applies (for the hot-standby journal). Returns an unsubscribe. */
  onCommand(listener: (command: EngineCommand) => void): () => void {
    return subscribe(this.#commandListeners, listener);
  }

  /** Every trade of the board-lot book (for the OMD publisher). */
  onTrade(listener: (trade: TradeEvent) => void): () => void {
    return subscribe(this.#tradeListeners, listener);
  }

  /** Every order-level change of the board-lot book (for the OMD publisher). */
  onBookChange(listener: (change: BookChangeEvent) => void): () => void {
    return subscribe(this.#bookListeners, listener);
  }

  /** A live order by Order ID (read only; do not keep it across commands). */
  order(orderId: string): Readonly<OrderState> | undefined {
    return this.#orders.get(orderId);
  }

  /** The book of a security (read only), or undefined for an unknown security. */
  book(securityId: string): OrderBook | undefined {
    return this.#securities.get(securityId)?.book;
  }

  get liveOrderCount(): number {
    return this.#orders.size;
  }

  /** Remaining OTP-CSC daily quota (P3 value); Infinity when none is configured [UNVERIFIED rule]. */
  get quotaBalance(): number {
    return this.#dailyQuota - this.#quotaUsed;
  }

  // -------------------------------------------------------------------------------------------
  // Snapshot / restore (hot standby)

  exportState(): MatchingEngineState {
    const orders: OrderState[] = [];
    for (const o of this.#orders.values()) orders.push(o.toState());
    orders.sort((a, b) => a.priority - b.priority);
    const clientOrderIds: Record<string, Record<string, string>> = {};
    for (const [broker, ids] of this.#clOrdIds) clientOrderIds[broker] = Object.fromEntries(ids);
    const lastPrices: Record<string, number> = {};
    for (const [id, s] of this.#securities) if (!Number.isNaN(s.lastPrice)) lastPrices[id] = s.lastPrice;
    return {
      version: 1,
      nextOrderId: this.#nextOrderId,
      nextExecId: this.#nextExecId,
      nextTradeId: this.#nextTradeId,
      nextMassActionId: this.#nextMassActionId,
      nextPriority: this.#nextPriority,
      orders,
      clientOrderIds,
      finishedOrders: this.#finishedRecord(),
      lastPrices,
      quotaUsed: this.#quotaUsed,
      market: this.#marketState(),
    };
  }

  #marketState(): MarketState {
    const securities: MarketState['securities'] = {};
    for (const [id, s] of this.#securities) {
      const x: MarketState['securities'][string] = {};
      if (s.halted) x.halted = true;
      if (s.vcm !== null) x.vcm = { ...s.vcm };
      if (s.band !== null) x.band = { ...s.band };
      if (s.trades > 0) x.trades = s.trades;
      if (s.history.length > 0) x.history = s.history.map(([t, p]) => [t, p]);
      if (Object.keys(x).length > 0) securities[id] = x;
    }
    return { phase: this.#phase, matched: [...this.#matched], securities };
  }

  /** A new engine holding `state` (orders re-queued by priority); securities come from `options`. */
  static restore(state: MatchingEngineState, options: MatchingEngineOptions, clock: Clock): MatchingEngine {
    if (state.version !== 1) throw new RangeError(`unknown matching engine state version ${String(state.version)}`);
    const e = new MatchingEngine(options, clock);
    e.#nextOrderId = state.nextOrderId;
    e.#nextExecId = state.nextExecId;
    e.#nextTradeId = state.nextTradeId;
    e.#nextMassActionId = state.nextMassActionId;
    e.#nextPriority = state.nextPriority;
    e.#quotaUsed = state.quotaUsed;
    if (state.market !== undefined) {
      if (!isMarketPhase(state.market.phase)) throw new RangeError(`state names unknown market phase ${String(state.market.phase)}`);
      e.#phase = state.market.phase;
      e.#rules = PHASE_RULES[e.#phase];
      for (const a of state.market.matched) e.#matched.add(a);
      for (const [id, x] of Object.entries(state.market.securities)) {
        const s = e.#securities.get(id);
        if (s === undefined) continue;
        s.halted = x.halted === true;
        s.vcm = x.vcm !== undefined ? { ...x.vcm } : null;
        s.band = x.band !== undefined ? { ...x.band } : null;
        s.trades = x.trades ?? 0;
        s.history = (x.history ?? []).map(([t, p]) => [t, p]);
      }
    }
    for (const [broker, ids] of Object.entries(state.clientOrderIds)) e.#clOrdIds.set(broker, new Map(Object.entries(ids)));
    for (const [id, st] of Object.entries(state.finishedOrders)) {
      const n = orderNumber(id);
      if (n > 0) e.#setFinished(n, st);
    }
    for (const [id, p] of Object.entries(state.lastPrices)) {
      const s = e.#securities.get(id);
      if (s !== undefined) s.lastPrice = p;
    }
    const orders = [...state.orders].sort((a, b) => a.priority - b.priority);
    for (const st of orders) {
      const sec = e.#securities.get(st.securityId);
      if (sec === undefined) throw new RangeError(`state names unknown security ${st.securityId}`);
      const o = new RestingOrder(st);
      e.#orders.set(o.orderId, o);
      if (o.lotType === LotType.OddLot && !e.#csc) sec.book.oddLots.set(o.orderId, o);
      else sec.book.sideFor(o.side).add(o);
    }
    return e;
  }

  // -------------------------------------------------------------------------------------------
  // New Order (§5.2)

  #newOrder(r: EngineNewOrderRequest): void {
    const ids = this.#idsOf(r.brokerId);
    if (ids.has(r.clientOrderId)) {
      this.#rejectNew(r, { code: OrdRejReason.DuplicateOrder, cause: 'duplicateClientOrderId', reason: 'Duplicate Client Order ID' });
      return;
    }
    // A rejected order's Client Order ID stays taken too ('' = no order): one map write on either
    // path (the map is the engine's busiest: one write fewer is ~4% of ocg.order.rate's gateway).
    const sec = this.#securities.get(r.securityId);
    if (sec === undefined) {
      ids.set(r.clientOrderId, '');
      this.#rejectNew(r, { code: OrdRejReason.Other, cause: 'unknownSecurity', reason: 'Unknown security' });
      return;
    }
    const bad = this.#validateNew(r, sec);
    if (bad !== null) {
      ids.set(r.clientOrderId, '');
      this.#rejectNew(r, bad);
      return;
    }
    const tif = r.tif ?? TimeInForce.Day;
    const lotType = r.lotType === LotType.OddLot ? LotType.OddLot : LotType.RoundLot;
    const orderId = String(this.#nextOrderId++);
    ids.set(r.clientOrderId, orderId);
    // The constructor copies its argument: one scratch state for every new order, no literal each.
    const st = NEW_ORDER_STATE;
    st.orderId = orderId;
    st.clientOrderId = r.clientOrderId;
    st.compId = r.compId;
    st.brokerId = r.brokerId;
    st.securityId = r.securityId;
    st.side = r.side;
    st.orderType = r.orderType;
    st.price = r.orderType === OrdType.Limit ? r.price! : r.side === Side.Buy ? AT_AUCTION_BUY_PRICE : AT_AUCTION_SELL_PRICE;
    st.orderQty = r.quantity;
    st.leavesQty = r.quantity;
    st.tif = tif;
    st.lotType = lotType;
    st.priority = this.#nextPriority++;
    st.enteredAt = this.#now;
    st.echo = r.echo;
    const o = new RestingOrder(st);
    st.echo = undefined; // (no reference kept past the call)
    if (this.#csc && r.side === Side.Buy) this.#quotaUsed += o.price * o.orderQty; // §5.14 [UNVERIFIED]
    this.#orders.set(orderId, o);
    this.#out.push(this.#orderEvent('accepted', ExecType.New, o));
    if (lotType === LotType.OddLot && !this.#csc) {
      sec.book.oddLots.set(orderId, o); // OTP-C odd lots wait for semi-auto trading (§5.10)
      return;
    }
    this.#execute(o, sec);
  }

  /** Validation of a new order's market rules; null when acceptable. Order matters: first failure wins. */
  #validateNew(r: EngineNewOrderRequest, sec: SecurityRuntime): Rejection | null {
    const p = this.#profile;
    if (!p.sides.includes(r.side)) return { code: OrdRejReason.Other, cause: 'unsupportedSide', reason: 'Side not supported' };
    if (!p.orderTypes.includes(r.orderType)) {
      // CSC: limit orders only (§5.14) [UNVERIFIED wire code]
      return { code: OrdRejReason.Other, cause: 'unsupportedOrderType', reason: 'Order type not supported' };
    }
    const rules = this.#rules;
    if (rules.input === 'none') {
      return { code: OrdRejReason.Other, cause: 'phaseNoInput', reason: `No order input in ${rules.label}` };
    }
    if (sec.halted) return { code: OrdRejReason.Other, cause: 'securityHalted', reason: 'Security halted' };
    const auction = rules.input === 'auction';
    if (r.orderType !== OrdType.Limit && !auction) {
      // Market orders are at-auction orders: auction input periods only [INF]
      return { code: OrdRejReason.Other, cause: 'unsupportedOrderType', reason: `Market order not accepted in ${rules.label}` };
    }
    const tif = r.tif ?? TimeInForce.Day;
    if (!p.timeInForce.includes(tif)) {
      // CSC: Day only (§5.14) [UNVERIFIED wire code]
      return { code: OrdRejReason.Other, cause: 'unsupportedTif', reason: 'Time in force not supported' };
    }
    if (auction ? tif !== TimeInForce.Day && tif !== TimeInForce.AtCrossing : tif === TimeInForce.AtCrossing) {
      // At Crossing needs an auction; IOC/FOK need continuous matching [INF]
      return { code: OrdRejReason.Other, cause: 'unsupportedTif', reason: `Time in force not accepted in ${rules.label}` };
    }
    const q = r.quantity;
    if (!Number.isSafeInteger(q) || q <= 0 || q > MAX_ORDER_QUANTITY) {
      return { code: OrdRejReason.IncorrectQuantity, cause: 'invalidQuantity', reason: 'Quantity must be 1 to 99999999 shares' };
    }
    const oddLot = r.lotType === LotType.OddLot;
    if (r.lotType !== undefined && r.lotType !== LotType.OddLot && r.lotType !== LotType.RoundLot) {
      return { code: OrdRejReason.Other, cause: 'invalidRequest', reason: 'Unknown lot type' };
    }
    if (oddLot) {
      if (this.#csc) {
        // CSC: odd lots on the sell side only, traded in the normal book (§5.14) [UNVERIFIED]
        if (!p.oddLotBuyAllowed && r.side === Side.Buy) {
          return { code: OrdRejReason.IncorrectQuantity, cause: 'oddLotNotAllowed', reason: 'Odd lot buy not allowed' };
        }
      } else {
        // OTP-C odd/special lot: Day only, not a board-lot multiple, no price-validity override (§5.2) [INF for the multiple]
        if (tif !== TimeInForce.Day) return { code: OrdRejReason.Other, cause: 'unsupportedTif', reason: 'Odd lot orders are Day only' };
        if (r.ignorePriceValidity === true) {
          return { code: OrdRejReason.Other, cause: 'invalidRequest', reason: 'Odd lot execution instruction must be 1' };
        }
        if (q % sec.lotSize === 0) return { code: OrdRejReason.IncorrectQuantity, cause: 'invalidLot', reason: 'Odd lot quantity is a board lot multiple' };
      }
    } else {
      if (q % sec.lotSize !== 0) return { code: OrdRejReason.IncorrectQuantity, cause: 'invalidLot', reason: 'Quantity not a multiple of the board lot' };
      if (q > this.#maxBoardLots * sec.lotSize) {
        return { code: OrdRejReason.OrderExceedsLimit, cause: 'orderExceedsLimit', reason: 'Order exceeds maximum board lots' };
      }
    }
    if (r.orderType === OrdType.Limit) {
      const priceBad = this.#checkPrice(r.price, sec, r.ignorePriceValidity === true);
      if (priceBad !== null) return { code: priceBad.cause === 'priceBand' ? OrdRejReason.PriceExceedsCurrentPriceBand : OrdRejReason.Other, ...priceBad };
      const phaseBad = this.#checkPhaseBand(r.side, r.price!, sec);
      if (phaseBad !== null) return phaseBad;
    } else if (r.price !== undefined) {
      return { code: OrdRejReason.Other, cause: 'invalidRequest', reason: 'Price must be absent on an at-auction order' };
    }
    if (this.#csc && r.side === Side.Buy && this.#quotaUsed + r.price! * q > this.#dailyQuota) {
      // Northbound daily quota used up (§5.14): reject code unknown, 99 Other [UNVERIFIED]
      return { code: OrdRejReason.Other, cause: 'quotaExceeded', reason: 'Daily quota exhausted' };
    }
    return null;
  }

  /**
   * Price limits of the phase: the auction period's reference Lower/Upper prices (OMD-C 43: Lower
   * bounds sells, Upper bounds buys) and the VCM band during a cooling-off (both sides).
   */
  #checkPhaseBand(side: number, price: number, sec: SecurityRuntime): Rejection | null {
    if (this.#rules.banded) {
      const b = sec.band;
      if (b === null && this.#rules.auction === 'cas') {
        return { code: OrdRejReason.ReferencePriceNotAvailable, cause: 'referencePriceMissing', reason: 'Reference price not available' };
      }
      if (b !== null && (isSell(side) ? b.lower > 0 && price < b.lower : b.upper > 0 && price > b.upper)) {
        return { code: OrdRejReason.PriceExceedsCurrentPriceBand, cause: 'priceBand', reason: `Price outside the ${this.#rules.label} limits` };
      }
    }
    const v = this.#coolingOff(sec);
    if (v !== null && (price < v.lower || price > v.upper)) {
      return { code: OrdRejReason.PriceExceedsCurrentPriceBand, cause: 'priceBand', reason: 'Price outside the VCM band' };
    }
    return null;
  }

  /** The cooling-off in force now, dropping one that ended. */
  #coolingOff(sec: SecurityRuntime): SecurityRuntime['vcm'] {
    const v = sec.vcm;
    if (v !== null && this.#now >= v.end) sec.vcm = null;
    return sec.vcm;
  }

  /** Tick and band check of a limit price; returns cause and reason (the caller picks the code). */
  #checkPrice(price: number | undefined, sec: SecurityRuntime, ignoreBand: boolean): { cause: RejectCause; reason: string } | null {
    if (price === undefined || !Number.isSafeInteger(price) || !isOnTick(sec.table, price)) {
      return { cause: 'invalidPriceTick', reason: 'Price not on the spread table' };
    }
    if (!ignoreBand) {
      const ref = Number.isNaN(sec.lastPrice) ? sec.def.referencePrice : sec.lastPrice;
      if (ref !== undefined && ref > 0 && (price >= ref * PRICE_BAND_FACTOR || price * PRICE_BAND_FACTOR <= ref)) {
        return { cause: 'priceBand', reason: 'Price exceeds band' };
      }
    }
    return null;
  }

  #rejectNew(r: EngineNewOrderRequest, why: Rejection): void {
    this.#out.push({
      kind: 'rejected',
      compId: r.compId,
      brokerId: r.brokerId,
      securityId: r.securityId,
      side: safeInt(r.side),
      clientOrderId: r.clientOrderId,
      orderId: '',
      execId: this.#execId(),
      execType: ExecType.Reject,
      ordStatus: OrdStatus.Rejected,
      orderType: safeInt(r.orderType),
      price: safeInt(r.price),
      orderQty: safeInt(r.quantity),
      cumQty: 0,
      leavesQty: 0,
      tif: safeInt(r.tif ?? TimeInForce.Day),
      lotType: r.lotType === LotType.OddLot ? LotType.OddLot : LotType.RoundLot,
      transactTime: this.#now,
      ...(r.echo !== undefined ? { echo: r.echo } : {}),
      ordRejReason: why.code,
      cause: why.cause,
      reason: why.reason,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Matching

  /** Match an accepted (or replaced) order against the book, then rest, expire or finish it. */
  #execute(o: RestingOrder, sec: SecurityRuntime): void {
    const book = sec.book;
    if (this.#rules.auction !== null) {
      // Auction input: orders collect without matching; the auction matches at its end
      book.sideFor(o.side).add(o);
      this.#bookChange('add', o, o.leavesQty);
      return;
    }
    if (o.tif === TimeInForce.FillOrKill && book.crossableQuantity(o.side, o.price, o.leavesQty) < o.leavesQty) {
      this.#expire(o, 'Fill or kill not fillable');
      return;
    }
    const opp = book.oppositeOf(o.side);
    const buy = o.side === Side.Buy;
    for (;;) {
      if (o.leavesQty === 0) break;
      const level = opp.best();
      if (level === undefined || (buy ? level.price > o.price : level.price < o.price)) break;
      if (this.#vcm !== null && sec.def.vcm !== false && this.#vcmStops(level.price, sec)) {
        // Not traded beyond the band: the rest of the aggressor is cancelled (restatement 6) [INF]
        this.#cancelUnsolicited(o, ExecRestatementReason.CancelOnTradingHaltOrVcm);
        return;
      }
      const passive = level.head!;
      this.#fill(o, passive, opp, sec);
    }
    if (o.leavesQty === 0) {
      this.#finish(o, OrdStatus.Filled);
      return;
    }
    if (o.tif === TimeInForce.ImmediateOrCancel || o.tif === TimeInForce.FillOrKill) {
      this.#expire(o, 'Immediate or cancel remainder');
      return;
    }
    book.sideFor(o.side).add(o);
    this.#bookChange('add', o, o.leavesQty);
  }

  /** One trade between `aggr` and the resting `passive`; returns its quantity. */
  #fill(aggr: RestingOrder, passive: RestingOrder, opp: BookSide, sec: SecurityRuntime, auctionPrice?: number, maxQty = Number.MAX_SAFE_INTEGER): number {
    let qty = aggr.leavesQty < passive.leavesQty ? aggr.leavesQty : passive.leavesQty;
    if (qty > maxQty) qty = maxQty;
    // Continuous: at the resting order's price; auction: every fill at the equilibrium price
    const px = auctionPrice ?? passive.price;
    sec.trades++;
    if (this.#vcm !== null) this.#remember(sec, px);
    const tradeId = String(this.#nextTradeId++);
    if (aggr.level !== null)
      sec.book.sideFor(aggr.side).setLeaves(aggr, aggr.leavesQty - qty); // an auction's book order
    else aggr.leavesQty -= qty;
    aggr.cumQty += qty;
    aggr.ordStatus = aggr.leavesQty === 0 ? OrdStatus.Filled : OrdStatus.PartiallyFilled;
    opp.setLeaves(passive, passive.leavesQty - qty);
    passive.cumQty += qty;
    passive.ordStatus = passive.leavesQty === 0 ? OrdStatus.Filled : OrdStatus.PartiallyFilled;
    sec.lastPrice = px;
    if (this.#csc) {
      // Quota balance: sell trades give value back; a buy filled below its limit frees the difference [UNVERIFIED]
      const buyer = aggr.side === Side.Buy ? aggr : passive;
      this.#quotaUsed -= px * qty + (buyer.price - px) * qty;
    }
    const auction = auctionPrice !== undefined;
    this.#out.push(this.#fillEvent(aggr, passive, px, qty, tradeId, !auction, auction));
    this.#out.push(this.#fillEvent(passive, aggr, px, qty, tradeId, false, auction));
    if (passive.leavesQty === 0) {
      opp.remove(passive);
      this.#bookChange('delete', passive, 0);
      this.#finish(passive, OrdStatus.Filled);
    } else {
      this.#bookChange('modify', passive, passive.leavesQty);
    }
    if (this.#tradeListeners.length > 0) {
      const buyer = aggr.side === Side.Buy ? aggr : passive;
      const seller = buyer === aggr ? passive : aggr;
      const t: TradeEvent = {
        securityId: sec.def.securityId,
        tradeId,
        price: px,
        quantity: qty,
        buyOrderId: buyer.orderId,
        sellOrderId: seller.orderId,
        buyBrokerId: buyer.brokerId,
        sellBrokerId: seller.brokerId,
        aggressorSide: auction ? 0 : aggr.side,
        transactTime: this.#now,
      };
      if (auction) t.auction = true;
      for (const l of this.#tradeListeners) l(t);
    }
    return qty;
  }

  #fillEvent(o: RestingOrder, contra: RestingOrder, px: number, qty: number, tradeId: string, aggressor: boolean, auction: boolean): OrderEvent {
    const e = this.#orderEvent('filled', ExecType.Trade, o) as OrderEvent & { kind: 'filled' };
    e.lastPx = px;
    e.lastQty = qty;
    e.tradeId = tradeId;
    e.counterpartyBrokerId = contra.brokerId;
    e.counterpartyOrderId = contra.orderId;
    e.aggressor = aggressor;
    if (auction) e.auction = true;
    return e;
  }

  // -------------------------------------------------------------------------------------------
  // Phases of the day, auctions, halts, VCM

  #emit(e: MarketEvent): void {
    for (const l of this.#marketListeners) l(e);
  }

  #setPhase(r: PhaseRequest): void {
    const next = r.phase;
    if (!isMarketPhase(next) || next === this.#phase) return;
    const previous = this.#phase;
    const from = this.#rules;
    const to = PHASE_RULES[next];
    // Leaving an auction (or jumping past its matching period) matches it first
    if (from.auction !== null && to.auction !== from.auction) this.#uncrossAll(from.auction);
    if (next === 'pos-matching' || next === 'cas-matching') this.#uncrossAll(to.auction!);
    this.#phase = next;
    this.#rules = to;
    this.#emit({ kind: 'phase', phase: next, previous, at: this.#now });
    for (const sec of this.#securities.values()) this.#enterPhase(sec, next, from.auction);
  }

  /** Per-security work at a phase change: reference prices and limits, the end of an auction, closing prices. */
  #enterPhase(sec: SecurityRuntime, phase: MarketPhase, leftAuction: 'pos' | 'cas' | null): void {
    const prevClose = sec.def.referencePrice ?? 0;
    switch (phase) {
      case 'pos-order-input':
        // Order input limits around the previous close; not published (43 comes at No Cancellation)
        sec.band = prevClose > 0 ? { reference: prevClose, ...bandAround(prevClose, POS_BAND_PERCENT) } : null;
        break;
      case 'pos-no-cancel': {
        // OMD-C 43 at the start of No Cancellation: Lower bounds at-auction limit sells, Upper buys;
        // from the best bid and offer of the collected book (SEHK rule) [INF]
        const bid = bestLimit(sec.book.bids, AT_AUCTION_BUY_PRICE);
        const ask = bestLimit(sec.book.offers, AT_AUCTION_SELL_PRICE);
        const fallback = sec.band ?? (prevClose > 0 ? { reference: prevClose, ...bandAround(prevClose, POS_BAND_PERCENT) } : null);
        const lower = bid !== undefined && ask !== undefined ? Math.min(bid, ask) : (fallback?.lower ?? 0);
        const upper = bid !== undefined && ask !== undefined ? Math.max(bid, ask) : (fallback?.upper ?? 0);
        sec.band = { reference: prevClose, lower, upper };
        this.#emit({ kind: 'referencePrice', securityId: sec.def.securityId, reference: prevClose, lower, upper });
        break;
      }
      case 'pos-blocking':
      case 'continuous':
        if (leftAuction === 'pos' && sec.band !== null) {
          // OMD-C 43: all prices reset to 0 at Blocking
          sec.band = null;
          this.#emit({ kind: 'referencePrice', securityId: sec.def.securityId, reference: 0, lower: 0, upper: 0 });
        }
        break;
      case 'cas-reference-price': {
        // OMD-C 43 at CAS start for every tradable security: the nominal price ±5% [INF]
        const ref = Number.isNaN(sec.lastPrice) ? prevClose : sec.lastPrice;
        if (sec.halted || !(ref > 0)) {
          sec.band = null;
          break;
        }
        sec.band = { reference: ref, ...bandAround(ref, CAS_BAND_PERCENT) };
        this.#emit({ kind: 'referencePrice', securityId: sec.def.securityId, ...sec.band });
        break;
      }
      case 'closed': {
        // OMD-C 62 near the end of the day: the CAS price if it matched, else the last trade [INF]
        sec.band = null;
        const price = Number.isNaN(sec.lastPrice) ? 0 : sec.lastPrice;
        this.#emit({ kind: 'closingPrice', securityId: sec.def.securityId, price, trades: sec.trades });
        break;
      }
      default:
        break;
    }
  }

  /** Reference of the auction's price choice: previous close in POS, reference price in CAS. */
  #auctionReference(sec: SecurityRuntime): number | undefined {
    if (this.#rules.auction === 'cas' && sec.band !== null) return sec.band.reference;
    return sec.def.referencePrice;
  }

  /** Match every security's auction at its equilibrium price, once per auction per day. */
  #uncrossAll(auction: 'pos' | 'cas'): void {
    if (this.#matched.has(auction)) return;
    this.#matched.add(auction);
    for (const sec of this.#securities.values()) {
      if (!sec.halted) this.#uncross(sec);
      this.#expireAtAuctionOrders(sec);
      if (sec.iep !== null) {
        sec.iep = null;
        this.#emit({ kind: 'iep', securityId: sec.def.securityId, price: 0, volume: 0, imbalanceDirection: '', imbalanceQuantity: 0 });
      }
    }
    this.#touched.clear();
  }

  /** Fill buys and sells in book priority (at-auction first, then price, then time) at the IEP. */
  #uncross(sec: SecurityRuntime): void {
    const eq = findEquilibrium(levelsOf(sec.book.bids), levelsOf(sec.book.offers), this.#auctionReference(sec));
    if (eq === null) return;
    const bids = sec.book.bids;
    const offers = sec.book.offers;
    let left = eq.volume;
    while (left > 0) {
      const b = bids.best()?.head;
      const a = offers.best()?.head;
      if (b == null || a == null) break;
      // Both rest in the book; the later one stands first in the reports (no aggressor in an auction)
      const [first, second, secondSide] = b.priority < a.priority ? ([a, b, bids] as const) : ([b, a, offers] as const);
      const qty = this.#fill(first, second, secondSide, sec, eq.price, left);
      left -= qty;
      if (first.leavesQty === 0) {
        sec.book.sideFor(first.side).remove(first);
        this.#bookChange('delete', first, 0);
        this.#finish(first, OrdStatus.Filled);
      } else {
        this.#bookChange('modify', first, first.leavesQty);
      }
    }
  }

  /** At-auction and At Crossing orders do not outlive their auction [INF: public SEHK rule]. */
  #expireAtAuctionOrders(sec: SecurityRuntime): void {
    const victims: RestingOrder[] = [];
    for (const side of [sec.book.bids, sec.book.offers]) {
      for (const o of side.orders()) if (o.orderType === OrdType.Market || o.tif === TimeInForce.AtCrossing) victims.push(o);
    }
    for (const o of victims) {
      this.#removeFromBook(o, sec);
      this.#expire(o, 'Not executed in the auction');
    }
  }

  /** Recompute and publish the IEP of securities whose auction book changed (OMD-C 41/56 on change). */
  #publishIeps(): void {
    const auction = this.#rules.auction !== null && this.#rules.input !== 'none';
    for (const sec of this.#touched) {
      if (!auction) continue;
      const eq = findEquilibrium(levelsOf(sec.book.bids), levelsOf(sec.book.offers), this.#auctionReference(sec));
      const old = sec.iep;
      if (eq === null && old === null) continue;
      if (
        eq !== null &&
        old !== null &&
        eq.price === old.price &&
        eq.volume === old.volume &&
        eq.imbalanceDirection === old.imbalanceDirection &&
        eq.imbalanceQuantity === old.imbalanceQuantity
      )
        continue;
      sec.iep = eq;
      this.#emit(
        eq === null
          ? { kind: 'iep', securityId: sec.def.securityId, price: 0, volume: 0, imbalanceDirection: '', imbalanceQuantity: 0 }
          : {
              kind: 'iep',
              securityId: sec.def.securityId,
              price: eq.price,
              volume: eq.volume,
              imbalanceDirection: eq.imbalanceDirection,
              imbalanceQuantity: eq.imbalanceQuantity,
            },
      );
    }
    this.#touched.clear();
  }

  /** A trade of today (Trade IDs are the engine's counter) cancelled by market operations. */
  #tradeCancel(r: TradeCancelRequest): void {
    const sec = this.#securities.get(r.securityId);
    const n = orderNumber(r.tradeId);
    if (sec === undefined || n === 0 || n >= this.#nextTradeId) return;
    this.#emit({ kind: 'tradeCancel', securityId: r.securityId, tradeId: r.tradeId, at: this.#now });
  }

  #securityStatus(r: SecurityStatusRequest): void {
    const sec = this.#securities.get(r.securityId);
    if (sec === undefined || sec.halted === r.halted) return;
    sec.halted = r.halted;
    if (r.halted) sec.vcm = null;
    this.#emit({ kind: 'securityStatus', securityId: r.securityId, halted: r.halted, at: this.#now });
  }

  /** Keep the trades the VCM reference needs: the last one at least a lookback old, and every later one. */
  #remember(sec: SecurityRuntime, px: number): void {
    const h = sec.history;
    h.push([this.#now, px]);
    const cut = this.#now - this.#vcm!.lookbackMs;
    let i = 0;
    while (i + 1 < h.length && h[i + 1]![0] <= cut) i++;
    if (i > 0) h.splice(0, i);
  }

  /**
   * Whether a continuous trade at `px` must not happen: outside the band of a cooling-off in force,
   * or a move beyond the VCM band from the price a lookback ago, which starts a cooling-off (OMD-C 23).
   */
  #vcmStops(px: number, sec: SecurityRuntime): boolean {
    const v = this.#coolingOff(sec);
    if (v !== null) return px < v.lower || px > v.upper;
    const cfg = this.#vcm!;
    const h = sec.history;
    const cut = this.#now - cfg.lookbackMs;
    let ref: number | undefined;
    for (let i = h.length - 1; i >= 0; i--)
      if (h[i]![0] <= cut) {
        ref = h[i]![1];
        break;
      }
    if (ref === undefined) return false; // no trade a lookback ago: no VCM reference [INF]
    const band = bandAround(ref, cfg.bandPercent);
    if (px >= band.lower && px <= band.upper) return false;
    sec.vcm = { start: this.#now, end: this.#now + cfg.coolingOffMs, reference: ref, ...band };
    this.#emit({ kind: 'vcm', securityId: sec.def.securityId, ...sec.vcm });
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Amend (§5.3)

  #amend(r: EngineAmendRequest): void {
    const ids = this.#idsOf(r.brokerId);
    const o = this.#findByClOrdId(r.brokerId, r.originalClientOrderId);
    if (!this.#profile.amendAllowed) {
      // CSC: no amendment, cancel and re-enter (§5.14) [UNVERIFIED wire behaviour]
      if (!ids.has(r.clientOrderId)) ids.set(r.clientOrderId, '');
      this.#amendReject(r, o, AmendRejectCode.Other, 'amendNotAllowed', 'Amend not supported');
      return;
    }
    if (ids.has(r.clientOrderId)) {
      this.#amendReject(r, o, AmendRejectCode.DuplicateClientOrderId, 'duplicateClientOrderId', 'Duplicate Client Order ID');
      return;
    }
    ids.set(r.clientOrderId, '');
    if (o === undefined || (r.orderId !== undefined && r.orderId !== o.orderId)) {
      const done = this.#finishedStatusOf(r.brokerId, r.originalClientOrderId, r.orderId);
      if (done !== undefined) this.#amendReject(r, undefined, AmendRejectCode.TooLateToAmend, 'tooLate', 'Order already done', done);
      else this.#amendReject(r, undefined, AmendRejectCode.UnknownOrder, 'unknownOrder', 'Unknown order');
      return;
    }
    const sec = this.#securities.get(o.securityId)!;
    if (r.securityId !== o.securityId) {
      this.#amendReject(r, o, AmendRejectCode.Other, 'invalidRequest', 'Security differs from the order');
      return;
    }
    if (o.lotType === LotType.OddLot) {
      this.#amendReject(r, o, AmendRejectCode.Other, 'amendNotAllowed', 'Odd lot orders cannot be amended');
      return;
    }
    if (!this.#rules.cancel || this.#rules.input === 'none') {
      this.#amendReject(r, o, AmendRejectCode.Other, 'phaseNoCancel', `No amendment in ${this.#rules.label}`);
      return;
    }
    if (sec.halted) {
      this.#amendReject(r, o, AmendRejectCode.Other, 'securityHalted', 'Security halted');
      return;
    }
    if (o.orderType === OrdType.Market && r.price !== undefined) {
      this.#amendReject(r, o, AmendRejectCode.Other, 'invalidRequest', 'An at-auction order has no price');
      return;
    }
    // Side may only move between Sell and Sell Short (§5.3)
    if (r.side !== o.side && !(isSell(r.side) && isSell(o.side) && this.#profile.sides.includes(r.side))) {
      this.#amendReject(r, o, AmendRejectCode.Other, 'invalidRequest', 'Side cannot be changed');
      return;
    }
    // Order Type, TIF and Max Price Levels stay as entered (§5.3 "unchanged")
    if (
      (r.orderType !== undefined && r.orderType !== o.orderType) ||
      (r.tif !== undefined && r.tif !== o.tif) ||
      (r.echo?.maxPriceLevels !== undefined && r.echo.maxPriceLevels !== o.echo?.maxPriceLevels)
    ) {
      this.#amendReject(r, o, AmendRejectCode.Other, 'invalidRequest', 'Order Type, TIF and Max Price Levels cannot be changed');
      return;
    }
    const q = r.quantity;
    if (!Number.isSafeInteger(q) || q <= 0 || q > MAX_ORDER_QUANTITY || q % sec.lotSize !== 0) {
      this.#amendReject(r, o, AmendRejectCode.Other, 'invalidQuantity', 'Quantity not a positive board lot multiple');
      return;
    }
    if (q > this.#maxBoardLots * sec.lotSize) {
      this.#amendReject(r, o, AmendRejectCode.Other, 'orderExceedsLimit', 'Order exceeds maximum board lots');
      return;
    }
    if (q <= o.cumQty) {
      // Quantity at or below what already traded [INF: too late, not a fill-up]
      this.#amendReject(r, o, AmendRejectCode.TooLateToAmend, 'tooLate', 'Quantity not above executed quantity');
      return;
    }
    const price = r.price ?? o.price;
    const tick = o.orderType === OrdType.Market ? null : this.#checkPrice(price, sec, true);
    if (tick !== null) {
      this.#amendReject(r, o, AmendRejectCode.Other, tick.cause, tick.reason);
      return;
    }
    const limits = o.orderType === OrdType.Market || price === o.price ? null : this.#checkPhaseBand(r.side, price, sec);
    if (limits !== null) {
      this.#amendReject(r, o, AmendRejectCode.PriceExceedsCurrentBand, limits.cause, limits.reason);
      return;
    }
    const echo = mergeEcho(o.echo, r.echo);
    const previousClOrdId = o.clientOrderId;
    if (price === o.price && q <= o.orderQty) {
      // No price change, no quantity increase: amended in place, priority kept (§5.3)
      const side = this.#bookSideOrNull(o, sec);
      const leaves = q - o.cumQty;
      if (side !== null) side.setLeaves(o, leaves);
      else o.leavesQty = leaves;
      o.orderQty = q;
      o.side = r.side;
      o.clientOrderId = r.clientOrderId;
      if (echo !== undefined) o.echo = echo;
      ids.set(r.clientOrderId, o.orderId);
      this.#out.push(this.#amendedEvent(o, previousClOrdId, false, o.orderId));
      if (side !== null) this.#bookChange('modify', o, o.leavesQty);
      return;
    }
    // Cancel/replace: '4' on the old Order ID, '5' with a new Order ID, priority lost (§5.3)
    this.#removeFromBook(o, sec);
    o.clientOrderId = r.clientOrderId;
    const bandBad = o.orderType === OrdType.Market ? null : this.#checkPrice(price, sec, false);
    if (bandBad !== null) {
      // Replacement fails market validation: original stays cancelled (restatement 100), then 'Y' [INF]
      this.#finish(o, OrdStatus.Cancelled);
      this.#releaseQuota(o);
      this.#out.push(this.#cancelledEvent(o, previousClOrdId, ExecRestatementReason.UnsolicitedCancelOfOriginal));
      this.#amendReject(r, o, AmendRejectCode.PriceExceedsCurrentBand, 'priceBand', bandBad.reason);
      return;
    }
    this.#finish(o, OrdStatus.Cancelled);
    this.#out.push(this.#cancelledEvent(o, previousClOrdId, undefined));
    const n = new RestingOrder(o.toState());
    n.orderId = String(this.#nextOrderId++);
    n.price = price;
    n.orderQty = q;
    n.leavesQty = q - o.cumQty;
    n.side = r.side;
    n.ordStatus = n.cumQty > 0 ? OrdStatus.PartiallyFilled : OrdStatus.New;
    n.priority = this.#nextPriority++;
    n.enteredAt = this.#now;
    if (echo !== undefined) n.echo = echo;
    ids.set(r.clientOrderId, n.orderId);
    this.#orders.set(n.orderId, n);
    this.#out.push(this.#amendedEvent(n, previousClOrdId, true, o.orderId));
    this.#execute(n, sec);
  }

  #amendReject(r: EngineAmendRequest, o: RestingOrder | undefined, code: number, cause: RejectCause, reason: string, doneStatus?: number): void {
    const e =
      o !== undefined
        ? this.#orderEvent('amendRejected', ExecType.AmendReject, o)
        : this.#requestEvent('amendRejected', ExecType.AmendReject, r, doneStatus ?? OrdStatus.Rejected);
    // The report names the request: its new Client Order ID and the original one (§5.7 bit 8 Y)
    e.clientOrderId = r.clientOrderId;
    const x = e as OrderEvent & { kind: 'amendRejected' };
    x.originalClientOrderId = r.originalClientOrderId;
    x.amendRejectCode = code;
    x.cause = cause;
    x.reason = reason;
    this.#out.push(x);
  }

  #amendedEvent(o: RestingOrder, originalClientOrderId: string, replaced: boolean, previousOrderId: string): OrderEvent {
    const e = this.#orderEvent('amended', ExecType.Amend, o) as OrderEvent & { kind: 'amended' };
    e.originalClientOrderId = originalClientOrderId;
    e.replaced = replaced;
    e.previousOrderId = previousOrderId;
    return e;
  }

  // -------------------------------------------------------------------------------------------
  // Cancels (§5.4–5.6, §1.6)

  #cancel(r: EngineCancelRequest): void {
    const ids = this.#idsOf(r.brokerId);
    const o = this.#findByClOrdId(r.brokerId, r.originalClientOrderId);
    if (ids.has(r.clientOrderId)) {
      this.#cancelReject(r, o, CancelRejectCode.DuplicateClientOrderId, 'duplicateClientOrderId', 'Duplicate Client Order ID');
      return;
    }
    ids.set(r.clientOrderId, '');
    if (o === undefined || (r.orderId !== undefined && r.orderId !== o.orderId) || r.securityId !== o.securityId) {
      const done = this.#finishedStatusOf(r.brokerId, r.originalClientOrderId, r.orderId);
      if (done !== undefined) this.#cancelReject(r, undefined, CancelRejectCode.TooLateToCancel, 'tooLate', 'Order already done', done);
      else this.#cancelReject(r, undefined, CancelRejectCode.UnknownOrder, 'unknownOrder', 'Unknown order');
      return;
    }
    if (!this.#rules.cancel) {
      this.#cancelReject(r, o, CancelRejectCode.Other, 'phaseNoCancel', `No cancellation in ${this.#rules.label}`);
      return;
    }
    if (this.#inNoCancelWindow()) {
      // CSC mainland no-cancel window (§5.14): reject code unknown, 99 Other [UNVERIFIED]
      this.#cancelReject(r, o, CancelRejectCode.Other, 'noCancelWindow', 'Cancel not allowed now');
      return;
    }
    const sec = this.#securities.get(o.securityId)!;
    this.#removeFromBook(o, sec);
    const orig = o.clientOrderId;
    o.clientOrderId = r.clientOrderId;
    this.#finish(o, OrdStatus.Cancelled);
    this.#releaseQuota(o);
    this.#out.push(this.#cancelledEvent(o, orig, undefined));
  }

  #cancelReject(
    r: EngineCancelRequest | EngineOboCancelRequest,
    o: RestingOrder | undefined,
    code: number,
    cause: RejectCause,
    reason: string,
    doneStatus?: number,
  ): void {
    const e =
      o !== undefined
        ? this.#orderEvent('cancelRejected', ExecType.CancelReject, o)
        : this.#requestEvent('cancelRejected', ExecType.CancelReject, r, doneStatus ?? OrdStatus.Rejected);
    // Addressed to the requester, naming the request (its session and Client Order ID)
    e.compId = r.compId;
    e.clientOrderId = r.clientOrderId;
    const x = e as OrderEvent & { kind: 'cancelRejected' };
    if (r.originalClientOrderId !== undefined) x.originalClientOrderId = r.originalClientOrderId;
    x.cancelRejectCode = code;
    x.cause = cause;
    x.reason = reason;
    if (r.type === 'oboCancel') {
      x.owningBrokerId = r.owningBrokerId;
      x.brokerId = r.brokerId;
      x.ordStatus = OrdStatus.Rejected; // failed OBO cancel: Order Status 8 (§5.6)
    }
    this.#out.push(x);
  }

  #oboCancel(r: EngineOboCancelRequest): void {
    const ids = this.#idsOf(r.brokerId);
    const o = this.#orders.get(r.orderId);
    if (ids.has(r.clientOrderId)) {
      this.#cancelReject(r, undefined, CancelRejectCode.DuplicateClientOrderId, 'duplicateClientOrderId', 'Duplicate Client Order ID');
      return;
    }
    ids.set(r.clientOrderId, '');
    if (
      o === undefined ||
      o.brokerId !== r.owningBrokerId ||
      o.securityId !== r.securityId ||
      (r.originalClientOrderId !== undefined && r.originalClientOrderId !== o.clientOrderId)
    ) {
      const done = o === undefined && this.#finishedStatus(r.orderId) !== undefined;
      this.#cancelReject(
        r,
        undefined,
        done ? CancelRejectCode.TooLateToCancel : CancelRejectCode.UnknownOrder,
        done ? 'tooLate' : 'unknownOrder',
        done ? 'Order already done' : 'Unknown order',
      );
      return;
    }
    if (!this.#rules.cancel) {
      this.#cancelReject(r, undefined, CancelRejectCode.Other, 'phaseNoCancel', `No cancellation in ${this.#rules.label}`);
      return;
    }
    if (this.#inNoCancelWindow()) {
      this.#cancelReject(r, undefined, CancelRejectCode.Other, 'noCancelWindow', 'Cancel not allowed now');
      return;
    }
    // Success: only the owner hears of it, restatement 101 (§5.6)
    this.#cancelUnsolicited(o, ExecRestatementReason.OboSingleCancel);
  }

  #massCancel(r: EngineMassCancelRequest | EngineOboMassCancelRequest, owner: string, restatement: number): void {
    const ids = this.#idsOf(r.brokerId);
    const report: MassCancelReportEvent = {
      kind: 'massCancelReport',
      compId: r.compId,
      brokerId: r.brokerId,
      clientOrderId: r.clientOrderId,
      massCancelRequestType: safeInt(r.massCancelRequestType),
      massActionReportId: String(this.#nextMassActionId++),
      massCancelResponse: MassCancelResponse.Rejected,
      cancelledCount: 0,
      transactTime: this.#now,
    };
    if (r.securityId !== undefined) report.securityId = r.securityId;
    if (r.type === 'oboMassCancel') report.owningBrokerId = r.owningBrokerId;
    const reject = (code: number, reason: string): void => {
      report.massCancelRejectCode = code;
      report.reason = reason;
      this.#out.push(report);
    };
    if (ids.has(r.clientOrderId)) return reject(MassCancelRejectCode.Other, 'Duplicate Client Order ID');
    ids.set(r.clientOrderId, '');
    const scope: MassScope = { brokerId: owner, requestType: r.massCancelRequestType };
    if (r.side !== undefined) {
      if (r.side !== Side.Buy && r.side !== Side.Sell) return reject(MassCancelRejectCode.Other, 'Invalid side');
      scope.bookSide = r.side === Side.Buy ? 1 : 2;
    }
    switch (r.massCancelRequestType) {
      case MassCancelRequestType.Security:
        if (r.securityId === undefined || !this.#securities.has(r.securityId)) return reject(MassCancelRejectCode.Other, 'Unknown security');
        scope.securityId = r.securityId;
        break;
      case MassCancelRequestType.MarketSegment: {
        const seg = r.marketSegmentId;
        let known = false;
        for (const s of this.#securities.values()) if (s.segment === seg) known = true;
        if (seg === undefined || !known) return reject(MassCancelRejectCode.InvalidMarketSegment, 'Invalid or unknown market segment');
        scope.segment = seg;
        break;
      }
      case MassCancelRequestType.All:
        break;
      default:
        return reject(MassCancelRejectCode.Other, 'Unknown mass cancel request type');
    }
    if (!this.#rules.cancel) return reject(MassCancelRejectCode.Other, `No cancellation in ${this.#rules.label}`);
    if (this.#inNoCancelWindow()) return reject(MassCancelRejectCode.Other, 'Cancel not allowed now'); // §5.14 [UNVERIFIED]
    const victims: RestingOrder[] = [];
    for (const o of this.#ordersByAge()) {
      if (o.brokerId !== scope.brokerId) continue;
      if (scope.securityId !== undefined && o.securityId !== scope.securityId) continue;
      if (scope.segment !== undefined && this.#securities.get(o.securityId)!.segment !== scope.segment) continue;
      if (scope.bookSide !== undefined && bookSideOf(o.side) !== scope.bookSide) continue;
      victims.push(o);
    }
    report.massCancelResponse =
      r.massCancelRequestType === MassCancelRequestType.Security
        ? MassCancelResponse.Security
        : r.massCancelRequestType === MassCancelRequestType.All
          ? MassCancelResponse.All
          : MassCancelResponse.MarketSegment;
    report.cancelledCount = victims.length;
    this.#out.push(report); // the report comes first, then one '4' per order (§5.5)
    for (const o of victims) this.#cancelUnsolicited(o, restatement);
  }

  #cancelOnDisconnect(r: EngineCancelOnDisconnectRequest): void {
    const victims: RestingOrder[] = [];
    for (const o of this.#ordersByAge()) if (o.compId === r.compId) victims.push(o);
    for (const o of victims) this.#cancelUnsolicited(o, ExecRestatementReason.CancelOnDisconnect);
  }

  #endOfDay(): void {
    const all = this.#ordersByAge();
    for (const o of all) {
      this.#removeFromBook(o, this.#securities.get(o.securityId)!);
      this.#expire(o, 'End of day');
    }
    // A new trading day: Client Order IDs may be reused, quota and last prices reset (§5.1)
    this.#clOrdIds.clear();
    this.#finished.fill(0);
    this.#quotaUsed = 0;
    for (const s of this.#securities.values()) {
      s.lastPrice = Number.NaN;
      s.halted = false;
      s.vcm = null;
      s.band = null;
      s.iep = null;
      s.trades = 0;
      s.history = [];
    }
    this.#matched.clear();
    this.#touched.clear();
  }

  #cancelUnsolicited(o: RestingOrder, restatement: number): void {
    this.#removeFromBook(o, this.#securities.get(o.securityId)!);
    this.#finish(o, OrdStatus.Cancelled);
    this.#releaseQuota(o);
    this.#out.push(this.#cancelledEvent(o, undefined, restatement));
  }

  #cancelledEvent(o: RestingOrder, originalClientOrderId: string | undefined, restatement: number | undefined): OrderEvent {
    const e = this.#orderEvent('cancelled', ExecType.Cancel, o) as OrderEvent & { kind: 'cancelled' };
    e.ordStatus = OrdStatus.Cancelled;
    e.leavesQty = 0;
    if (originalClientOrderId !== undefined) e.originalClientOrderId = originalClientOrderId;
    if (restatement !== undefined) e.execRestatementReason = restatement;
    return e;
  }

  #expire(o: RestingOrder, reason: string): void {
    this.#finish(o, OrdStatus.Expired);
    this.#releaseQuota(o);
    const e = this.#orderEvent('expired', ExecType.Expire, o) as OrderEvent & { kind: 'expired' };
    e.ordStatus = OrdStatus.Expired;
    e.leavesQty = 0;
    e.reason = reason;
    this.#out.push(e);
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  /** Live orders oldest first (by Order ID: a restored state may list them in any order). */
  #ordersByAge(): RestingOrder[] {
    return [...this.#orders.values()].sort((a, b) => orderNumber(a.orderId) - orderNumber(b.orderId));
  }

  #idsOf(brokerId: string): Map<string, string> {
    let m = this.#clOrdIds.get(brokerId);
    if (m === undefined) {
      m = new Map<string, string>();
      this.#clOrdIds.set(brokerId, m);
    }
    return m;
  }

  /** The live order whose current Client Order ID is `clOrdId` for `brokerId`. */
  #findByClOrdId(brokerId: string, clOrdId: string): RestingOrder | undefined {
    const orderId = this.#clOrdIds.get(brokerId)?.get(clOrdId);
    if (orderId === undefined || orderId === '') return undefined;
    const o = this.#orders.get(orderId);
    return o !== undefined && o.clientOrderId === clOrdId ? o : undefined;
  }

  /** Final status of a finished order named by Client Order ID (or Order ID), if any. */
  #finishedStatusOf(brokerId: string, clOrdId: string, orderId: string | undefined): number | undefined {
    const byCl = this.#clOrdIds.get(brokerId)?.get(clOrdId);
    const id = orderId ?? byCl;
    if (id === undefined || id === '') return undefined;
    if (orderId !== undefined && byCl !== undefined && byCl !== '' && byCl !== orderId) return undefined;
    return this.#finishedStatus(id);
  }

  #finish(o: RestingOrder, status: number): void {
    o.ordStatus = status;
    this.#orders.delete(o.orderId);
    this.#setFinished(orderNumber(o.orderId), status);
  }

  #setFinished(n: number, status: number): void {
    if (n <= 0) return;
    if (n >= this.#finished.length) {
      let len = this.#finished.length * 2;
      while (len <= n) len *= 2;
      const a = new Uint8Array(len);
      a.set(this.#finished);
      this.#finished = a;
    }
    this.#finished[n] = status;
  }

  #finishedStatus(orderId: string): number | undefined {
    const n = orderNumber(orderId);
    const st = n > 0 && n < this.#finished.length ? this.#finished[n]! : 0;
    return st === 0 ? undefined : st;
  }

  #finishedRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    const a = this.#finished;
    const end = Math.min(a.length, this.#nextOrderId);
    for (let n = 1; n < end; n++) if (a[n] !== 0) out[String(n)] = a[n]!;
    return out;
  }

  /** A cancelled/expired CSC buy gives its unexecuted value back to the quota [UNVERIFIED]. */
  #releaseQuota(o: RestingOrder): void {
    if (this.#csc && o.side === Side.Buy) this.#quotaUsed -= o.price * o.leavesQty;
  }

  #bookSideOrNull(o: RestingOrder, sec: SecurityRuntime): BookSide | null {
    return o.level !== null ? sec.book.sideFor(o.side) : null;
  }

  #removeFromBook(o: RestingOrder, sec: SecurityRuntime): void {
    if (o.level !== null) {
      sec.book.sideFor(o.side).remove(o);
      this.#bookChange('delete', o, 0);
    } else {
      sec.book.oddLots.delete(o.orderId);
    }
  }

  #inNoCancelWindow(): boolean {
    if (this.#noCancelWindows.length === 0) return false;
    const minute = Math.floor(((((this.#now + LOCAL_OFFSET_MS) % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
    for (const [from, to] of this.#noCancelWindows) if (minute >= from && minute < to) return true;
    return false;
  }

  #execId(): string {
    return String(this.#nextExecId++);
  }

  #bookChange(action: BookChangeEvent['action'], o: RestingOrder, quantity: number): void {
    if (this.#rules.auction !== null) this.#touched.add(this.#securities.get(o.securityId)!);
    if (this.#bookListeners.length === 0) return;
    const c: BookChangeEvent = {
      securityId: o.securityId,
      action,
      orderId: o.orderId,
      bookSide: bookSideOf(o.side),
      price: o.price,
      quantity,
      transactTime: this.#now,
    };
    for (const l of this.#bookListeners) l(c);
  }

  /** An order event with the order's scalars as they are now. */
  #orderEvent<K extends OrderEvent['kind']>(kind: K, execType: string, o: RestingOrder): OrderEvent {
    const e = {
      kind,
      compId: o.compId,
      brokerId: o.brokerId,
      securityId: o.securityId,
      side: o.side,
      clientOrderId: o.clientOrderId,
      orderId: o.orderId,
      execId: this.#execId(),
      execType,
      ordStatus: o.ordStatus,
      orderType: o.orderType,
      price: o.price,
      orderQty: o.orderQty,
      cumQty: o.cumQty,
      leavesQty: o.leavesQty,
      tif: o.tif,
      lotType: o.lotType,
      transactTime: this.#now,
    } as OrderEvent;
    if (o.echo !== undefined) e.echo = o.echo;
    return e;
  }

  /** An event naming a request whose order is unknown or done. */
  #requestEvent(
    kind: 'amendRejected' | 'cancelRejected',
    execType: string,
    r: EngineAmendRequest | EngineCancelRequest | EngineOboCancelRequest,
    status: number,
  ): OrderEvent {
    return {
      kind,
      compId: r.compId,
      brokerId: r.brokerId,
      securityId: r.securityId,
      side: safeInt(r.side),
      clientOrderId: r.clientOrderId,
      orderId: r.orderId ?? '',
      execId: this.#execId(),
      execType,
      ordStatus: status,
      orderType: OrdType.Limit,
      price: r.type === 'amend' ? safeInt(r.price) : 0,
      orderQty: r.type === 'amend' ? safeInt(r.quantity) : 0,
      cumQty: 0,
      leavesQty: 0,
      tif: TimeInForce.Day,
      lotType: LotType.RoundLot,
      transactTime: this.#now,
    } as OrderEvent;
  }
}

function subscribe<T>(list: ((x: T) => void)[], listener: (x: T) => void): () => void {
  list.push(listener);
  return () => {
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  };
}

/** The number of an engine-minted Order ID ("42" → 42); 0 for anything else (a client's guess). */
function orderNumber(orderId: string): number {
  if (typeof orderId !== 'string' || orderId.length === 0 || orderId.length > 15) return 0;
  const n = Number(orderId);
  return Number.isSafeInteger(n) && n > 0 && String(n) === orderId ? n : 0;
}

/** Echoed request numbers stay safe integers (NaN from an off-grid wire value becomes 0) so reports always encode. */
function safeInt(n: number | undefined): number {
  return n !== undefined && Number.isSafeInteger(n) ? n : 0;
}

function isSell(side: number): boolean {
  return side === Side.Sell || side === Side.SellShort;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function mergeEcho(a: OrderEcho | undefined, b: OrderEcho | undefined): OrderEcho | undefined {
  if (b === undefined) return a;
  if (a === undefined) return { ...b };
  return { ...a, ...b };
}

/** Best limit price of a book side, skipping at-auction orders (their sentinel price). */
function bestLimit(side: BookSide, sentinel: number): number | undefined {
  for (let i = side.levels.length - 1; i >= 0; i--) {
    const p = side.levels[i]!.price;
    if (p !== sentinel) return p;
  }
  return undefined;
}
