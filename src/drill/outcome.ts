// The drill's subscribers, which of them are deliberately faulty, what each
// fault must break, and the final table of `npm start`: per subscriber
// and service, passed or failed, with the reason and the recovery time.
import { TRADING_SERVICES } from '../evidence/index.ts';
import type { Service } from '../evidence/index.ts';
import type { CaseId, ProbeFaults, ProbeReport, TestCase } from '../probe/index.ts';

export const DRILL_FAULTS = ['neverRelookup', 'ignoreDisasterRecovery', 'resetSequenceOnReconnect', 'leaveOrderResting'] as const;
export type DrillFault = (typeof DRILL_FAULTS)[number];

export interface FaultBreaks {
  services: readonly Service[];
  /** False when the fault has no counterpart over FIX (the firm's FIX lines then pass every case). */
  fix: boolean;
  mustFail: CaseId;
  mayFail: readonly CaseId[];
}

/** The cases a fault must fail (the first is the one it is about); every other case of the subscriber still passes or is not tested because of it. */
export const FAULT_BREAKS: Partial<Record<DrillFault, FaultBreaks>> = {
  // OCG-C §1.2–1.3: after the loss the client must go back to the lookup service. FIX clients have
  // fixed addresses and no lookup (docs/spec-decisions.md "## OCG-C FIX").
  neverRelookup: { services: ['OTP-C', 'OTP-CSC'], fix: false, mustFail: 'reconnect-backup-via-lookup', mayFail: [] },
  // OMD-C 2.2.4: on DR signal 1 clear the books; a handler that does not keeps a stale book. It also
  // asks the lost site's retransmission server first and waits out its timeout, so a gap at the switch
  // may still be open when an accelerated session ends; its stale books also differ at a later phase change.
  ignoreDisasterRecovery: {
    services: ['OMD-C', 'OMD-CC'],
    fix: false,
    mustFail: 'dr-followed',
    mayFail: ['book-rebuilt', 'gap-recovered', 'books-across-phases'],
  },
  // OCG-C §4 (FIXT.1.1 alike): the logon at the backup continues the sequence numbers.
  resetSequenceOnReconnect: { services: ['OTP-C', 'OTP-CSC'], fix: true, mustFail: 'sequence-continuity', mayFail: [] },
  // leaveOrderResting fails no probe case: the venue's clean-up check finds its order (RESTING_FAULT).
};

/** Cases a well-behaved subscriber leaves `not tested` on a service: the day's phases are the securities market's (OMD-C), the China Connect feed carries none. */
export const NOT_EXERCISED: Partial<Record<Service, readonly CaseId[]>> = { 'OMD-CC': ['books-across-phases'] };

/** The fault the venue's clean-up check must find: an order left in the book for the next trading day. */
export const RESTING_FAULT: DrillFault = 'leaveOrderResting';

/**
 * Which firms (by 1-based position) get which fault: the three protocol faults spread over the
 * list (n = 12 → F003, F006, F009), the order left resting on the last firm once there are five or
 * more (F012), so that at least one firm is well behaved.
 */
export function assignFaults(firms: readonly string[]): Map<string, DrillFault> {
  const out = new Map<string, DrillFault>();
  const n = firms.length;
  DRILL_FAULTS.forEach((fault, i) => {
    if (fault === RESTING_FAULT) {
      if (n >= 5) out.set(firms[n - 1]!, fault);
      return;
    }
    if (i >= n) return;
    const pos = n >= 4 ? Math.floor(((i + 1) * n) / 4) - 1 : i;
    out.set(firms[pos]!, fault);
  });
  return out;
}

/** What a fault must break on one report line (undefined: the line passes every case). */
export function faultBreaksOf(fault: DrillFault | null | undefined, line: { service: Service; protocol?: 'FIX' | undefined }): FaultBreaks | undefined {
  const breaks = fault ? FAULT_BREAKS[fault] : undefined;
  if (breaks === undefined || !breaks.services.includes(line.service)) return undefined;
  return line.protocol === 'FIX' && !breaks.fix ? undefined : breaks;
}

export function probeFaultsOf(fault: DrillFault | undefined): ProbeFaults {
  return fault ? { [fault]: true } : {};
}

