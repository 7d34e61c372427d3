// The drill's subscribers, which of them are deliberately faulty, what each
// fault must break, and the final table of `npm start`: per subscriber
// and service, passed or failed, with the reason and the recovery time.
import type { Service } from '../evidence/index.ts';
import type { CaseId, ProbeFaults, ProbeReport, TestCase } from '../probe/index.ts';

export const DRILL_FAULTS = ['neverRelookup', 'ignoreDisasterRecovery', 'resetSequenceOnReconnect'] as const;
export type DrillFault = (typeof DRILL_FAULTS)[number];

/** The cases a fault must fail (the first is the one it is about); every other case of the subscriber still passes or is not tested because of it. */
export const FAULT_BREAKS: Record<DrillFault, { services: readonly Service[]; mustFail: CaseId; mayFail: readonly CaseId[] }> = {
  // OCG-C §1.2–1.3: after the loss the client must go back to the lookup service.
  neverRelookup: { services: ['OTP-C', 'OTP-CSC'], mustFail: 'reconnect-backup-via-lookup', mayFail: [] },
  // OMD-C 2.2.4: on DR signal 1 clear the books; a handler that does not keeps a stale book. It also
  // asks the lost site's retransmission server first and waits out its timeout, so a gap at the switch
  // may still be open when an accelerated session ends.
  ignoreDisasterRecovery: { services: ['OMD-C', 'OMD-CC'], mustFail: 'dr-followed', mayFail: ['book-rebuilt', 'gap-recovered'] },
  // OCG-C §4: the logon at the backup continues the sequence numbers.
  resetSequenceOnReconnect: { services: ['OTP-C', 'OTP-CSC'], mustFail: 'sequence-continuity', mayFail: [] },
};

/** Which firms (by 1-based position) get which fault: spread over the list so faulty ones are not all at the end. */
export function assignFaults(firms: readonly string[]): Map<string, DrillFault> {
  const out = new Map<string, DrillFault>();
  const n = firms.length;
  DRILL_FAULTS.forEach((fault, i) => {
    if (i >= n) return;
    // n = 12 → F003, F006, F009; n = 20 → F005, F010, F015.
    const pos = n >= 4 ? Math.floor(((i + 1) * n) / 4) - 1 : i;
    out.set(firms[pos]!, fault);
  });
  return out;
}

export function probeFaultsOf(fault: DrillFault | undefined): ProbeFaults {
  return fault ? { [fault]: true } : {};
}

export interface ServiceVerdict {
  firm: string;
  fault: DrillFault | null;
  service: Service;
  identity: string;
  result: 'passed' | 'failed' | 'not tested' | 'pending';
  /** First failed case: its id, the step and why. */
  reason: string;
  recoveryMs: number | null;
  failedCases: CaseId[];
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

export function verdicts(reports: readonly ProbeReport[], faults: ReadonlyMap<string, DrillFault>): ServiceVerdict[] {
  const out: ServiceVerdict[] = [];
  for (const r of reports) {
    const fault = faults.get(r.firm) ?? null;
    for (const s of r.services) {
      const failedCases = s.cases.filter((c) => c.status === 'failed').map((c) => c.id);
      const breaks = fault ? FAULT_BREAKS[fault] : null;
      const hit = breaks !== null && breaks.services.includes(s.service);
      let asExpected: boolean;
      let expectation: string;
      if (hit) {
        const allowed = new Set<CaseId>([breaks.mustFail, ...breaks.mayFail]);
        asExpected = failedCases.includes(breaks.mustFail) && failedCases.every((c) => allowed.has(c));
        expectation = `fails ${breaks.mustFail}`;
      } else {
        asExpected = s.cases.every((c) => c.status === 'passed');
        expectation = 'passes every case';
      }
      out.push({
        firm: r.firm, fault, service: s.service, identity: s.identity, result: s.result,
        reason: firstFailure(s.cases), recoveryMs: s.recoveryMs, failedCases, asExpected, expectation,
      });
    }
  }
  return out;
}

/** The final table, one line per subscriber and service. */
export function renderTable(rows: readonly ServiceVerdict[], width = 160): string {
  const head = ['subscriber', 'fault', 'service', 'identity', 'result', 'recovery', 'expected', 'reason'];
  const body = rows.map((v) => [
    v.firm, v.fault ?? '-', v.service, v.identity, v.result,
    v.recoveryMs === null ? '-' : `${v.recoveryMs} ms`,
    v.asExpected ? 'yes' : 'NO',
    v.reason || '-',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fixed = w.slice(0, -1).reduce((a, b) => a + b + 2, 0);
  const reasonWidth = Math.max(20, width - fixed);
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? (c.length > reasonWidth ? c.slice(0, reasonWidth - 1) + '…' : c) : c.padEnd(w[i]!))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(Math.min(n, 40)))), ...body.map(line)].join('\n');
}
