// FIX identities in the probe: a FixClient (src/fix/client.ts) behind the part of OcgClient's face
// the probe's trading run uses (start, close, site, state, journal, nextClientOrderId, newOrder,
// cancel, 'event' / 'execution-report' / 'stopped'), so a firm's FIX sessions go through the same
// test cases as its binary ones. Reports become ExecutionReport-shaped objects; the lookup steps
// do not apply (fixed addresses, docs/spec-decisions.md "## OCG-C FIX" 1) and are skipped.
import { EventEmitter } from 'node:events';
import { FixClient, FixClientClosedError, fieldOf, msgTypeOf } from '../fix/index.ts';
import type { FixClientEvent, FixClientFaults, FixGatewayAddress, FixMessage } from '../fix/index.ts';
import { OcgClientClosedError } from '../ocg/index.ts';
import type { ExecutionReport, OcgClientEvent, SessionJournal } from '../ocg/index.ts';
import { systemClock, type Clock } from '../wire/index.ts';
import type { Site } from '../evidence/index.ts';

/** Lookup steps of the trading cases that a FIX session has no counterpart for. */
export const FIX_SKIPPED_STEPS = [
  ['connect-primary', 'lookup-primary'],
  ['reconnect-backup-via-lookup', 'relookup-trading'],
] as const;
/** Where a FIX probe session's Client Order IDs start (plus the milliseconds of the current 1 000 s). */
export const FIX_FIRST_CLIENT_ORDER_ID = 90_000_001;
export const FIX_SKIP_REASON = 'FIX: fixed gateway addresses, no lookup service';

export interface FixProbeClientOptions {
  compId: string;
  password: string;
  publicKeyPem: string;
  brokerId: string;
  addresses: FixGatewayAddress[];
  localAddress?: string;
  clock?: Clock;
  timeScale?: number;
  faults?: FixClientFaults;
}

/** An ExecutionReport-shaped view of a FIX ExecutionReport or OrderCancelReject (X / Y as the binary Exec Types). */
export function reportOfFix(m: FixMessage): ExecutionReport {
  const cxlRej = msgTypeOf(m) === '9';
  const execType = cxlRej ? (fieldOf(m, 434) === '1' ? 'X' : 'Y') : fieldOf(m, 150);
  const code = fieldOf(m, cxlRej ? 102 : 103);
  const r: Record<string, unknown> = {
    msgType: 10,
    execType,
    clientOrderId: fieldOf(m, 11),
    orderId: fieldOf(m, 37),
    executionId: fieldOf(m, 17),
    reason: fieldOf(m, 58),
    originalClientOrderId: fieldOf(m, 41),
  };
  if (code !== undefined) r[cxlRej ? (execType === 'X' ? 'cancelRejectCode' : 'amendRejectCode') : 'orderRejectCode'] = Number(code);
  return r as unknown as ExecutionReport;
}

export class FixProbeClient extends EventEmitter {
  readonly protocol = 'FIX';
  readonly compId: string;
  readonly fix: FixClient;

  constructor(o: FixProbeClientOptions) {
    super();
    this.compId = o.compId;
    this.fix = new FixClient({
      compId: o.compId,
      password: o.password,
      publicKeyPem: o.publicKeyPem,
      brokerId: o.brokerId,
      addresses: o.addresses,
      // The firm's binary sessions share its broker's Client Order IDs (unique per broker) and number
      // from the time of day (below 86 400 001): the FIX sessions number above them [ours].
      firstClientOrderId: FIX_FIRST_CLIENT_ORDER_ID + ((o.clock ?? systemClock).now() % 1_000_000),
      ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
      ...(o.clock !== undefined ? { clock: o.clock } : {}),
      ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}),
      ...(o.faults !== undefined ? { faults: o.faults } : {}),
    });
    this.fix.on('event', (e: FixClientEvent) => {
      // The binary client's 'connected' names which gateway of the pair; here the fixed address.
      const detail = e.kind === 'connected' ? { ...e.detail, which: 'fixed address' } : e.detail;
      const ev: OcgClientEvent = { kind: e.kind, at: e.at, detail };
      this.emit('event', ev);
    });
    this.fix.on('execution-report', (m: FixMessage) => this.emit('execution-report', reportOfFix(m)));
    this.fix.on('stopped', (s: { reason: string }) => this.emit('stopped', s));
  }

  get site(): Site | null {
    return this.fix.address?.site ?? null;
  }
  get state(): string {
    return this.fix.state;
  }
  get journal(): SessionJournal {
    return this.fix.journal;
  }

  start(): Promise<void> {
    return this.fix.start().catch((e: unknown) => {
      throw closed(e);
    });
  }
  close(reason?: string): Promise<void> {
    return this.fix.close(reason);
  }
  nextClientOrderId(): string {
    return this.fix.nextClientOrderId();
  }

  newOrder(o: { clientOrderId: string; securityId: string; side: number; quantity: number; price: string }): Promise<ExecutionReport> {
    return this.fix.newOrder(o).then(reportOfFix, (e: unknown) => {
      throw closed(e);
    });
  }

  cancel(clientOrderId: string, opts: { clientOrderId?: string } = {}): Promise<ExecutionReport> {
    return this.fix.cancel(clientOrderId, opts).then(reportOfFix, (e: unknown) => {
      throw closed(e);
    });
  }
}

/** The probe tells "finishing" from a failure by the binary client's closed error. */
function closed(e: unknown): unknown {
  return e instanceof FixClientClosedError ? new OcgClientClosedError(e.message) : e;
}
