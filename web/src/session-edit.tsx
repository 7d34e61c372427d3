// A desk officer edits a session: extends a deadline, changes the rundown or
// the other facts. The desk audits each change with its value before and after.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { PracticeSession } from '../../src/desk/domain/types.ts';
import { api, fieldMessages } from './api.ts';
import { Binding, ErrorSummary, setIn, type ServerText } from './fields.tsx';
import { hkLocalInput, useI18n } from './i18n.ts';
import { Link, navigate } from './nav.tsx';
import { ALL_SERVICES, SessionFields, seriesBody, seriesDraft, type SeriesDraft } from './desk.tsx';
import { serverText } from './server-text.ts';

interface Draft {
  session: {
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

function draftOf(s: PracticeSession): Draft {
  return {
    session: {
      code: s.code,
      date: s.date,
      participation: s.participation,
      mandatoryFor: s.mandatoryFor ?? '',
      network: s.network,
      rundown: s.rundown,
      services: Object.fromEntries(ALL_SERVICES.map((x) => [x, s.services.includes(x)])),
      intentionDeadline: hkLocalInput(s.intentionDeadline),
      resultDeadline: hkLocalInput(s.resultDeadline),
      series: seriesDraft(s),
    },
  };
}

export function SessionEditPage(props: { sessionId: string }) {
  const { t, lang } = useI18n();
  const sid = encodeURIComponent(props.sessionId);
  const [session, setSession] = useState<PracticeSession | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, ServerText>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<{ session: PracticeSession }>('GET', `/api/sessions/${sid}`).then(
      (r) => {
        setSession(r.session);
        setDraft(draftOf(r.session));
      },
      (e: unknown) => setGeneral(serverText(e, t, lang)),
    );
  }, [sid]);
  const set = useCallback((path: string, v: unknown) => setDraft((d) => (d ? setIn(d, path, v) : d)), []);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!session || !draft) return;
    const d = draft.session;
    setErrors({});
    setGeneral(null);
    setBusy(true);
    const body = {
      code: d.code,
      noticeId: session.noticeId,
      date: d.date,
      participation: d.participation,
      mandatoryFor: d.participation === 'mandatory' ? d.mandatoryFor : null,
      services: ALL_SERVICES.filter((x) => d.services[x]),
      network: d.network,
      rundown: d.rundown,
      intentionDeadline: d.intentionDeadline,
      resultDeadline: d.resultDeadline,
      series: seriesBody(d.series),
    };
    try {
      await api('PUT', `/api/sessions/${sid}`, body);
      navigate(`/sessions/${sid}?saved=1`);
    } catch (err) {
      const fe = fieldMessages(err, 'session.');
      setErrors(fe);
      if (!Object.keys(fe).length) setGeneral(serverText(err, t, lang));
    } finally {
      setBusy(false);
    }
  }

  if (!draft) return <main>{general ? <p role="alert">{general}</p> : <p>{t('loading')}</p>}</main>;
  return (
    <main>
      <p>
        <Link to={`/sessions/${sid}`}>{t('back')}</Link>
      </p>
      <h1>
        {t('editSession')}: {session?.code} ({props.sessionId})
      </h1>
      <p className="small">{t('deadlineEditNote')}</p>
      <ErrorSummary errors={errors} general={general} />
      <form onSubmit={save} noValidate>
        <Binding.Provider value={{ value: draft, set, errors }}>
          <SessionFields rundownRows={12} />
        </Binding.Provider>
        <button type="submit" disabled={busy}>
          {t('saveSession')}
        </button>
      </form>
    </main>
  );
}
