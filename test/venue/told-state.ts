// What a client was told about an order (its Execution Reports) against what the backup site holds
// after a failover. An acknowledged order is lost or changed only when the backup contradicts what
// the client heard: the primary may have matched it once more just before it died, but the fill's
// journal entry and the report that said so went down with it (the report waits for the standby's
// acknowledgement), so the client never heard of that fill and the backup rightly does not hold it.
import { qtyFromWire } from '../../src/ocg/index.ts';
import type { ExecutionReport } from '../../src/ocg/index.ts';
import type { OrderState } from '../../src/venue/index.ts';

/** An order's progress: live with a filled quantity, or finished with its final OrdStatus. */
export type OrderProgress = { finished: false; cumQty: number } | { finished: true; ordStatus: number };

/** OrdStatus 0 New and 1 Partially Filled are live (OCG-C §5.7); the others are final. */
const LIVE_STATUS = new Set([0, 1]);

export function progressOfReport(er: ExecutionReport): OrderProgress {
  const status = er.orderStatus ?? 0;
  return LIVE_STATUS.has(status) ? { finished: false, cumQty: qtyFromWire(er.cumulativeQuantity ?? 0n) } : { finished: true, ordStatus: status };
}

/** The venue's side: a live order's state, a finished order's final OrdStatus, or nothing. */
export function progressAtVenue(held: OrderState | number | undefined): OrderProgress | undefined {
  if (held === undefined) return undefined;
  return typeof held === 'number' ? { finished: true, ordStatus: held } : { finished: false, cumQty: held.cumQty };
}

export type ToldVerdict =
  /** The backup holds exactly what the client was last told. */
  | 'same'
  /** The backup is further on, and the client heard of it after the failover (replayed there). */
  | 'ahead-told-later'
  /** The backup does not hold the order the client was told of. */
  | 'missing'
  /** The backup is behind or different from what the client was told: acknowledged data lost. */
  | 'contradicts'
  /** The backup is further on and the client never hears of it. */
  | 'ahead-never-told';

const sameProgress = (x: OrderProgress, y: OrderProgress) => (x.finished ? y.finished && x.ordStatus === y.ordStatus : !y.finished && x.cumQty === y.cumQty);

/**
 * `told`: the last report the client had before the failover; `later`: the reports it received
 * for the order after it (from the backup, in order).
 */
export function compareWithTold(told: OrderProgress, atBackup: OrderProgress | undefined, later: OrderProgress[]): ToldVerdict {
  if (atBackup === undefined) return 'missing';
  if (sameProgress(told, atBackup)) return 'same';
  // Further on: still live with more filled, or finished while the client last heard it live.
  const ahead = !told.finished && (atBackup.finished || atBackup.cumQty > told.cumQty);
  if (!ahead) return 'contradicts';
  const heard = later.some((p) => (atBackup.finished ? p.finished && p.ordStatus === atBackup.ordStatus : p.finished || p.cumQty >= atBackup.cumQty));
  return heard ? 'ahead-told-later' : 'ahead-never-told';
}
