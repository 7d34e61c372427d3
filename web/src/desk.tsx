// The desk officer's screens (sessions, creating a session from a notice,
// importing subscribers, the live dashboard) and the session page both roles see.
import { useCallback, useContext, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Notice, PracticeSession, Service, User, FormVersion, IntentionForm, Subscriber } from '../../src/desk/domain/types.ts';
import type { LinkState } from '../../src/desk/domain/verification.ts';
import type { SeriesOutcome } from '../../src/desk/domain/series.ts';
import { NO_READINESS, type FirmReadiness } from '../../src/desk/domain/readiness.ts';
import { renderMessage } from '../../src/desk/domain/messages/index.ts';
import { api, ApiError, fieldMessages, errorText } from './api.ts';
import { Binding, CheckField, ErrorSummary, SelectField, TextArea, TextField, getIn, useServerText, type ServerText } from './fields.tsx';
import { hkDateTime, useI18n, type MessageKey } from './i18n.ts';
import { Link, navigate } from './nav.tsx';
import { ReminderPanel } from './reminders.tsx';
import { ContactLine } from './subscribers.tsx';

export const ALL_SERVICES: Service[] = ['OTP-C', 'OTP-CSC', 'OMD-C', 'OMD-CC'];

export function SessionList(props: { user: User }) {
  const { t } = useI18n();
  const [sessions, setSessions] = useState<PracticeSession[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ sessions: PracticeSession[] }>('GET', '/api/sessions').then(
      (r) => setSessions(r.sessions),
      (e: unknown) => setError(errorText(e, t)),
    );
  }, []);
  return (
    <main>
      <h1>{t('sessions')}</h1>
      {props.user.role === 'desk' ? (
        <p className="actions">
          <Link to="/sessions/new">{t('newSession')}</Link> <Link to="/subscribers/import">{t('importSubscribers')}</Link>
        </p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      {sessions === null ? (
        <p>{t('loading')}</p>
      ) : sessions.length === 0 ? (
        <p>{t('noSessions')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('code')}</th>
              <th scope="col">{t('date')}</th>
              <th scope="col">{t('services')}</th>
              <th scope="col">{t('intentionDeadline')}</th>
              <th scope="col">{t('resultDeadline')}</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  <Link to={`/sessions/${encodeURIComponent(s.id)}`}>
                    {s.code} ({s.id})
                  </Link>
                </th>
                <td>{s.date}</td>
                <td>{s.services.join(', ')}</td>
                <td>{hkDateTime(s.intentionDeadline, t)}</td>
                <td>{hkDateTime(s.resultDeadline, t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

interface CreateDraft {
  noticeChoice: string;
  notice: {
    id: string;
    references: string;
    titleEn: string;
    titleZh: string;
    issuedOn: string;
    issuer: { name: string; hotline: string; email: string };
    refersTo: string;
    englishPrevails: boolean;
    audience: string;
  };
  session: {
    id: string;
    code: string;
    date: string;
    participation: string;
    mandatoryFor: string;
    services: Record<string, boolean>;
    network: string;
    rundown: string;
    intentionDeadline: string;
    resultDeadline: string;
    series: SeriesDraft;
  };
}

export function CreateSession() {
  const { t, lang } = useI18n();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [draft, setDraft] = useState<CreateDraft>({
    noticeChoice: '',
    notice: {
      id: '',
      references: '',
      titleEn: '',
      titleZh: '',
      issuedOn: '',
      issuer: { name: 'Hosting Services Desk', hotline: '', email: '' },
      refersTo: '',
      englishPrevails: true,
      audience: '',
    },
    session: {
      id: '',
      code: 'PS1',
      date: '',
      participation: 'optional',
      mandatoryFor: '',
      services: Object.fromEntries(ALL_SERVICES.map((s) => [s, true])),
      network: 'HSN',
      rundown: '',
      intentionDeadline: '',
      resultDeadline: '',
      series: { id: '', order: '' },
    },
  });
  const [errors, setErrors] = useState<Record<string, ServerText>>({});
  const [general, setGeneral] = useState<string | null>(null);
  useEffect(() => {
    api<{ notices: Notice[] }>('GET', '/api/notices').then(
      (r) => {
        setNotices(r.notices);
        setDraft((d) => ({ ...d, noticeChoice: r.notices[0]?.id ?? '' }));
      },
      () => {},
    );
  }, []);
  const set = useCallback(
    (path: string, v: unknown) =>
      setDraft((d) => {
        const parts = path.split('.');
        const copy = structuredClone(d) as unknown as Record<string, Record<string, unknown>>;
        let cur: Record<string, unknown> = copy;
        for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
        cur[parts.at(-1)!] = v;
        return copy as unknown as CreateDraft;
      }),
    [],
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setGeneral(null);
    let noticeId: string | null = draft.noticeChoice || null;
    if (draft.noticeChoice === '__new') {
      const n = draft.notice;
      const body: Notice = {
        id: n.id,
        references: n.references
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
        titleEn: n.titleEn,
        titleZh: n.titleZh,
        issuedOn: n.issuedOn,
        issuer: n.issuer,
        refersTo: n.refersTo
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .map((l) => {
            const [reference = '', title = '', issuer = '', date = ''] = l.split('|').map((x) => x.trim());
            return { reference, title, issuer, date };
          }),
        englishPrevails: n.englishPrevails,
        ...(n.audience ? { audience: n.audience } : {}),
      };
      try {
        await api('POST', '/api/notices', body);
      } catch (err) {
        // refersTo[i].x and references[i] are typed as lines / a list here: show them on that field.
        const fe = fieldMessages(err, 'notice.');
        const mapped: Record<string, ServerText> = {};
        for (const [k, m] of Object.entries(fe)) mapped[k.replace(/^notice\.(refersTo|references)\[.*$/, 'notice.$1')] ??= m;
        setErrors(mapped);
        if (!Object.keys(mapped).length) setGeneral(errorText(err, t, lang));
        return;
      }
      noticeId = n.id;
      // The notice is stored now: a retry after a session error reuses it rather than creating it again.
      const list = await api<{ notices: Notice[] }>('GET', '/api/notices').catch(() => ({ notices }));
      setNotices(list.notices);
      setDraft((d) => ({ ...d, noticeChoice: n.id }));
    }
    const s = draft.session;
    const body = {
      id: s.id,
      code: s.code,
      noticeId,
      date: s.date,
      participation: s.participation,
      mandatoryFor: s.participation === 'mandatory' ? s.mandatoryFor : null,
      services: ALL_SERVICES.filter((x) => s.services[x]),
      network: s.network,
      rundown: s.rundown,
      intentionDeadline: s.intentionDeadline,
      resultDeadline: s.resultDeadline,
      series: seriesBody(s.series),
    };
    try {
      const r = await api<{ session: PracticeSession }>('POST', '/api/sessions', body);
      navigate(`/sessions/${encodeURIComponent(r.session.id)}`);
    } catch (err) {
      const fe = fieldMessages(err, 'session.');
      const mapped: Record<string, ServerText> = {};
      for (const [k, m] of Object.entries(fe)) mapped[k.replace(/^session\.services\[.*$/, 'session.services')] ??= m;
      setErrors(mapped);
      if (!Object.keys(mapped).length) setGeneral(errorText(err, t, lang));
    }
  }

  const n = draft.noticeChoice === '__new';
  return (
    <main>
      <p>
        <Link to="/">{t('back')}</Link>
      </p>
      <h1>{t('newSession')}</h1>
      <ErrorSummary errors={errors} general={general} />
      <form onSubmit={submit} noValidate>
        <Binding.Provider value={{ value: draft, set, errors }}>
          <fieldset>
            <legend>{t('notice')}</legend>
            <SelectField
              path="noticeChoice"
              label={t('existingNotice')}
              options={[...notices.map((x) => ({ value: x.id, label: `${x.references.join(', ')} ${x.titleEn}` })), { value: '__new', label: t('newNotice') }]}
            />
            {n ? (
              <>
                <TextField path="notice.id" label="Id" />
                <TextField path="notice.references" label={t('noticeReferences')} />
                <TextField path="notice.titleEn" label={t('noticeTitleEn')} />
                <TextField path="notice.titleZh" label={t('noticeTitleZh')} />
                <TextField path="notice.issuedOn" label={t('issuedOn')} type="date" />
                <TextField path="notice.issuer.name" label={t('issuerName')} />
                <TextField path="notice.issuer.hotline" label={t('issuerHotline')} />
                <TextField path="notice.issuer.email" label={t('issuerEmail')} type="email" />
                <TextArea path="notice.refersTo" label={t('refersTo')} rows={3} />
                <TextField path="notice.audience" label={t('audience')} />
                <CheckField path="notice.englishPrevails" label={t('englishPrevails')} />
              </>
            ) : null}
          </fieldset>
          <fieldset>
            <legend>{t('sessions')}</legend>
            <TextField path="session.id" label={t('sessionId')} placeholder="ps1-2026" />
            <SessionFields rundownRows={8} onRundownFile={(text) => set('session.rundown', text)} />
          </fieldset>
        </Binding.Provider>
        <button type="submit">{t('create')}</button>
      </form>
    </main>
  );
}

/** A session's place in a series as typed: both empty for a session on its own. */
export interface SeriesDraft {
  id: string;
  order: string;
}

export function seriesDraft(s: PracticeSession): SeriesDraft {
  return s.series ? { id: s.series.id, order: String(s.series.order) } : { id: '', order: '' };
}

/** The series as the API takes it; a number that is not one goes as typed, for the server to name the field. */
export function seriesBody(d: SeriesDraft): { id: string; order: number | string } | null {
  const id = d.id.trim(),
    order = d.order.trim();
  if (!id && !order) return null;
  return { id, order: /^[0-9]+$/.test(order) ? Number(order) : order };
}

/** A practice session's fields, for creating and editing one, inside a Binding of `{ session: … }`. */
export function SessionFields(props: { rundownRows: number; onRundownFile?: (text: string) => void }) {
  const { t } = useI18n();
  const serverText = useServerText();
  const b = useContext(Binding);
  const onFile = props.onRundownFile;
  return (
    <>
      <TextField path="session.code" label={t('sessionCode')} />
      <TextField path="session.date" label={t('sessionDate')} type="date" />
      <SelectField
        path="session.participation"
        label={t('participation')}
        options={[
          { value: 'optional', label: t('optional') },
          { value: 'mandatory', label: t('mandatory') },
        ]}
      />
      {getIn(b.value, 'session.participation') === 'mandatory' ? <TextField path="session.mandatoryFor" label={t('mandatoryFor')} /> : null}
      <fieldset className="field" data-path="session.services">
        <legend>{t('services')}</legend>
        {ALL_SERVICES.map((s) => (
          <CheckField key={s} path={`session.services.${s}`} label={s} />
        ))}
        {b.errors['session.services'] ? (
          <div className="field-error" role="alert">
            {serverText(b.errors['session.services'])}
          </div>
        ) : null}
      </fieldset>
      <TextField path="session.network" label={t('network')} />
      <fieldset className="field" data-path="session.series">
        <legend>{t('series')}</legend>
        <TextField path="session.series.id" label={t('seriesId')} placeholder="fw-upgrade-2026" />
        <TextField path="session.series.order" label={t('seriesOrder')} type="number" />
      </fieldset>
      <TextField path="session.intentionDeadline" label={`${t('intentionDeadline')} (${t('deadlineHint')})`} type="datetime-local" />
      <TextField path="session.resultDeadline" label={`${t('resultDeadline')} (${t('deadlineHint')})`} type="datetime-local" />
      {onFile ? (
        <div className="field">
          <label htmlFor="rundown-file">{t('rundownUpload')}</label>
          <input
            id="rundown-file"
            type="file"
            accept=".yaml,.yml,.txt,text/plain"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (f) onFile(await f.text());
            }}
          />
        </div>
      ) : null}
      <TextArea path="session.rundown" label={t('rundown')} rows={props.rundownRows} />
    </>
  );
}

export function ImportSubscribers() {
  const { t, lang } = useI18n();
  const serverText = useServerText();
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  return (
    <main>
      <p>
        <Link to="/">{t('back')}</Link>
      </p>
      <h1>{t('importSubscribers')}</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setResult(null);
          setError(null);
          try {
            const r = await api<{ imported: number; created: number; updated: number }>('POST', '/api/subscribers/import', csv, 'text/csv');
            setResult(t('importedResult', r));
          } catch (err) {
            setError(err as Error);
          }
        }}
      >
        <div className="field">
          <label htmlFor="csv-file">{t('csvFile')}</label>
          <input
            id="csv-file"
            type="file"
            accept=".csv,text/csv"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (f) setCsv(await f.text());
            }}
          />
        </div>
        <div className={`field${error ? ' has-error' : ''}`}>
          <label htmlFor="csv-text">{t('csvText')}</label>
          <textarea id="csv-text" rows={10} value={csv} onChange={(e) => setCsv(e.target.value)} aria-describedby={error ? 'csv-errors' : undefined} />
          {error ? (
            <div id="csv-errors" className="field-error" role="alert">
              {error instanceof ApiError && error.issues.length ? (
                <ul>
                  {error.issues.map((i) => (
                    <li key={i.field + i.message}>{serverText(i.text ?? i.message)}</li>
                  ))}
                </ul>
              ) : (
                <p>{errorText(error, t, lang)}</p>
              )}
            </div>
          ) : null}
        </div>
        <button type="submit">{t('import')}</button>
      </form>
      {result ? <p role="status">{result}</p> : null}
    </main>
  );
}

type CellState = LinkState | 'not-in-scope';
interface FormMark {
  version: number;
  submittedAt: string;
  late: boolean;
}
interface Dashboard {
  session: { id: string; code: string; date: string; services: Service[]; intentionDeadline: string; resultDeadline: string };
  rows: {
    subscriber: { id: string; name: string; participantCode: string };
    cells: Record<string, CellState>;
    intention: FormMark | null;
    result: FormMark | null;
    contradictions: number;
    evidenceCount: number;
    /** What backs each cell and whether the firm declined (latest Appendix A); older desks leave them out. */
    provenance?: Record<string, 'venue' | 'self-reported' | 'none'>;
    declined?: boolean;
    /** The firm's outcome in each session of the series, and whether it retakes this one. */
    series?: { session: string; outcome: SeriesOutcome }[];
    retake?: boolean;
    /** The firm's readiness check before the session, and the flag when it will take part without passing one. */
    readiness?: FirmReadiness;
    notReady?: boolean;
  }[];
  declined?: number;
  series?: { id: string; sessions: { id: string; code: string; date: string; order: number }[] } | null;
  retake?: number;
  readiness?: { passed: number; failed: number; none: number };
  notReady?: number;
  missing: { intention: number; result: number };
  late: { intention: number; result: number };
}

function NoticeBlock(props: { session: PracticeSession; notice: Notice | null }) {
  const { t, lang } = useI18n();
  const { session, notice } = props;
  return (
    <section aria-labelledby="notice-h" className="notice">
      {notice ? (
        <>
          <p className="refs">
            {notice.references.join(' · ')} · {notice.issuedOn}
          </p>
          <h1 id="notice-h">{lang === 'zh-Hant' ? notice.titleZh : notice.titleEn}</h1>
          <p className="alt-title" lang={lang === 'zh-Hant' ? 'en' : 'zh-Hant'}>
            {lang === 'zh-Hant' ? notice.titleEn : notice.titleZh}
          </p>
          <p>
            {t('issuedBy')}: {notice.issuer.name} · {notice.issuer.hotline} · <a href={`mailto:${notice.issuer.email}`}>{notice.issuer.email}</a>
          </p>
          {notice.refersTo.length ? (
            <ul className="refers">
              {notice.refersTo.map((r) => (
                <li key={r.reference}>
                  {r.reference} — {r.title} ({r.issuer}, {r.date})
                </li>
              ))}
            </ul>
          ) : null}
          {notice.englishPrevails ? <p className="small">{t('englishPrevailsNote')}</p> : null}
        </>
      ) : (
        <h1 id="notice-h">{session.code}</h1>
      )}
      <dl className="facts">
        <dt>{t('code')}</dt>
        <dd>
          {session.code} ({session.id})
        </dd>
        <dt>{t('date')}</dt>
        <dd>{session.date}</dd>
        <dt>{t('participation')}</dt>
        <dd>
          {t(session.participation)}
          {session.mandatoryFor ? ` — ${session.mandatoryFor}` : ''}
        </dd>
        <dt>{t('services')}</dt>
        <dd>
          {session.services.join(', ')} ({session.network})
        </dd>
        <dt>{t('intentionDeadline')}</dt>
        <dd>{hkDateTime(session.intentionDeadline, t)}</dd>
        <dt>{t('resultDeadline')}</dt>
        <dd>{hkDateTime(session.resultDeadline, t)}</dd>
      </dl>
      <details>
        <summary>{t('rundown')}</summary>
        <pre className="rundown">{session.rundown}</pre>
      </details>
    </section>
  );
}

/** A firm's outcome in each session of the series, this session's in bold. */
export function SeriesHistory(props: {
  series: { sessions: { id: string; code: string }[] };
  row: { session: string; outcome: SeriesOutcome }[];
  current: string;
}) {
  const { lang, t } = useI18n();
  const outcome = new Map(props.row.map((x) => [x.session, x.outcome]));
  return (
    <ol className="series-list">
      {props.series.sessions.map((s) => {
        const o = outcome.get(s.id) ?? 'not-in-scope';
        const text = `${s.code}: ${renderMessage({ code: `series.outcome.${o}` }, lang)}`;
        return (
          <li key={s.id} data-series-session={s.id} data-outcome={o} className={`outcome ${o}`}>
            {s.id === props.current ? <strong title={t('thisSession')}>{text}</strong> : text}
          </li>
        );
      })}
    </ol>
  );
}

/** The readiness column: the state of the latest checks, and the checks that failed in the latest run. */
function ReadinessCell(props: { readiness: FirmReadiness }) {
  const { t } = useI18n();
  const r = props.readiness;
  return (
    <>
      <span className={`badge readiness ${r.state}`}>{t(`readiness.${r.state}`)}</span>
      {r.at ? (
        <>
          <br />
          <span className="small">{t('readinessAt', { at: hkDateTime(r.at, t) })}</span>
        </>
      ) : null}
      {r.state !== 'passed' && r.failed.length ? (
        <details className="readiness-failed">
          <summary>
            {t('readinessFailedChecks')} ({r.failed.length})
          </summary>
          <ul>
            {r.failed.map((f, i) => (
              <li key={i}>{f}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

function FormStatus(props: { mark: FormMark | null }) {
  const { t } = useI18n();
  if (!props.mark) return <span className="badge missing">{t('missing')}</span>;
  return (
    <span className={`badge ${props.mark.late ? 'late' : 'ok'}`} title={hkDateTime(props.mark.submittedAt, t)}>
      v{props.mark.version} {props.mark.late ? t('late') : t('returned')}
    </span>
  );
}

function DeskDashboard(props: { sessionId: string }) {
  const { t } = useI18n();
  const [dash, setDash] = useState<Dashboard | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [intentions, setIntentions] = useState<IntentionRow[]>([]);
  const timer = useRef<number | null>(null);
  const sid = encodeURIComponent(props.sessionId);
  const load = useCallback(() => {
    api<Dashboard>('GET', `/api/sessions/${sid}/dashboard`).then(
      (d) => {
        setDash(d);
        setError(null);
      },
      (e: unknown) => setError(errorText(e, t)),
    );
    api<{ rows: IntentionRow[] }>('GET', `/api/sessions/${sid}/intentions`).then(
      (r) => setIntentions(r.rows),
      () => {},
    );
  }, [sid]);
  useEffect(() => {
    load();
    // Server-sent events: refetch on every update, and after a reconnect (nothing is replayed).
    const es = new EventSource(`/api/sessions/${sid}/live`, { withCredentials: true });
    const soon = () => {
      if (timer.current === null)
        timer.current = window.setTimeout(() => {
          timer.current = null;
          load();
        }, 150);
    };
    es.addEventListener('hello', () => {
      setLive(true);
      soon();
    });
    es.addEventListener('evidence', soon);
    es.addEventListener('form', soon);
    es.onerror = () => setLive(false);
    return () => {
      es.close();
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [sid, load]);

  if (!dash) return <p>{error ?? t('loading')}</p>;
  // Fallback while the dashboard does not say who declined: the latest Appendix A does.
  const declinedByForm = new Set(intentions.filter((r) => r.declined).map((r) => r.subscriber.id));
  const declined = (r: Dashboard['rows'][number]) => r.declined ?? declinedByForm.has(r.subscriber.id);
  const declinedCount = dash.declined ?? dash.rows.filter(declined).length;
  const names = Object.fromEntries(dash.rows.map((r) => [r.subscriber.id, r.subscriber.name]));
  return (
    <section aria-labelledby="dash-h">
      <h2 id="dash-h">
        {t('dashboard')}{' '}
        <span className={`live ${live ? 'on' : 'off'}`} role="status">
          {live ? t('live') : t('reconnecting')}
        </span>
      </h2>
      <ul className="counts">
        <li data-count="missing-intention">
          {t('appendixA')} — {t('missingCount')}: <strong>{dash.missing.intention}</strong>, {t('lateCount')}: <strong>{dash.late.intention}</strong>
        </li>
        <li data-count="missing-result">
          {t('appendixB')} — {t('missingCount')}: <strong>{dash.missing.result}</strong>, {t('lateCount')}: <strong>{dash.late.result}</strong>
        </li>
        <li data-count="declined">
          {t('declinedCount')}: <strong>{declinedCount}</strong>
        </li>
        {dash.series ? (
          <li data-count="retake">
            {t('retakeCount')}: <strong>{dash.retake ?? 0}</strong>
          </li>
        ) : null}
        {dash.readiness ? <li data-count="readiness">{t('readinessCounts', dash.readiness)}</li> : null}
        {dash.readiness ? (
          <li data-count="not-ready">
            {t('notReadyCount')}: <strong>{dash.notReady ?? 0}</strong>
          </li>
        ) : null}
      </ul>
      <div className="table-wrap">
        <table className="dashboard">
          <thead>
            <tr>
              <th scope="col">{t('subscriber')}</th>
              {dash.session.services.map((s) => (
                <th scope="col" key={s}>
                  {s}
                </th>
              ))}
              {dash.series ? <th scope="col">{t('seriesHistory')}</th> : null}
              {dash.readiness ? <th scope="col">{t('readiness')}</th> : null}
              <th scope="col">{t('appendixA')}</th>
              <th scope="col">{t('appendixB')}</th>
              <th scope="col">{t('contradictions')}</th>
              <th scope="col">{t('evidence')}</th>
              <th scope="col">{t('exports')}</th>
            </tr>
          </thead>
          <tbody>
            {dash.rows.map((r) => {
              const base = `/sessions/${sid}/forms`;
              const sub = encodeURIComponent(r.subscriber.id);
              return (
                <tr
                  key={r.subscriber.id}
                  data-subscriber={r.subscriber.id}
                  data-declined={String(declined(r))}
                  className={[r.contradictions ? 'flagged' : '', declined(r) ? 'declined' : ''].join(' ').trim() || undefined}
                >
                  <th scope="row">
                    <Link to={`/subscribers/${sub}`}>{r.subscriber.name}</Link>
                    <br />
                    <span className="small">{r.subscriber.participantCode}</span>
                    {declined(r) ? (
                      <>
                        {' '}
                        <span className="badge declined">{t('declined')}</span>
                      </>
                    ) : null}
                    {r.retake ? (
                      <>
                        {' '}
                        <span className="badge retake" data-retake title={t('retakeTitle')}>
                          {t('retake')}
                        </span>
                      </>
                    ) : null}
                    {r.notReady ? (
                      <>
                        {' '}
                        <span className="badge not-ready" data-not-ready title={t('notReadyTitle')}>
                          {t('notReady')}
                        </span>
                      </>
                    ) : null}
                  </th>
                  {dash.session.services.map((s) => {
                    const st = r.cells[s] ?? 'not-in-scope';
                    const self = r.provenance?.[s] === 'self-reported';
                    return (
                      <td key={s} data-service={s} data-state={st} data-provenance={r.provenance?.[s]} className={`cell ${st}`}>
                        {t(`state.${st}` as MessageKey)}
                        {self ? (
                          <>
                            {' '}
                            <span className="badge self-reported" title={t('selfReportedTitle')}>
                              {t('selfReported')}
                            </span>
                          </>
                        ) : null}
                      </td>
                    );
                  })}
                  {dash.series ? (
                    <td className="series-history">
                      <SeriesHistory series={dash.series} row={r.series ?? []} current={dash.session.id} />
                    </td>
                  ) : null}
                  {dash.readiness ? (
                    <td data-readiness={r.readiness?.state ?? 'none'}>
                      <ReadinessCell readiness={r.readiness ?? NO_READINESS} />
                    </td>
                  ) : null}
                  <td data-form="intention">
                    <Link to={`${base}/intention/${sub}`}>
                      <FormStatus mark={r.intention} />
                    </Link>
                  </td>
                  <td data-form="result">
                    <Link to={`${base}/result/${sub}`}>
                      <FormStatus mark={r.result} />
                    </Link>
                  </td>
                  <td data-contradictions={r.contradictions} className={r.contradictions ? 'contradiction' : undefined}>
                    {r.contradictions ? (
                      <Link to={`${base}/result/${sub}`}>
                        <strong>⚠ {r.contradictions}</strong>
                      </Link>
                    ) : (
                      '0'
                    )}
                  </td>
                  <td>
                    {r.evidenceCount} {t('events')}
                  </td>
                  <td className="links">
                    {r.intention ? (
                      <>
                        <a href={`/api/sessions/${sid}/forms/intention/${sub}/pdf`} download>
                          {t('appendixA')} {t('pdf')}
                        </a>{' '}
                      </>
                    ) : null}
                    {r.result ? (
                      <>
                        <a href={`/api/sessions/${sid}/forms/result/${sub}/pdf`} download>
                          {t('appendixB')} {t('pdf')}
                        </a>{' '}
                      </>
                    ) : null}
                    <a href={`/api/sessions/${sid}/subscribers/${sub}/evidence-bundle.tar`} download>
                      {t('bundle')}
                    </a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="actions">
        <a className="button" href={`/api/sessions/${sid}/export/results.csv`} download>
          {t('exportCsv')}
        </a>
        <a className="button" href={`/api/sessions/${sid}/export/intentions.csv`} download>
          {t('exportAppendixA')}
        </a>
        {dash.retake ? (
          <>
            <a className="button" href={`/api/sessions/${sid}/export/results.csv?only=retake`} download>
              {t('exportCsvRetake')}
            </a>
            <a className="button" href={`/api/sessions/${sid}/export/intentions.csv?only=retake`} download>
              {t('exportAppendixARetake')}
            </a>
          </>
        ) : null}
        {dash.notReady ? (
          <a className="button" href={`/api/sessions/${sid}/export/intentions.csv?only=not-ready`} download>
            {t('exportAppendixANotReady')}
          </a>
        ) : null}
      </p>
      <WhoToCall rows={intentions} />
      <ReminderPanel
        key={`${dash.missing.intention}/${dash.missing.result}/${declinedCount}/${dash.retake ?? 0}/${dash.notReady ?? 0}`}
        sessionId={props.sessionId}
        names={names}
        retake={(dash.retake ?? 0) > 0}
        notReady={(dash.notReady ?? 0) > 0}
      />
      <BundleCheck />
    </section>
  );
}

interface IntentionRow {
  subscriber: Pick<Subscriber, 'id' | 'name' | 'participantCode' | 'contacts'>;
  latest: FormVersion<IntentionForm> | null;
  declined: boolean;
}

/** Appendix A at a glance: who takes part and whom to call on the day, beside the firm's own contacts. */
function WhoToCall(props: { rows: IntentionRow[] }) {
  const { t } = useI18n();
  if (!props.rows.length) return null;
  return (
    <section aria-labelledby="call-h">
      <h2 id="call-h">{t('whoToCall')}</h2>
      <div className="table-wrap">
        <table className="who-to-call">
          <thead>
            <tr>
              <th scope="col">{t('subscriber')}</th>
              <th scope="col">{t('takesPart')}</th>
              <th scope="col">{t('contactOnDay')}</th>
              <th scope="col">{t('alternateContact')}</th>
              <th scope="col">{t('firmContacts')}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => {
              const f = r.latest?.content;
              const day = (c: { name: string; mobile: string; email: string }) => (
                <>
                  {c.name} · <a href={`tel:${c.mobile.replace(/[^+0-9]/g, '')}`}>{c.mobile}</a> · <a href={`mailto:${c.email}`}>{c.email}</a>
                </>
              );
              return (
                <tr key={r.subscriber.id} data-call={r.subscriber.id}>
                  <th scope="row">
                    <Link to={`/subscribers/${encodeURIComponent(r.subscriber.id)}`}>{r.subscriber.name}</Link>
                  </th>
                  <td>
                    {!f ? (
                      <span className="badge missing">{t('missing')}</span>
                    ) : f.participate ? (
                      t('yes')
                    ) : (
                      <span className="badge declined">{t('declined')}</span>
                    )}
                  </td>
                  <td>{f ? day(f.contactOnDay) : '—'}</td>
                  <td>{f ? day(f.alternateContact) : '—'}</td>
                  <td className="small">
                    <ContactLine contact={r.subscriber.contacts.primary} />
                    {r.subscriber.contacts.alternate ? (
                      <>
                        <br />
                        <ContactLine contact={r.subscriber.contacts.alternate} />
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface BundleResult {
  ok: boolean;
  altered: string[];
  missing: string[];
  unlisted: string[];
  issuedByThisDesk: boolean;
  exportedAt?: string;
  problem?: string;
}

/** An evidence bundle handed back: every file against its manifest, the manifest against the desk's export log. */
function BundleCheck() {
  const { t } = useI18n();
  const [result, setResult] = useState<BundleResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="bundle-h" className="bundle-check">
      <h2 id="bundle-h">{t('verifyBundle')}</h2>
      <div className={`field${error ? ' has-error' : ''}`}>
        <label htmlFor="bundle-file">{t('bundleFile')}</label>
        <input
          id="bundle-file"
          type="file"
          accept=".tar,application/x-tar"
          aria-describedby={error ? 'bundle-err' : undefined}
          onChange={async (e) => {
            const f = e.target.files?.[0];
            setResult(null);
            setError(null);
            if (!f) return;
            try {
              setResult(await api<BundleResult>('POST', '/api/evidence-bundles/verify', f, 'application/x-tar'));
            } catch (err) {
              setError(errorText(err, t));
            }
          }}
        />
        {error ? (
          <div id="bundle-err" className="field-error" role="alert">
            {error}
          </div>
        ) : null}
      </div>
      {result ? (
        <div role="status" className={`banner ${result.ok ? 'ok' : 'contradiction'}`} data-bundle-ok={String(result.ok)}>
          <strong>{result.ok ? t('bundleIntact') : t('bundleAltered')}</strong>
          {result.exportedAt ? (
            <>
              {' '}
              — {t('exportedAt')} {hkDateTime(result.exportedAt, t)}
            </>
          ) : null}
          {!result.issuedByThisDesk ? <p>{t('bundleNotIssued')}</p> : null}
          {result.altered.length ? (
            <p>
              {t('bundleChanged')}: {result.altered.join(', ')}
            </p>
          ) : null}
          {result.missing.length ? (
            <p>
              {t('bundleMissing')}: {result.missing.join(', ')}
            </p>
          ) : null}
          {result.unlisted.length ? (
            <p>
              {t('bundleUnlisted')}: {result.unlisted.join(', ')}
            </p>
          ) : null}
          {result.problem ? <p>{result.problem}</p> : null}
        </div>
      ) : null}
    </section>
  );
}

function SubscriberForms(props: { sessionId: string; subscriberId: string }) {
  const { t } = useI18n();
  const sid = encodeURIComponent(props.sessionId),
    sub = encodeURIComponent(props.subscriberId);
  const [marks, setMarks] = useState<Record<string, { latest: FormVersion | null; deadline: string } | null>>({});
  useEffect(() => {
    for (const kind of ['intention', 'result']) {
      api<{ latest: FormVersion | null; deadline: string }>('GET', `/api/sessions/${sid}/forms/${kind}/${sub}`).then(
        (r) => setMarks((m) => ({ ...m, [kind]: r })),
        () => {},
      );
    }
  }, [sid, sub]);
  return (
    <section aria-labelledby="forms-h">
      <h2 id="forms-h">{t('yourForms')}</h2>
      <ul className="form-links">
        {(['intention', 'result'] as const).map((kind) => {
          const m = marks[kind];
          return (
            <li key={kind}>
              <Link to={`/sessions/${sid}/forms/${kind}/${sub}`}>{kind === 'intention' ? t('appendixATitle') : t('appendixBTitle')}</Link>{' '}
              {m ? <FormStatus mark={m.latest} /> : null}{' '}
              {m ? (
                <span className="small">
                  {t('deadlineOpen')} {hkDateTime(m.deadline, t)}
                </span>
              ) : null}{' '}
              {m?.latest ? (
                <a href={`/api/sessions/${sid}/forms/${kind}/${sub}/pdf`} download>
                  {t('pdf')}
                </a>
              ) : null}
            </li>
          );
        })}
        <li>
          <a href={`/api/sessions/${sid}/subscribers/${sub}/evidence-bundle.tar`} download>
            {t('bundle')}
          </a>
        </li>
      </ul>
    </section>
  );
}

export function SessionPage(props: { user: User; sessionId: string }) {
  const { t } = useI18n();
  const [data, setData] = useState<{ session: PracticeSession; notice: Notice | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ session: PracticeSession; notice: Notice | null }>('GET', `/api/sessions/${encodeURIComponent(props.sessionId)}`).then(setData, (e: unknown) =>
      setError(errorText(e, t)),
    );
  }, [props.sessionId]);
  if (error)
    return (
      <main>
        <p role="alert">{error}</p>
      </main>
    );
  if (!data)
    return (
      <main>
        <p>{t('loading')}</p>
      </main>
    );
  return (
    <main>
      <p>
        <Link to="/">{t('back')}</Link>
      </p>
      {new URLSearchParams(location.search).has('saved') ? <p role="status">{t('sessionSaved')}</p> : null}
      <NoticeBlock session={data.session} notice={data.notice} />
      {props.user.role === 'desk' ? (
        <p className="actions">
          <Link to={`/sessions/${encodeURIComponent(props.sessionId)}/edit`}>{t('editSession')}</Link>
          <Link to={`/audit?entity=session&entityId=${encodeURIComponent(props.sessionId)}`}>{t('sessionAudit')}</Link>
        </p>
      ) : null}
      {props.user.role === 'desk' ? (
        <DeskDashboard sessionId={props.sessionId} />
      ) : props.user.subscriberId ? (
        <SubscriberForms sessionId={props.sessionId} subscriberId={props.user.subscriberId} />
      ) : null}
    </main>
  );
}