export interface ServiceVerdict {
  firm: string;
  fault: DrillFault | null;
  service: Service;
  /** OTP-C over FIX; absent for the binary protocols. */
  protocol?: 'FIX';
  identity: string;
  result: 'passed' | 'failed' | 'not tested' | 'pending';
  /** First failed case: its id, the step and why. */
  reason: string;
  recoveryMs: number | null;
  failedCases: CaseId[];
  /** Trading services: the identity's orders still resting at the venue's clean-up check (null: no check, or market data). */
  restingAtCleanUp: number | null;
  /** Whether this line is what the drill expects (well-behaved: passed; faulty: fails exactly what its fault breaks). */
  asExpected: boolean;
  expectation: string;
}

function firstFailure(cases: readonly TestCase[]): string {
  const f = cases.find((c) => c.status === 'failed');
  if (!f) {
    const open = cases.find((c) => c.status !== 'passed');
    return open ? `${open.id}: ${open.status}${open.reason ? ` (${open.reason})` : ''}` : '';
  }
  return `${f.id}${f.failedStep ? `/${f.failedStep}` : ''}: ${f.reason ?? 'failed'}`;
}

/**
 * One verdict per subscriber and service. `resting`: the venue's clean-up check, trading identity →
 * its orders still resting (absent: the rundown had no clean-up check); the subscriber with
 * RESTING_FAULT must have some on its trading services, every other none.
 */
export function verdicts(reports: readonly ProbeReport[], faults: ReadonlyMap<string, DrillFault>, resting?: ReadonlyMap<string, number>): ServiceVerdict[] {
  const out: ServiceVerdict[] = [];
  for (const r of reports) {
    const fault = faults.get(r.firm) ?? null;
    for (const s of r.services) {
      const failedCases = s.cases.filter((c) => c.status === 'failed').map((c) => c.id);
      const breaks = faultBreaksOf(fault, s);
      let asExpected: boolean;
      let expectation: string;
      if (breaks) {
        const allowed = new Set<CaseId>([breaks.mustFail, ...breaks.mayFail]);
        asExpected = failedCases.includes(breaks.mustFail) && failedCases.every((c) => allowed.has(c));
        expectation = `fails ${breaks.mustFail}`;
      } else {
        asExpected = s.cases.every((c) => c.status === 'passed' || (c.status === 'not tested' && (NOT_EXERCISED[s.service] ?? []).includes(c.id)));
        expectation = 'passes every case';
      }
      const trading = TRADING_SERVICES.includes(s.service);
      const restingAtCleanUp = trading && resting ? (resting.get(s.identity) ?? 0) : null;
      if (restingAtCleanUp !== null) {
        const leaves = fault === RESTING_FAULT;
        asExpected &&= leaves ? restingAtCleanUp > 0 : restingAtCleanUp === 0;
        expectation += leaves ? ', leaves an order resting' : ', nothing resting';
      }
      out.push({
        firm: r.firm,
        fault,
        service: s.service,
        ...(s.protocol ? { protocol: s.protocol } : {}),
        identity: s.identity,
        result: s.result,
        reason: firstFailure(s.cases),
        recoveryMs: s.recoveryMs,
        failedCases,
        restingAtCleanUp,
        asExpected,
        expectation,
      });
    }
  }
  return out;
}

/** The final table, one line per subscriber and service. */
export function renderTable(rows: readonly ServiceVerdict[], width = 160): string {
  const head = ['subscriber', 'fault', 'service', 'identity', 'result', 'recovery', 'clean-up', 'expected', 'reason'];
  const body = rows.map((v) => [
    v.firm,
    v.fault ?? '-',
    v.protocol ? `${v.service} ${v.protocol}` : v.service,
    v.identity,
    v.result,
    v.recoveryMs === null ? '-' : `${v.recoveryMs} ms`,
    v.restingAtCleanUp === null ? '-' : v.restingAtCleanUp === 0 ? 'clean' : `${v.restingAtCleanUp} resting`,
    v.asExpected ? 'yes' : 'NO',
    v.reason || '-',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fixed = w.slice(0, -1).reduce((a, b) => a + b + 2, 0);
  const reasonWidth = Math.max(20, width - fixed);
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? (c.length > reasonWidth ? c.slice(0, reasonWidth - 1) + '…' : c) : c.padEnd(w[i]!))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(Math.min(n, 40)))), ...body.map(line)].join('\n');
}
