export * from './engine-types.ts';
export { MatchingEngine, MAINLAND_SPREAD_TABLE, MAX_ORDER_QUANTITY, DEFAULT_MAX_BOARD_LOTS, PRICE_BAND_FACTOR } from './matching-engine.ts';
export * from './units.ts';
export { OrderBook, BookSide, PriceLevel, RestingOrder, bookSideOf } from './order-book.ts';
export type { BookSideCode } from './order-book.ts';
export * from './config.ts';
export * from './control-api.ts';
