// The 10,000-order failover flow (test/venue/failover.test.ts and bench failover.lost_acked): two clients
// trade through the primary site with the journal to the backup over TCP; in the middle of the
// flow the primary is killed (or isolated) and the backup takes over; the clients follow through
// the lookup service and finish the flow there. Returns what the check needs.
import { isDeepStrictEqual } from 'node:util';
import { Side } from '../../src/ocg/index.ts';
import type { ExecutionReport } from '../../src/ocg/index.ts';
import type { MatchingEngineState, OrderState } from '../../src/venue/index.ts';
import { embedded, ocgClient, testVenueConfig, waitFor } from './site-harness.ts';
import { compareWithTold, progressAtVenue, progressOfReport, type OrderProgress } from './told-state.ts';

export interface FlowResult {
  submitted: number;
  /** Client Order IDs acknowledged (first Execution Report '0' or 'F' received by the client). */
  acked: number;
  ackedBeforeFailover: number;
  /** Acknowledged before the failover but not found at the backup site. */
  lost: string[];
  /**
   * Acknowledged before the failover and held at the backup in a state that contradicts what the
   * client was told (its last Execution Report before the failover), or further on without the
   * client ever hearing of it.
   */
  changed: string[];
  /**
   * Acknowledged before the failover, different at the backup from the primary's state at the
   * crash, but only in events the client was never told of (the primary matched them, their
   * journal entries and reports died with it). Not a loss; counted to show the case occurs.
   */
  untoldAtCrash: number;
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

export async function runFailoverFlow(opts: {
  orders: number;
  failAt: number;
  mode: 'kill' | 'isolate';
  inFlight?: number;
  journalLinkDelayMs?: number;
}): Promise<FlowResult> {
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
    /** Execution Reports each client had received when the primary was gone. */
    const toldBefore = { a: 0, b: 0 };
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
      if (er.execType === '8') {
        rejected++;
        return;
      }
      acked.set(`${seller ? 'b' : 'a'}:${er.clientOrderId}`, { orderId: er.orderId!, before: !failedOver, broker: seller ? '1002' : '1001' });
      if (!failedOver && acked.size >= opts.failAt && failover === null) {
        failover = (async () => {
          seqAtLoss.toSend = a.c.journal.nextToSend;
          if (opts.mode === 'kill') await v.primary.crash();
          else await v.primary.isolate({ mode: 'graceful' });
          at.primary = v.primary.engine('OTP-C').exportState();
          at.backup = v.backup.engine('OTP-C').exportState(); // what the journal brought over
          toldBefore.a = a.reports.length;
          toldBefore.b = b.reports.length;
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
    // Per order, what its client was told before the failover (the last report) and after it.
    const told = new Map<string, { before: OrderProgress | null; after: OrderProgress[] }>();
    for (const [who, c] of [
      ['a', a],
      ['b', b],
    ] as const) {
      c.reports.forEach((er, i) => {
        if (er.clientOrderId === undefined) return;
        const key = `${who}:${er.clientOrderId}`;
        const t = told.get(key) ?? { before: null, after: [] };
        if (i < toldBefore[who]) t.before = progressOfReport(er);
        else t.after.push(progressOfReport(er));
        told.set(key, t);
      });
    }
    const lost: string[] = [];
    const changed: string[] = [];
    let untoldAtCrash = 0;
    let ackedBefore = 0;
    for (const [key, x] of acked) {
      const clOrdId = key.slice(2);
      const final = backupState.clientOrderIds[x.broker]?.[clOrdId];
      if (final === undefined || final !== x.orderId) {
        lost.push(key);
        continue;
      }
      if (!x.before) continue;
      ackedBefore++;
      // At the takeover instant the backup holds each acknowledged order as its client was told
      // (later, orders still in flight at the loss may fill them at the backup).
      const atTakeover = at.backup?.clientOrderIds[x.broker]?.[clOrdId];
      if (atTakeover !== x.orderId || at.backup === null) {
        lost.push(key);
        continue;
      }
      const heard = told.get(key);
      const verdict = heard?.before ? compareWithTold(heard.before, progressAtVenue(orderKey(at.backup, x.orderId)), heard.after) : 'missing';
      if (verdict === 'missing') lost.push(key);
      else if (verdict === 'contradicts' || verdict === 'ahead-never-told') changed.push(key);
      else if (at.primary !== null && !isDeepStrictEqual(orderKey(at.backup, x.orderId), orderKey(at.primary, x.orderId))) untoldAtCrash++;
    }
    let backupOrders = 0,
      distinct = 0;
    for (const ids of Object.values(backupState.clientOrderIds)) distinct += Object.keys(ids).length;
    backupOrders = backupState.orders.length + Object.keys(backupState.finishedOrders).length;
    const orderIds = new Set<string>();
    for (const ids of Object.values(backupState.clientOrderIds)) for (const id of Object.values(ids)) orderIds.add(id);
    const logonAtBackup = a.events.find((e) => e.kind === 'logon-accepted' && e.detail['site'] === 'backup');
    return {
      submitted: opts.orders,
      acked: acked.size,
      ackedBeforeFailover: ackedBefore,
      lost,
      changed,
      untoldAtCrash,
      duplicated: distinct - orderIds.size,
      backupOrders,
      rejected,
      takeoverMs,
      sequenceContinued: logonAtBackup !== undefined && a.c.journal.nextToSend > seqAtLoss.toSend && !a.kinds().includes('sequence-reset'),
    };
  } finally {
    await a.c.close();
    await b.c.close();
    await v.stop();
  }
}
