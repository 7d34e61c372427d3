// Child process of bench/failover.recovery.bench.ts: a slice of the OCG-C sessions (trading +
// drop copy per firm, binary or FIX as the firm's venue entry says), in their own process so that
// thousands of client sessions do not share one event loop with the venue they are measuring.
// Over IPC: the parent sends `start` (the venue configuration and the slice), the child answers
// `ready` once every session is logged on at the primary and every trading session rests its buy
// there; `loss` marks the crash; `report` asks for the per-session figures and the CPU time spent
// since the loss; `close` ends the sessions and the process.
import { systemClock } from '../src/wire/index.ts';
import { cpuMsSince } from './report.ts';
import { OcgClient, Side, publicKeyOf, type OcgClientEvent, type SessionJournal } from '../src/ocg/index.ts';
import { FixClient, type FixClientEvent, type FixGatewayAddress } from '../src/fix/index.ts';
import { lookupEndpointsOf, type VenueConfig } from '../src/venue/index.ts';

export interface SessionFigures {
  id: string;
  protocol: 'binary' | 'FIX';
  /** The backup first answered (binary: a backup lookup endpoint; FIX: the backup gateway took the connection), ms since the epoch. */
  firstBackupAt: number | null;
  /** Logged on at the backup (Logon accepted there). */
  loggedOnAt: number | null;
  /** Logged on at the backup with every gap replayed. */
  recoveredAt: number | null;
  /** First message at the backup continued the numbers and the venue expected no reset. */
  continuity: boolean | null;
  replayed: number;
}

export type ToClients =
  | { type: 'start'; venue: VenueConfig; firms: [number, number]; timeScale: number; securityId: string; quantity: number; price: string }
  | { type: 'loss'; at: number }
  | { type: 'report' }
  | { type: 'close' };

export type FromClients =
  | { type: 'ready' }
  | { type: 'progress'; answered: number; recovered: number }
  | { type: 'debug'; text: string }
  | { type: 'report'; sessions: SessionFigures[]; cpuMsSinceLoss: number }
  | { type: 'error'; message: string };

const send = (m: FromClients) => process.send!(m);
/** With BENCH_DEBUG: per event kind, site and occurrence (#1, #2 …), each session's time after the loss. */
const timeline: Map<string, Map<string, number>> | null = process.env['BENCH_DEBUG'] ? new Map() : null;
/** What the bench needs of a binary or a FIX client. */
interface Client {
  readonly journal: SessionJournal;
  start(): Promise<unknown>;
  close(reason: string): Promise<unknown>;
}
const clients: Client[] = [];
const figures: SessionFigures[] = [];
let lossAt = Infinity;
const atLoss: Array<() => void> = [];

/** With BENCH_DEBUG: what the sessions went through, sent to the parent every 2 s. */
const debugKinds = process.env['BENCH_DEBUG'] ? new Map<string, number>() : null;
if (debugKinds !== null) setInterval(() => send({ type: 'debug', text: JSON.stringify(Object.fromEntries(debugKinds)) }), 2_000).unref();

const TIMING = {
  heartbeatIntervalMs: 5_000,
  logonTimeoutMs: 10_000,
  logoutTimeoutMs: 5_000,
  resendTimeoutMs: 5_000,
  connectTimeoutMs: 2_000,
};

