// A session's series as the dashboard, the reminders and the exports read it:
// every firm's outcome in each session of the series and who must retake, from
// a fixed number of reads (the series' sessions, then the latest forms of all
// of them at once), whatever the number of firms.
import {
  mustRetake,
  seriesHistory,
  type LatestForms,
  type PracticeSession,
  type SeriesSessionRef,
  type SeriesStanding,
  type Subscriber,
} from './domain/index.ts';
import type { DeskStore, LatestFormFacts } from './store/index.ts';

export interface SeriesView {
  id: string;
  /** Every session of the series, in order (this one included). */
  sessions: SeriesSessionRef[];
}

export interface SeriesStandings {
  /** Null when the session is on its own. */
  series: SeriesView | null;
  /** Per firm: its outcome in every session of the series. */
  history: Map<string, SeriesStanding[]>;
  /** The firms in scope of this session to mark "retake" in it (see mustRetake). */
  retake: Set<string>;
}

const key = (session: string, firm: string) => `${session}\u0000${firm}`;

function byFirmAndSession(rows: readonly LatestFormFacts[]): Map<string, LatestForms> {
  const out = new Map<string, LatestForms>();
  for (const r of rows) {
    const k = key(r.sessionId, r.subscriberId);
    let f = out.get(k);
    if (!f) out.set(k, (f = {}));
    if (r.participate !== undefined) f.participate = r.participate;
    if (r.verdict !== undefined) f.verdict = r.verdict;
  }
  return out;
}

/**
 * The series standings for `session`. `current` passes the facts of this
 * session's latest forms when the caller has read them already (the
 * dashboard), so they are not read twice.
 */
export async function seriesStandings(
  store: DeskStore,
  session: PracticeSession,
  subscribers: readonly Subscriber[],
  current?: readonly LatestFormFacts[],
): Promise<SeriesStandings> {
  const place = session.series ?? null;
  if (!place) return { series: null, history: new Map(), retake: new Set() };
  const sessions = await store.listSeriesSessions(place.id);
  // The stored row may lag a caller holding an edited session: this one as given.
  const mine = sessions.findIndex((s) => s.id === session.id);
  if (mine >= 0) sessions[mine] = session;
  else sessions.push(session);
  sessions.sort((a, b) => (a.series?.order ?? 0) - (b.series?.order ?? 0));
  const read = current ? sessions.filter((s) => s.id !== session.id) : sessions;
  const forms = byFirmAndSession([...(await store.latestFormFacts({ sessions: read.map((s) => s.id) })), ...(current ?? [])]);
  const history = seriesHistory(sessions, subscribers, (s, f) => forms.get(key(s, f)));
  const retake = new Set<string>();
  for (const [firm, h] of history) {
    // Only a firm this session is for can retake in it.
    if (h.find((x) => x.id === session.id)?.outcome !== 'not-in-scope' && mustRetake(h, place.order)) retake.add(firm);
  }
  return {
    series: { id: place.id, sessions: sessions.map((s) => ({ id: s.id, code: s.code, date: s.date, order: s.series?.order ?? 0 })) },
    history,
    retake,
  };
}

/** One session in a firm's history: its outcome there, and whether it was marked to retake it. */
export interface FirmSessionStanding {
  session: { id: string; code: string; date: string; series: { id: string; order: number } | null };
  outcome: SeriesStanding['outcome'];
  retake: boolean;
}

/**
 * A firm's outcome in every session the desk holds, series by series (each in
 * order), then the sessions on their own by date: two reads in all.
 */
export async function firmHistory(store: DeskStore, subscriber: Subscriber): Promise<FirmSessionStanding[]> {
  const sessions = await store.listSessions();
  const forms = byFirmAndSession(await store.latestFormFacts({ subscriber: subscriber.id }));
  const bySeries = new Map<string, PracticeSession[]>();
  const alone: PracticeSession[] = [];
  for (const s of sessions) {
    if (!s.series) {
      alone.push(s);
      continue;
    }
    let l = bySeries.get(s.series.id);
    if (!l) bySeries.set(s.series.id, (l = []));
    l.push(s);
  }
  const out: FirmSessionStanding[] = [];
  for (const id of [...bySeries.keys()].sort()) {
    const list = bySeries.get(id)!.sort((a, b) => a.series!.order - b.series!.order);
    const h = seriesHistory(list, [subscriber], (s, f) => forms.get(key(s, f))).get(subscriber.id)!;
    h.forEach((x, i) =>
      out.push({
        session: { id: x.id, code: x.code, date: x.date, series: list[i]!.series! },
        outcome: x.outcome,
        retake: x.outcome !== 'not-in-scope' && mustRetake(h, x.order),
      }),
    );
  }
  alone.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1));
  for (const s of alone) {
    const h = seriesHistory([s], [subscriber], (x, f) => forms.get(key(x, f))).get(subscriber.id)!;
    out.push({ session: { id: s.id, code: s.code, date: s.date, series: null }, outcome: h[0]!.outcome, retake: false });
  }
  return out;
}
