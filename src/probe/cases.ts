// Verification per test case (practice-session.md, "Automatic verification", ours after CME
// AutoCert+): each service of each identity has test cases made of ordered steps — client actions
// the probe observes on the wire, venue actions it sees happen, and questions it answers itself —
// and each case ends `not tested`, `pending`, `passed` or `failed`, with a log per step and, when
// failed, the step that failed and why. The case list per service is ours (the spec names none).
import type { Service } from '../evidence/index.ts';

export const CASE_STATUSES = ['not tested', 'pending', 'passed', 'failed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** client: what the subscriber does (seen on the wire); venue: what the venue does; question: a value the probe answers and checks. */
export type StepKind = 'client' | 'venue' | 'question';

export const TRADING_CASE_IDS = [
  'connect-primary',
  'order-cancel-primary',
  'reconnect-backup-via-lookup',
  'sequence-continuity',
  'order-cancel-backup',
  'drop-copy-recovered',
  'return-to-primary',
] as const;
export const MARKET_DATA_CASE_IDS = [
  'feed-joined-primary',
  'gap-recovered',
  'dr-followed',
  'book-rebuilt',
  'data-from-backup',
  'return-to-primary',
  'books-across-phases',
] as const;
export type TradingCaseId = (typeof TRADING_CASE_IDS)[number];
export type MarketDataCaseId = (typeof MARKET_DATA_CASE_IDS)[number];
export type CaseId = TradingCaseId | MarketDataCaseId;

export interface StepLogEntry {
  /** Epoch ms of the probe's clock. */
  at: number;
  text: string;
}

export interface CaseStep {
  id: string;
  kind: StepKind;
  text: string;
  status: CaseStatus;
  /** When the step ended (passed or failed). */
  at?: number;
  /** Why it failed, or why it was not tested. */
  reason?: string;
  /** A question's answer as the probe gave it (e.g. a books digest). */
  answer?: string;
  log: StepLogEntry[];
}

export interface TestCase {
  id: CaseId;
  service: Service;
  /** CompID (trading services) or RTS username (market data). */
  identity: string;
  title: string;
  /** Cases that must pass first; when one of them fails, this one is `not tested`. */
  dependsOn: CaseId[];
  status: CaseStatus;
  /** Set when failed: the step that failed and why. */
  failedStep?: string;
  reason?: string;
  steps: CaseStep[];
}

export interface StepDef {
  id: string;
  kind: StepKind;
  text: string;
}
export interface CaseDef {
  id: CaseId;
  title: string;
  dependsOn: CaseId[];
  steps: StepDef[];
}

/** Trading services (OTP-C, OTP-CSC): one set per trading CompID and its drop copy CompID. */
export const TRADING_CASES: readonly CaseDef[] = [
  {
    id: 'connect-primary',
    title: 'Log on at the primary site',
    dependsOn: [],
    steps: [
      { id: 'lookup-primary', kind: 'client', text: 'asked the lookup service; a primary-site endpoint answered' },
      { id: 'logon-trading', kind: 'client', text: 'trading session logged on at the primary site' },
      { id: 'logon-drop-copy', kind: 'client', text: 'drop copy session logged on at the primary site' },
    ],
  },
  {
    id: 'order-cancel-primary',
    title: 'Test orders and cancels at the primary site',
    dependsOn: ['connect-primary'],
    steps: [
      { id: 'buy-acked', kind: 'client', text: 'resting buy far below the market acknowledged' },
      { id: 'sell-acked', kind: 'client', text: 'resting sell far above the market acknowledged' },
      { id: 'cancels-acked', kind: 'client', text: 'both orders cancelled (no test order left in the book)' },
    ],
  },
  {
    id: 'reconnect-backup-via-lookup',
    title: 'Reconnect to the backup site through the lookup service',
    dependsOn: ['connect-primary'],
    steps: [
      { id: 'primary-lost', kind: 'venue', text: 'primary site lost (the backbone change); the loss noticed' },
      { id: 'relookup-trading', kind: 'client', text: 'trading session asked the lookup service again; a backup-site endpoint answered' },
      { id: 'connect-backup-trading', kind: 'client', text: 'trading session connected to the backup gateway the lookup named' },
      { id: 'relookup-drop-copy', kind: 'client', text: 'drop copy session asked the lookup service again and connected to the backup gateway' },
    ],
  },
  {
    id: 'sequence-continuity',
    title: 'Log on at the backup with continuing sequence numbers',
    dependsOn: ['reconnect-backup-via-lookup'],
    steps: [
      { id: 'logon-backup-trading', kind: 'client', text: 'trading session logon accepted at the backup site under the continuing sequence number (no reset)' },
      { id: 'logon-backup-drop-copy', kind: 'client', text: 'drop copy logon accepted at the backup site under the continuing sequence number' },
      { id: 'gaps-recovered', kind: 'client', text: 'every sequence gap recovered by resend' },
    ],
  },
  {
    id: 'order-cancel-backup',
    title: 'Test orders and cancels at the backup site',
    dependsOn: ['sequence-continuity'],
    steps: [
      { id: 'buy-acked', kind: 'client', text: 'resting buy far below the market acknowledged at the backup site' },
      { id: 'sell-acked', kind: 'client', text: 'resting sell far above the market acknowledged at the backup site' },
      { id: 'cancels-acked', kind: 'client', text: 'both orders cancelled at the backup site' },
    ],
  },
  {
    id: 'drop-copy-recovered',
    title: 'Drop copy complete after the failover',
    dependsOn: ['sequence-continuity'],
    steps: [{ id: 'copies-complete', kind: 'question', text: 'the drop copy holds a copy of every Execution Report of the trading session (count)' }],
  },
  {
    id: 'return-to-primary',
    title: 'Return to the primary site after fail back',
    dependsOn: ['sequence-continuity'],
    steps: [
      { id: 'fail-back', kind: 'venue', text: 'services returned to the primary site (sessions at the backup ended)' },
      { id: 'logon-primary-trading', kind: 'client', text: 'trading session logged on at the primary site again' },
      { id: 'logon-primary-drop-copy', kind: 'client', text: 'drop copy session logged on at the primary site again' },
    ],
  },
];

/** Market data (OMD-C, OMD-CC): one set per RTS username. */
export const MARKET_DATA_CASES: readonly CaseDef[] = [
  {
    id: 'feed-joined-primary',
    title: 'Join the feed at the primary site',
    dependsOn: [],
    steps: [
      { id: 'lines-joined', kind: 'client', text: 'packets received on line A and line B' },
      { id: 'books-built', kind: 'client', text: 'books built from the refresh service on every channel' },
    ],
  },
  {
    id: 'gap-recovered',
    title: 'Gaps on both lines recovered (retransmission or refresh)',
    dependsOn: ['feed-joined-primary'],
    steps: [
      { id: 'gap-seen', kind: 'venue', text: 'a gap on both lines' },
      { id: 'gap-closed', kind: 'client', text: 'every gap recovered by retransmission or refresh' },
    ],
  },
  {
    id: 'dr-followed',
    title: 'Follow the disaster-recovery signal',
    dependsOn: ['feed-joined-primary'],
    steps: [
      { id: 'dr-1', kind: 'venue', text: 'DR signal 1 (primary site lost, disaster recovery in progress)' },
      { id: 'cache-cleared', kind: 'client', text: 'cached market data cleared on DR signal 1' },
      { id: 'dr-2', kind: 'venue', text: 'DR signal 2 (backup site active)' },
      { id: 'dr-completed', kind: 'client', text: 'disaster recovery completed on DR signal 2' },
    ],
  },
  {
    id: 'book-rebuilt',
    title: 'Books rebuilt from the backup site',
    dependsOn: ['feed-joined-primary'],
    steps: [
      { id: 'refreshed', kind: 'client', text: 'books cleared and rebuilt from the refresh service on every channel after the DR signal' },
      { id: 'digest', kind: 'question', text: "books digest per channel after recovery equal to the venue's" },
    ],
  },
  {
    id: 'data-from-backup',
    title: 'Market data received from the backup site',
    dependsOn: ['feed-joined-primary'],
    steps: [
      { id: 'realtime', kind: 'client', text: 'real-time messages applied from the backup site' },
      { id: 'live', kind: 'client', text: 'every channel live and in sequence' },
    ],
  },
  {
    id: 'return-to-primary',
    title: 'Return to the primary site after fail back',
    dependsOn: ['dr-followed'],
    steps: [
      { id: 'fail-back', kind: 'venue', text: 'services returned to the primary site (DR signal 1 again)' },
      { id: 'dr-completed', kind: 'client', text: 'disaster recovery completed again and books rebuilt' },
      { id: 'realtime', kind: 'client', text: 'real-time messages applied from the primary site' },
    ],
  },
  {
    id: 'books-across-phases',
    title: 'Books right across each market phase change',
    dependsOn: ['feed-joined-primary'],
    steps: [
      { id: 'phase-change', kind: 'venue', text: 'the market moved to another phase (Trading Session Status on the feed)' },
      {
        id: 'books-right',
        kind: 'question',
        text: "after each phase change, books digest per channel equal to the venue's (without the venue's digest: every channel live, no gap open)",
      },
    ],
  },
];

export function casesFor(service: Service, identity: string): TestCase[] {
  const defs = service === 'OTP-C' || service === 'OTP-CSC' ? TRADING_CASES : MARKET_DATA_CASES;
  return defs.map((d) => ({
    id: d.id,
    service,
    identity,
    title: d.title,
    dependsOn: [...d.dependsOn],
    status: 'not tested',
    steps: d.steps.map((s) => ({ id: s.id, kind: s.kind, text: s.text, status: 'not tested', log: [] })),
  }));
}

/**
 * The cases of one service and identity, with the step operations the probe uses. A step moves
 * not tested → pending → passed | failed once; a case's status follows from its steps.
 */
export class CaseBook {
  readonly service: Service;
  readonly identity: string;
  readonly cases: TestCase[];
  readonly #now: () => number;

  constructor(service: Service, identity: string, now: () => number) {
    this.service = service;
    this.identity = identity;
    this.cases = casesFor(service, identity);
    this.#now = now;
  }

  /** The identity's result: failed if a case failed, else pending if one is open, else passed if one passed. */
  overall(): CaseStatus {
    const cases = this.cases;
    if (cases.some((c) => c.status === 'failed')) return 'failed';
    if (cases.some((c) => c.status === 'pending')) return 'pending';
    return cases.some((c) => c.status === 'passed') ? 'passed' : 'not tested';
  }

  case(id: CaseId): TestCase {
    const c = this.cases.find((x) => x.id === id);
    if (!c) throw new RangeError(`no case ${id} for ${this.service}`);
    return c;
  }

  step(caseId: CaseId, stepId: string): CaseStep {
    const s = this.case(caseId).steps.find((x) => x.id === stepId);
    if (!s) throw new RangeError(`no step ${stepId} in case ${caseId}`);
    return s;
  }

  /** Adds a log line to a step (a step being logged is at least pending). */
  log(caseId: CaseId, stepId: string, text: string): void {
    const s = this.step(caseId, stepId);
    s.log.push({ at: this.#now(), text });
    if (s.status === 'not tested') s.status = 'pending';
    this.#update(caseId);
  }

  pass(caseId: CaseId, stepId: string, text: string, answer?: string): void {
    const s = this.step(caseId, stepId);
    if (s.status === 'passed' || s.status === 'failed') return;
    s.log.push({ at: this.#now(), text });
    s.status = 'passed';
    s.at = this.#now();
    if (answer !== undefined) s.answer = answer;
    this.#update(caseId);
  }

  fail(caseId: CaseId, stepId: string, reason: string, answer?: string): void {
    const s = this.step(caseId, stepId);
    if (s.status === 'passed' || s.status === 'failed') return;
    const blocker = this.#failedDependency(caseId);
    if (blocker !== undefined) {
      // The cause is already reported by the case this one depends on: not tested, not failed twice.
      s.log.push({ at: this.#now(), text: `would fail (${reason}), but ${blocker.id} failed first` });
      this.skip(caseId, stepId, `depends on ${blocker.id}, which failed`);
      return;
    }
    s.log.push({ at: this.#now(), text: `failed: ${reason}` });
    s.status = 'failed';
    s.at = this.#now();
    s.reason = reason;
    if (answer !== undefined) s.answer = answer;
    this.#update(caseId);
  }

  /** A passed step that holds only while nothing new happens (e.g. every gap recovered) goes back to pending. */
  reopen(caseId: CaseId, stepId: string, text: string): void {
    const s = this.step(caseId, stepId);
    if (s.status !== 'passed') return;
    s.status = 'pending';
    delete s.at;
    s.log.push({ at: this.#now(), text });
    this.#update(caseId);
  }

  /** A step that cannot be exercised (e.g. no gap happened): it does not count against the case. */
  skip(caseId: CaseId, stepId: string, reason: string): void {
    const s = this.step(caseId, stepId);
    if (s.status === 'passed' || s.status === 'failed') return;
    s.status = 'not tested';
    s.reason = reason;
    s.log.push({ at: this.#now(), text: `not tested: ${reason}` });
    this.#update(caseId);
  }

  isDone(caseId: CaseId, stepId: string): boolean {
    const st = this.step(caseId, stepId).status;
    return st === 'passed' || st === 'failed';
  }

  status(caseId: CaseId): CaseStatus {
    return this.case(caseId).status;
  }

  /**
   * End of the session: a case whose prerequisite failed or was not tested is `not tested` (with
   * the reason); otherwise every step still open fails with `openReason(step)` when given, or
   * stays `not tested` when the situation it needs never came (e.g. no gap occurred).
   */
  close(openReason: (c: TestCase, s: CaseStep) => { fail: string } | { skip: string }): void {
    for (const c of this.cases) {
      const blocker = c.dependsOn.map((d) => this.case(d)).find((d) => d.status !== 'passed');
      for (const s of c.steps) {
        if (s.status === 'passed' || s.status === 'failed' || (s.status === 'not tested' && s.reason !== undefined)) continue;
        if (blocker !== undefined && !c.steps.some((x) => x.status === 'failed')) {
          s.status = 'not tested';
          s.reason = `depends on ${blocker.id}, which ${blocker.status === 'failed' ? 'failed' : 'was not completed'}`;
          continue;
        }
        const r = openReason(c, s);
        if ('fail' in r) this.fail(c.id, s.id, r.fail);
        else this.skip(c.id, s.id, r.skip);
      }
      this.#update(c.id);
      if (blocker !== undefined && c.status !== 'failed') {
        c.status = 'not tested';
        c.reason = `depends on ${blocker.id}, which ${blocker.status === 'failed' ? 'failed' : 'was not completed'}`;
      }
    }
  }

  /** The failed case this one depends on, directly or through a case that is itself blocked. */
  #failedDependency(caseId: CaseId): TestCase | undefined {
    for (const d of this.case(caseId).dependsOn) {
      const dep = this.case(d);
      if (dep.status === 'failed') return dep;
      const deeper = this.#failedDependency(d);
      if (deeper !== undefined) return deeper;
    }
    return undefined;
  }

  #update(caseId: CaseId): void {
    this.#updateOne(caseId);
    for (const c of this.cases) if (c.dependsOn.includes(caseId)) this.#update(c.id);
  }

  #updateOne(caseId: CaseId): void {
    const c = this.case(caseId);
    const failed = c.steps.find((s) => s.status === 'failed');
    if (failed) {
      c.status = 'failed';
      c.failedStep = failed.id;
      c.reason = failed.reason ?? '';
      return;
    }
    const blocker = this.#failedDependency(caseId);
    if (blocker !== undefined) {
      c.status = 'not tested';
      c.reason = `depends on ${blocker.id}, which failed`;
      return;
    }
    // A `not tested` step with a reason was skipped (its situation never came); without one it is still ahead.
    const skipped = (s: CaseStep) => s.status === 'not tested' && s.reason !== undefined;
    if (c.steps.every((s) => s.status === 'passed' || skipped(s))) {
      c.status = c.steps.some((s) => s.status === 'passed') ? 'passed' : 'not tested';
      if (c.status === 'not tested') c.reason = c.steps.find((s) => s.reason)?.reason ?? 'not exercised';
      return;
    }
    c.status = c.steps.some((s) => s.status === 'pending' || s.status === 'passed') ? 'pending' : 'not tested';
  }
}
