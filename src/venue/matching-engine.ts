// Matching engine: per-security price-time priority limit order books, continuous trading only
// (spec note shared/spec/ocg-c.md §5). Implementation follows; the signatures are the contract.
import type { Clock } from '../wire/index.ts';
import type {
  BookChangeEvent, EngineCommand, EngineEvent, EngineRequest, MatchingEngineOptions,
  MatchingEngineState, OrderState, TradeEvent,
} from './engine-types.ts';

export class MatchingEngine {
  constructor(options: MatchingEngineOptions, clock: Clock) {
    void options; void clock;
  }

  /** Stamp `request` with the clock, notify command listeners (journal), apply it. */
  handle(request: EngineRequest): EngineEvent[] {
    void request;
    throw new Error('not implemented yet');
  }

  /** Deterministic: the same command sequence from the same state yields the same events and state. */
  apply(command: EngineCommand): EngineEvent[] {
    void command;
    throw new Error('not implemented yet');
  }

  /** Called with every command `handle` applies (for the hot-standby journal). */
  onCommand(listener: (command: EngineCommand) => void): () => void {
    void listener;
    return () => {};
  }

  onTrade(listener: (trade: TradeEvent) => void): () => void {
    void listener;
    return () => {};
  }

  onBookChange(listener: (change: BookChangeEvent) => void): () => void {
    void listener;
    return () => {};
  }

  /** A live order by Order ID (read only). */
  order(orderId: string): Readonly<OrderState> | undefined {
    void orderId;
    return undefined;
  }

  exportState(): MatchingEngineState {
    throw new Error('not implemented yet');
  }

  static restore(state: MatchingEngineState, options: MatchingEngineOptions, clock: Clock): MatchingEngine {
    void state;
    return new MatchingEngine(options, clock);
  }
}