async function start(m: Extract<ToClients, { type: 'start' }>): Promise<void> {
  const venue = m.venue;
  const publicKeyPem = publicKeyOf(venue.privateKeyPem);
  const lookup = lookupEndpointsOf(venue, 'OTP-C');
  const fixAddresses: FixGatewayAddress[] = (['primary', 'backup'] as const).map((site) => ({
    host: venue.sites[site].host,
    port: venue.sites[site].trading['OTP-C'].fixGateway!,
    site,
  }));
  const orders: Array<() => Promise<unknown>> = [];
  for (const s of venue.subscribers.slice(m.firms[0], m.firms[1])) {
    const fix = s.fix !== undefined;
    const ids = fix ? s.fix! : s['OTP-C']!;
    for (const compId of [ids.trading, ids.dropCopy!]) {
      const f: SessionFigures = {
        id: compId,
        protocol: fix ? 'FIX' : 'binary',
        firstBackupAt: null,
        loggedOnAt: null,
        recoveredAt: null,
        continuity: null,
        replayed: 0,
      };
      let gapsOpen = 0;
      let loggedOnAtBackup = false;
      let nextToSendAtLoss = 0;
      const done = (at: number) => {
        if (loggedOnAtBackup && gapsOpen === 0 && f.recoveredAt === null) f.recoveredAt = at;
      };
      // Binary: the backup first answers at its lookup endpoint; FIX has fixed addresses, no lookup
      // (docs/spec-decisions.md), so the backup gateway taking the connection is its first answer.
      const firstAnswer = fix ? 'connected' : 'lookup-answered';
      const onEvent = (e: OcgClientEvent | FixClientEvent) => {
        if (debugKinds !== null) {
          const k = `${f.protocol} ${e.kind}:${String(e.detail['reason'] ?? e.detail['status'] ?? '')}`;
          debugKinds.set(k, (debugKinds.get(k) ?? 0) + 1);
        }
        if (e.at >= lossAt && timeline !== null) {
          const base = `${f.protocol} ${e.kind}@${String(e.detail['site'] ?? '')}`;
          let n = 1;
          while (timeline.get(`${base}#${n}`)?.has(compId)) n++;
          let m = timeline.get(`${base}#${n}`);
          if (!m) timeline.set(`${base}#${n}`, (m = new Map()));
          m.set(compId, e.at - lossAt);
        }
        if (e.at < lossAt || e.detail['site'] !== 'backup') return;
        if (e.kind === firstAnswer && f.firstBackupAt === null) f.firstBackupAt = e.at;
        else if (e.kind === 'gap-detected') gapsOpen++;
        else if (e.kind === 'gap-recovered') {
          gapsOpen = Math.max(0, gapsOpen - 1);
          f.replayed += Number(e.detail['to']) - Number(e.detail['from']) + 1;
          done(e.at);
        } else if (e.kind === 'logon-accepted') {
          // Continuity (OCG-C §4): our first message at the backup continues the numbers, and the venue expects no reset.
          f.continuity = Number(e.detail['seqNum']) >= nextToSendAtLoss - 1 && Number(e.detail['nextExpected']) > 1;
          loggedOnAtBackup = true;
          f.loggedOnAt ??= e.at;
          done(e.at);
        }
      };
      const common = {
        compId,
        password: s.password,
        publicKeyPem,
        brokerId: s.brokerId,
        clock: systemClock,
        timeScale: m.timeScale,
        localAddress: s.sourceIps[0]!,
      };
      const order = { securityId: m.securityId, side: Side.Buy, quantity: m.quantity, price: m.price };
      let client: Client;
      if (fix) {
        const c = new FixClient({ ...common, addresses: fixAddresses, timing: TIMING });
        c.on('event', onEvent);
        if (compId === ids.trading) orders.push(() => c.newOrder({ ...order, side: 1 }));
        client = c;
      } else {
        const c = new OcgClient({
          ...common,
          lookup,
          bcan: 'ABC123.2568',
          service: 'OTP-C',
          // Slow session timers: thousands of sessions must not time out while the venue decrypts their logons.
          timing: { ...TIMING, testRequestAfterMs: 15_000, testRequestTimeoutMs: 15_000, lookupTimeoutMs: 2_000 },
        });
        c.on('event', onEvent);
        if (compId === ids.trading) orders.push(() => c.newOrder(order));
        client = c;
      }
      atLoss.push(() => {
        nextToSendAtLoss = client.journal.nextToSend;
      });
      clients.push(client);
      figures.push(f);
    }
  }
  await Promise.all(clients.map((c) => c.start()));
  await Promise.all(orders.map((o) => o()));
  send({ type: 'ready' });
}

let progress: ReturnType<typeof setInterval> | null = null;
/** process.cpuUsage() at the loss: the report says how much CPU this process took since. */
let cpuAtLoss: NodeJS.CpuUsage | null = null;
const cpuMsSinceLoss = () => (cpuAtLoss === null ? 0 : cpuMsSince(cpuAtLoss));
process.on('message', (m: ToClients) => {
  switch (m.type) {
    case 'start':
      start(m).catch((e: unknown) => send({ type: 'error', message: (e as Error).stack ?? String(e) }));
      return;
    case 'loss':
      cpuAtLoss = process.cpuUsage();
      lossAt = m.at;
      for (const f of atLoss) f();
      progress = setInterval(
        () =>
          send({
            type: 'progress',
            answered: figures.filter((f) => f.firstBackupAt !== null).length,
            recovered: figures.filter((f) => f.recoveredAt !== null).length,
          }),
        20,
      );
      return;
    case 'report':
      for (const [k, m] of timeline ?? []) {
        const xs = [...m.values()].sort((a, b) => a - b);
        const q = (p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
        send({ type: 'debug', text: `${k} ms after the loss: n ${xs.length} p0 ${q(0)} p10 ${q(10)} p50 ${q(50)} p90 ${q(90)} p100 ${q(100)}` });
      }
      send({ type: 'report', sessions: figures, cpuMsSinceLoss: cpuMsSinceLoss() });
      return;
    case 'close':
      if (progress !== null) clearInterval(progress);
      void Promise.race([Promise.allSettled(clients.map((c) => c.close('bench done'))), new Promise((r) => setTimeout(r, 5_000))]).then(() => process.exit(0));
      return;
    default:
  }
});
process.on('disconnect', () => process.exit(0)); // the parent is gone: nothing left to measure
