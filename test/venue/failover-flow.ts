// The 10,000-order failover flow (issue 4 "Tests" and bench failover.lost_acked): two clients
// trade through the primary site with the journal to the backup over TCP; in the middle of the
// flow the primary is killed (or isolated) and the backup takes over; the clients follow through
// the lookup service and finish the flow there. Returns what the check needs.
import { isDeepStrictEqual } from 'node:util';
import { Side } from '../../src/ocg/index.ts';
import type { ExecutionReport } from '../../src/ocg/index.ts';
import type { MatchingEngineState, OrderState } from '../../src/venue/index.ts';
import { embedded, ocgClient, testVenueConfig, waitFor } from './site-harness.ts';

export interface FlowResult {
  submitted: number;
  /** Client Order IDs acknowledged (first Execution Report '0' or 'F' received by the client). */
  acked: number;
  ackedBeforeFailover: number;
  /** Acknowledged before the failover but not found at the backup site. */
  lost: string[];
  /** Acknowledged before the failover and found at the backup with a different state. */
  changed: string[];
  /** Client Order IDs that became more than one order at the backup. */
  duplicated: number;
  /** Orders the backup site holds (live + finished) vs. distinct Client Order IDs. */
  backupOrders: number;
  rejected: number;
  takeoverMs: number;
  /** Client sequence numbers right after the logon at the backup continued (no reset). */
  sequenceContinued: boolean;
}

function orderKey(s: MatchingEngineState, orderId: string): OrderState | number | undefined {
  return s.orders.find((o) => o.orderId === orderId) ?? s.finishedOrders[orderId];
}

export async function runFailoverFlow(opts: { orders: number; failAt: number; mode: 'kill' | 'isolate'; inFlight?: number; journalLinkDelayMs?: number }): Promise<FlowResult> {
  const cfg = testVenueConfig({ market: { eventsPerSecond: 100 } });
  const v = await embedded(cfg, opts.journalLinkDelayMs !== undefined ? { journalLinkDelayMs: opts.journalLinkDelayMs } : {});
  const a = ocgClient(cfg, 'F001');
  const b = ocgClient(cfg, 'F002');
  try {
    await waitFor('journal link', () => v.primary.status().replication.connected && v.primary.status().replication.ackedSeq >= 0);
    await Promise.all([a.c.start(), b.c.start()]);
    const acked = new Map<string, { orderId: string; before: boolean; broker: string }>();
    let rejected = 0;
    let failedOver = false;
    const at: { primary: MatchingEngineState | null; backup: MatchingEngineState | null } = { primary: null, backup: null };
    let takeoverMs = 0;
    let failover: Promise<void> | null = null;
    const seqAtLoss = { toSend: 0 };
    const inFlight = opts.inFlight ?? 100;
    let next = 0;
    const one = async (i: number): Promise<void> => {
      // Every tenth order is a crossing sell of the second firm (fills) until the failover; after
      // it nobody crosses, so the orders acknowledged before keep their state at the backup.
      const seller = i % 10 === 9;
      const cl = seller ? b : a;
      const price = failedOver ? (seller ? '396.0' : '395.0') : '395.6';
      let er: ExecutionReport;
      try {
        er = await cl.c.newOrder({ securityId: '700', side: seller ? Side.Sell : Side.Buy, quantity: 100, price });
      } catch {
        rejected++;
        return;
      }
      if (er.execType === '8') { rejected++; return; }
      acked.set(`${seller ? 'b' : 'a'}:${er.clientOrderId}`, { orderId: er.orderId!, before: !failedOver, broker: seller ? '1002' : '1001' });
      if (!failedOver && acked.size >= opts.failAt && failover === null) {
        failover = (async () => {
          seqAtLoss.toSend = a.c.journal.nextToSend;
          if (opts.mode === 'kill') await v.primary.crash();
          else await v.primary.isolate({ mode: 'graceful' });
          at.primary = v.primary.engine('OTP-C').exportState();
          at.backup = v.backup.engine('OTP-C').exportState(); // what the journal brought over
          // Orders acknowledged by now are the "before" set (their acks left the primary).
          failedOver = true;
          for (const x of acked.values()) x.before = true;
          takeoverMs = (await v.backup.activate()).takeoverMs;
        })();
      }
    };
    const workers = Array.from({ length: inFlight }, async () => {
      while (next < opts.orders) {
        const i = next++;
        await one(i);
      }
    });
    await Promise.all(workers);
    if (failover !== null) await failover;
    const backupState = v.backup.engine('OTP-C').exportState();
    const lost: string[] = [];
    const changed: string[] = [];
    let ackedBefore = 0;
    for (const [key, x] of acked) {
      const clOrdId = key.slice(2);
      const final = backupState.clientOrderIds[x.broker]?.[clOrdId];
      if (final === undefined || final !== x.orderId) { lost.push(key); continue; }
      if (!x.before) continue;
      ackedBefore++;
      // At the takeover instant the backup holds each acknowledged order in the primary's state
      // (later, orders still in flight at the loss may fill them at the backup).
      const atTakeover = at.backup?.clientOrderIds[x.broker]?.[clOrdId];
      if (atTakeover !== x.orderId) { lost.push(key); continue; }
      if (at.primary !== null && at.backup !== null && !isDeepStrictEqual(orderKey(at.backup, x.orderId), orderKey(at.primary, x.orderId))) changed.push(key);
    }
    let backupOrders = 0, distinct = 0;
    for (const ids of Object.values(backupState.clientOrderIds)) distinct += Object.keys(ids).length;
    backupOrders = backupState.orders.length + Object.keys(backupState.finishedOrders).length;
    const orderIds = new Set<string>();
    for (const ids of Object.values(backupState.clientOrderIds)) for (const id of Object.values(ids)) orderIds.add(id);
    const logonAtBackup = a.events.find((e) => e.kind === 'logon-accepted' && e.detail['site'] === 'backup');
    return {
      submitted: opts.orders, acked: acked.size, ackedBeforeFailover: ackedBefore, lost, changed,
      duplicated: distinct - orderIds.size, backupOrders, rejected, takeoverMs,
      sequenceContinued: logonAtBackup !== undefined && a.c.journal.nextToSend > seqAtLoss.toSend && !a.kinds().includes('sequence-reset'),
    };
  } finally {
    await a.c.close();
    await b.c.close();
    await v.stop();
  }
}
