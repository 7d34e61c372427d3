// Practice sessions in a series (PS1, PS2, … of one notice): a firm's outcome
// in each session, and which firms must retake. The rule is documented in
// src/desk/API.md ("Sessions in a series"); the tests in test/desk/series.test.ts.
import type { IntentionForm, OverallResult, PracticeSession, ResultForm, Subscriber } from './types.ts';

/**
 * A firm's outcome in one session: the verdict of its latest Appendix B, or why
 * there is none (`declined`: its latest Appendix A says it will not take part;
 * `no-result`: no Appendix B on file; `not-in-scope`: none of its identities is
 * in the session's services).
 */
export const SERIES_OUTCOMES = ['passed', 'passed-with-issues', 'failed', 'not-tested', 'no-result', 'declined', 'not-in-scope'] as const;
export type SeriesOutcome = (typeof SERIES_OUTCOMES)[number];

/** The outcomes that count as having passed a session. */
export const PASSING_OUTCOMES: readonly SeriesOutcome[] = ['passed', 'passed-with-issues'];

// Worst wins: a firm passed only when every section it reported passed.
const VERDICT_RANK: Record<OverallResult, number> = { passed: 0, 'passed-with-issues': 1, 'not-tested': 2, failed: 3 };

/** The verdict of a whole Appendix B: its worst section (passed < passed with issues < not tested < failed). */
export function resultVerdict(form: ResultForm): OverallResult {
  return worstResult(form.sections.map((s) => s.overall));
}

export function inScope(session: Pick<PracticeSession, 'services'>, subscriber: Pick<Subscriber, 'identities'>): boolean {
  return subscriber.identities.some((i) => session.services.includes(i.service));
}

/** What the outcome needs of a firm's latest forms in a session: present only for a form on file. */
export interface LatestForms {
  /** The latest Appendix A's answer to "we will participate". */
  participate?: boolean;
  /** The latest Appendix B's verdict (resultVerdict). */
  verdict?: OverallResult;
}

/** The outcome facts of full forms (the stores read them from the stored JSON instead, without parsing it here). */
export function formFacts(intention: IntentionForm | undefined, result: ResultForm | undefined): LatestForms {
  return { ...(intention ? { participate: intention.participate } : {}), ...(result ? { verdict: resultVerdict(result) } : {}) };
}

/** The worst of several section results, by the same order as resultVerdict; none: not tested. */
export function worstResult(results: readonly OverallResult[]): OverallResult {
  let worst: OverallResult | null = null;
  for (const r of results) if (worst === null || VERDICT_RANK[r] > VERDICT_RANK[worst]) worst = r;
  return worst ?? 'not-tested';
}

/** A firm's outcome in a session from its latest forms there (an Appendix B, when there is one, decides). */
export function sessionOutcome(
  session: Pick<PracticeSession, 'services'>,
  subscriber: Pick<Subscriber, 'identities'>,
  forms: LatestForms | undefined,
): SeriesOutcome {
  if (!inScope(session, subscriber)) return 'not-in-scope';
  if (forms?.verdict) return forms.verdict;
  if (forms?.participate === false) return 'declined';
  return 'no-result';
}

/** A session of a series as the desk lists it. */
export interface SeriesSessionRef {
  id: string;
  code: string;
  date: string;
  order: number;
}

/** A firm's outcome in one session of its series. */
export interface SeriesStanding extends SeriesSessionRef {
  outcome: SeriesOutcome;
}

/**
 * Retake: the firm was in scope of at least one session of the series before
 * `order`, and passed none of them (each failed, not tested, declined or
 * without an Appendix B). Sessions after `order` do not count.
 */
export function mustRetake(history: readonly Pick<SeriesStanding, 'order' | 'outcome'>[], order: number): boolean {
  const earlier = history.filter((h) => h.order < order && h.outcome !== 'not-in-scope');
  return earlier.length > 0 && !earlier.some((h) => PASSING_OUTCOMES.includes(h.outcome));
}

/** Each firm's outcome in every session of a series (sessions in series order). */
export function seriesHistory(
  sessions: readonly PracticeSession[],
  subscribers: readonly Subscriber[],
  formsOf: (sessionId: string, subscriberId: string) => LatestForms | undefined,
): Map<string, SeriesStanding[]> {
  const out = new Map<string, SeriesStanding[]>();
  for (const f of subscribers) {
    out.set(
      f.id,
      sessions.map((s) => {
        const forms = formsOf(s.id, f.id);
        return { id: s.id, code: s.code, date: s.date, order: s.series?.order ?? 0, outcome: sessionOutcome(s, f, forms) };
      }),
    );
  }
  return out;
}
