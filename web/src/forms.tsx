// Appendix A (intention) and Appendix B (result), for the firm's users and
// for desk officers (who may enter a paper form and see contradictions).
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { FormKind, FormVersion, IntentionForm, PracticeSession, ResultForm, ResultSection, Subscriber, User } from '../../src/desk/domain/types.ts';
import type { Contradiction, SectionPrefill } from '../../src/desk/domain/verification.ts';
import type { EvidenceEvent } from '../../src/evidence/event.ts';
import { api, ApiError, fieldErrors, newSubmissionId, errorText } from './api.ts';
import { Binding, CheckField, ErrorSummary, SelectField, TextField, YesNoField, fieldDomId, getIn, setIn } from './fields.tsx';
import { hkDateTime, useI18n, type MessageKey } from './i18n.ts';
import { Link } from './nav.tsx';

type FormMeta = Omit<FormVersion, 'content'>;
interface FormState<C> { latest: FormVersion<C> | null; versions: FormMeta[]; deadline: string }

function hkToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Loading, submitting and the version list, shared by both appendices. */
function useFormPage<C>(sessionId: string, subscriberId: string, kind: FormKind) {
  const { t } = useI18n();
  const sid = encodeURIComponent(sessionId), sub = encodeURIComponent(subscriberId);
  const [state, setState] = useState<FormState<C> | null>(null);
  const [session, setSession] = useState<PracticeSession | null>(null);
  const [subscriber, setSubscriber] = useState<Subscriber | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const r = await api<FormState<C>>('GET', `/api/sessions/${sid}/forms/${kind}/${sub}`);
    setState(r);
    return r;
  }, [sid, sub, kind]);
  useEffect(() => {
    Promise.all([
      api<{ session: PracticeSession }>('GET', `/api/sessions/${sid}`).then((r) => setSession(r.session)),
      api<{ subscriber: Subscriber }>('GET', `/api/subscribers/${sub}`).then((r) => setSubscriber(r.subscriber)),
      reload(),
    ]).catch((e: unknown) => setLoadError(errorText(e, t)));
  }, [sid, sub, reload]);
  return { sid, sub, state, session, subscriber, loadError, reload };
}

function Submitter<C>(props: { sid: string; sub: string; kind: FormKind; form: C; onDone(v: FormVersion<C>): void; onErrors(e: Record<string, string>, general: string | null): void; children: ReactNode; disabled?: boolean }) {
  const { t } = useI18n();
  // One submissionId per "Submit": reused if the same content is retried after a network failure.
  const pending = useRef<{ id: string; body: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = JSON.stringify(props.form);
    if (!pending.current || pending.current.body !== body) pending.current = { id: newSubmissionId(), body };
    setBusy(true);
    try {
      const r = await api<{ version: FormVersion<C> }>('POST', `/api/sessions/${props.sid}/forms/${props.kind}/${props.sub}`, { submissionId: pending.current.id, form: props.form });
      pending.current = null;
      props.onErrors({}, null);
      props.onDone(r.version);
    } catch (err) {
      if (err instanceof ApiError) pending.current = null;
      const fe = fieldErrors(err);
      props.onErrors(fe, Object.keys(fe).length ? null : errorText(err, t));
      requestAnimationFrame(() => {
        const first = Object.keys(fe)[0];
        (first ? document.getElementById(fieldDomId(first)) : null)?.focus() ?? (document.querySelector('.error-summary') as HTMLElement | null)?.focus();
      });
    } finally { setBusy(false); }
  }
  return (
    <form onSubmit={submit} noValidate>
      {props.children}
      <button type="submit" disabled={busy || props.disabled}>{t('submit')}</button>
    </form>
  );
}

function DeadlineBanner(props: { deadline: string }) {
  const { t } = useI18n();
  const passed = Date.now() > Date.parse(props.deadline);
  return <p className={passed ? 'banner late' : 'banner'} role={passed ? 'alert' : undefined}>{passed ? t('deadlinePassed') : `${t('deadlineOpen')} ${hkDateTime(props.deadline, t)}`}</p>;
}

function Versions(props: { versions: FormMeta[]; sid: string; sub: string; kind: FormKind; viewing: number | null; onView(n: number | null): void }) {
  const { t } = useI18n();
  if (!props.versions.length) return null;
  return (
    <section aria-labelledby="versions-h" className="versions">
      <h2 id="versions-h">{t('versions')}</h2>
      <table>
        <thead><tr><th scope="col">{t('version')}</th><th scope="col">{t('submittedAt')}</th><th scope="col">{t('late')}</th><th scope="col"></th></tr></thead>
        <tbody>
          {[...props.versions].reverse().map((v) => (
            <tr key={v.version} data-version={v.version}>
              <th scope="row">v{v.version}</th>
              <td>{hkDateTime(v.submittedAt, t)}</td>
              <td>{v.late ? <span className="badge late">{t('late')}</span> : ''}</td>
              <td>
                <button type="button" onClick={() => props.onView(props.viewing === v.version ? null : v.version)} aria-pressed={props.viewing === v.version}>{t('view')}</button>{' '}
                <a href={`/api/sessions/${props.sid}/forms/${props.kind}/${props.sub}/pdf?version=${v.version}`} download>{t('pdf')}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A version chosen in the list, read-only. */
function useViewedVersion<C>(sid: string, sub: string, kind: FormKind) {
  const [viewing, setViewing] = useState<number | null>(null);
  const [content, setContent] = useState<C | null>(null);
  useEffect(() => {
    if (viewing === null) { setContent(null); return; }
    api<{ version: FormVersion<C> }>('GET', `/api/sessions/${sid}/forms/${kind}/${sub}/versions/${viewing}`).then((r) => setContent(r.version.content), () => setContent(null));
  }, [viewing, sid, sub, kind]);
  return { viewing, setViewing, content };
}

function intentionTemplate(session: PracticeSession, subscriber: Subscriber): IntentionForm {
  const services = session.services.filter((s) => subscriber.identities.some((i) => i.service === s));
  const c = subscriber.contacts;
  return {
    participate: true,
    services: services.map((service) => ({ service, identities: subscriber.identities.filter((i) => i.service === service).map((i) => i.identity) })),
    connectFrom: { primary: true, backup: false },
    software: services.map((service) => ({ service, kind: 'in-house', name: '', version: '' })),
    contactOnDay: { name: c.primary.name, mobile: c.primary.mobile, email: c.primary.email },
    alternateContact: c.alternate ? { name: c.alternate.name, mobile: c.alternate.mobile, email: c.alternate.email } : { name: '', mobile: '', email: '' },
    willJoin: false, willCheckOtherHsn: false, hasReadRundown: false,
    signatory: { name: '', title: '' },
    signedOn: hkToday(),
  };
}

function IntentionFields(props: { subscriber: Subscriber }) {
  const { t } = useI18n();
  return (
    <Binding.Consumer>
      {(b) => {
        const form = getIn(b.value, 'form') as IntentionForm;
        return (
          <>
            <CheckField path="form.participate" label={t('participate')} />
            <fieldset>
              <legend>{t('services')}</legend>
              {form.services.map((s, i) => (
                <fieldset key={s.service} className="field" data-path={`form.services[${i}].identities`}>
                  <legend>{t('identitiesFor')} {s.service}</legend>
                  {props.subscriber.identities.filter((x) => x.service === s.service).map((x) => {
                    const id = fieldDomId(`form.services[${i}].identities.${x.identity}`);
                    return (
                      <div className="field inline" key={x.identity}>
                        <input type="checkbox" id={id} checked={s.identities.includes(x.identity)} disabled={b.readOnly}
                          onChange={(e) => b.set(`form.services[${i}].identities`, e.target.checked ? [...s.identities, x.identity] : s.identities.filter((y) => y !== x.identity))} />
                        <label htmlFor={id}>{x.identity} ({t(`role.${x.role}` as MessageKey)})</label>
                      </div>
                    );
                  })}
                  {Object.entries(b.errors).filter(([k]) => k.startsWith(`form.services[${i}]`)).map(([k, m]) => <div key={k} className="field-error" role="alert">{m}</div>)}
                </fieldset>
              ))}
              {b.errors['form.services'] ? <div className="field-error" role="alert">{b.errors['form.services']}</div> : null}
            </fieldset>
            <fieldset>
              <legend>{t('connectFromPrimary')} / {t('connectFromBackup')}</legend>
              <CheckField path="form.connectFrom.primary" label={t('connectFromPrimary')} />
              <CheckField path="form.connectFrom.backup" label={t('connectFromBackup')} />
              {b.errors['form.connectFrom'] ? <div className="field-error" role="alert">{b.errors['form.connectFrom']}</div> : null}
            </fieldset>
            <fieldset>
              <legend>{t('software')}</legend>
              {form.software.map((s, i) => (
                <div className="row" key={s.service}>
                  <strong>{s.service}</strong>
                  <SelectField path={`form.software[${i}].kind`} label={t('softwareKind')} options={[{ value: 'vendor', label: t('vendor') }, { value: 'in-house', label: t('inHouse') }]} />
                  <TextField path={`form.software[${i}].name`} label={t('softwareName')} />
                  <TextField path={`form.software[${i}].version`} label={t('softwareVersion')} />
                </div>
              ))}
            </fieldset>
            {(['contactOnDay', 'alternateContact'] as const).map((c) => (
              <fieldset key={c}>
                <legend>{t(c)}</legend>
                <div className="row">
                  <TextField path={`form.${c}.name`} label={t('name')} />
                  <TextField path={`form.${c}.mobile`} label={t('mobile')} type="tel" />
                  <TextField path={`form.${c}.email`} label={t('email')} type="email" />
                </div>
              </fieldset>
            ))}
            <fieldset>
              <legend>{t('forms')}</legend>
              <CheckField path="form.willJoin" label={t('willJoin')} />
              <CheckField path="form.willCheckOtherHsn" label={t('willCheckOtherHsn')} />
              <CheckField path="form.hasReadRundown" label={t('hasReadRundown')} />
            </fieldset>
            <Signature />
          </>
        );
      }}
    </Binding.Consumer>
  );
}

function Signature() {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t('signatory')}</legend>
      <div className="row">
        <TextField path="form.signatory.name" label={t('signatoryName')} />
        <TextField path="form.signatory.title" label={t('signatoryTitle')} />
        <TextField path="form.signedOn" label={t('signedOn')} type="date" />
      </div>
    </fieldset>
  );
}

function Header(props: { title: string; session: PracticeSession; subscriber: Subscriber }) {
  const { t } = useI18n();
  return (
    <>
      <p><Link to={`/sessions/${encodeURIComponent(props.session.id)}`}>{t('back')}</Link></p>
      <h1>{props.title}</h1>
      <p className="subtitle">{props.session.code} · {props.session.date} · {props.subscriber.name} ({props.subscriber.participantCode})</p>
    </>
  );
}

export function IntentionFormPage(props: { user: User; sessionId: string; subscriberId: string }) {
  const { t } = useI18n();
  const page = useFormPage<IntentionForm>(props.sessionId, props.subscriberId, 'intention');
  const view = useViewedVersion<IntentionForm>(page.sid, page.sub, 'intention');
  const [form, setForm] = useState<IntentionForm | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [done, setDone] = useState<FormVersion<IntentionForm> | null>(null);
  useEffect(() => {
    if (form || !page.state || !page.session || !page.subscriber) return;
    setForm(page.state.latest?.content ?? intentionTemplate(page.session, page.subscriber));
  }, [form, page.state, page.session, page.subscriber]);
  if (page.loadError) return <main><p role="alert">{page.loadError}</p></main>;
  if (!form || !page.state || !page.session || !page.subscriber) return <main><p>{t('loading')}</p></main>;
  return (
    <main>
      <Header title={t('appendixATitle')} session={page.session} subscriber={page.subscriber} />
      <DeadlineBanner deadline={page.state.deadline} />
      {done ? <p role="status" className="banner ok">{t('submitted')} {done.version}{done.late ? ` (${t('late')})` : ''}</p> : null}
      <ErrorSummary errors={errors} general={general} />
      {view.content ? (
        <section className="readonly" aria-label={`${t('viewing')} ${view.viewing}`}>
          <h2>{t('viewing')} {view.viewing}</h2>
          <Binding.Provider value={{ value: { form: view.content }, set: () => {}, errors: {}, readOnly: true }}><IntentionFields subscriber={page.subscriber} /></Binding.Provider>
        </section>
      ) : (
        <Submitter sid={page.sid} sub={page.sub} kind="intention" form={form} onErrors={(e, g) => { setErrors(e); setGeneral(g); }}
          onDone={(v) => { setDone(v); void page.reload(); }}>
          <Binding.Provider value={{ value: { form }, set: (p, v) => setForm((f) => setIn({ form: f }, p, v).form), errors }}>
            <IntentionFields subscriber={page.subscriber} />
          </Binding.Provider>
        </Submitter>
      )}
      <Versions versions={page.state.versions} sid={page.sid} sub={page.sub} kind="intention" viewing={view.viewing} onView={view.setViewing} />
    </main>
  );
}

function fromPrefill(p: SectionPrefill): ResultSection {
  const { role: _r, basis: _b, eventCount: _e, ...rest } = p;
  return { ...rest, returnedToPrimary: rest.returnedToPrimary as boolean, testDataCleaned: rest.testDataCleaned as unknown as boolean };
}

function EvidenceAside(props: { prefill: SectionPrefill | undefined; field: keyof ResultSection; value?: unknown }) {
  const { t } = useI18n();
  const p = props.prefill;
  if (!p) return null;
  const suggested = props.value !== undefined ? props.value : (p as unknown as Record<string, unknown>)[props.field];
  const timed = suggested && typeof suggested === 'object' ? suggested as { value: boolean; time: string | null } : null;
  const shown = typeof suggested === 'boolean' ? (suggested ? t('yes') : t('no'))
    : timed ? `${timed.value ? t('yes') : t('no')}${timed.time ? ' ' + timed.time : ''}`
    : suggested == null ? t('unanswered') : String(suggested);
  const basis = p.basis[props.field];
  // The overall result is the evidence's summary of the other answers, not an observation of its own.
  if (props.field === 'overall') return <div className="evidence" data-evidence-for="overall"><span className="evidence-label">{t('evidenceSays')}:</span> <strong>{t(`overall.${String(suggested)}` as MessageKey)}</strong></div>;
  return (
    <div className="evidence" data-evidence-for={props.field}>
      <span className="evidence-label">{t('evidenceSays')}:</span> <strong>{shown}</strong>{basis ? <> — {basis.text}</> : <> — <em>{t('noEvidence')}</em></>}
    </div>
  );
}

/** The firm's evidence in time order (Hong Kong time), what the pre-fill was read from. */
function EvidenceLog(props: { sid: string; sub: string }) {
  const { t } = useI18n();
  const [events, setEvents] = useState<EvidenceEvent[] | null>(null);
  return (
    <details className="evidence-log" onToggle={(e) => {
      if ((e.target as HTMLDetailsElement).open && events === null) {
        api<{ events: EvidenceEvent[] }>('GET', `/api/sessions/${props.sid}/evidence?subscriber=${props.sub}`).then((r) => setEvents(r.events), () => setEvents([]));
      }
    }}>
      <summary>{t('evidenceLog')}</summary>
      {events === null ? <p>{t('loading')}</p> : (
        <table>
          <thead><tr><th scope="col">{t('when')}</th><th scope="col">{t('site')}</th><th scope="col">{t('service')}</th><th scope="col">{t('identity')}</th><th scope="col">{t('eventKind')}</th><th scope="col">{t('source')}</th><th scope="col">{t('detail')}</th></tr></thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{hkDateTime(e.ts, t, true)}</td><td>{e.site}</td><td>{e.service}</td><td>{e.identity}</td><td>{e.kind}</td><td>{e.source}</td>
                <td className="small">{Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

function ResultFields(props: { prefill: SectionPrefill[] }) {
  const { t } = useI18n();
  return (
    <Binding.Consumer>
      {(b) => {
        const form = getIn(b.value, 'form') as ResultForm;
        return (
          <>
            {form.sections.map((s, i) => {
              const p = props.prefill.find((x) => x.service === s.service && x.identity === s.identity);
              const f = `form.sections[${i}]`;
              const trading = s.service === 'OTP-C' || s.service === 'OTP-CSC';
              const md = !trading;
              const role = p?.role;
              return (
                <fieldset key={`${s.service}:${s.identity}`} className="section" data-section={`${s.service}:${s.identity}`}>
                  <legend>{s.service} · {s.identity}{role ? ` (${t(`role.${role}` as MessageKey)})` : ''}</legend>
                  {p ? <p className="small">{t('prefilledFrom')} {p.eventCount}</p> : null}
                  <div className="row">
                    <YesNoField path={`${f}.connectedToPrimary.value`} label={t('connectedToPrimary')} aside={<EvidenceAside prefill={p} field="connectedToPrimary" />} />
                    <TextField path={`${f}.connectedToPrimary.time`} label={t('time')} placeholder="HH:mm" nullable />
                  </div>
                  <TextField path={`${f}.noticedLossAt`} label={t('noticedLossAt')} placeholder="HH:mm" nullable aside={<EvidenceAside prefill={p} field="noticedLossAt" />} />
                  <div className="row">
                    <YesNoField path={`${f}.reconnectedToBackup.value`} label={t('reconnectedToBackup')} aside={<EvidenceAside prefill={p} field="reconnectedToBackup" />} />
                    <TextField path={`${f}.reconnectedToBackup.time`} label={t('time')} placeholder="HH:mm" nullable />
                  </div>
                  {trading ? <YesNoField path={`${f}.logonSequenceOk`} label={t('logonSequenceOk')} aside={<EvidenceAside prefill={p} field="logonSequenceOk" />} /> : null}
                  {trading && role !== 'drop-copy' ? <YesNoField path={`${f}.orderAndCancelAcked`} label={t('orderAndCancelAcked')} aside={<EvidenceAside prefill={p} field="orderAndCancelAcked" />} /> : null}
                  {role === 'drop-copy' ? <YesNoField path={`${f}.dropCopyGapRecovered`} label={t('dropCopyGapRecovered')} aside={<EvidenceAside prefill={p} field="dropCopyGapRecovered" />} /> : null}
                  {md ? <YesNoField path={`${f}.marketDataFromBackup`} label={t('marketDataFromBackup')} aside={<EvidenceAside prefill={p} field="marketDataFromBackup" />} /> : null}
                  {md ? <YesNoField path={`${f}.retransmissionOrRefreshOk`} label={t('retransmissionOrRefreshOk')} aside={<EvidenceAside prefill={p} field="retransmissionOrRefreshOk" />} /> : null}
                  <fieldset className="problems" data-path={`${f}.problems`}>
                    <legend>{t('problems')}</legend>
                    {s.problems.map((_, j) => (
                      <div className="row" key={j}>
                        <TextField path={`${f}.problems[${j}].time`} label={t('problemTime')} placeholder="HH:mm" />
                        <TextField path={`${f}.problems[${j}].description`} label={t('problemDescription')} />
                        <TextField path={`${f}.problems[${j}].reference`} label={t('problemReference')} />
                        {b.readOnly ? null : <button type="button" onClick={() => b.set(`${f}.problems`, s.problems.filter((__, k) => k !== j))}>{t('removeProblem')}</button>}
                      </div>
                    ))}
                    {b.readOnly ? null : <button type="button" onClick={() => b.set(`${f}.problems`, [...s.problems, { time: '', description: '', reference: '' }])}>{t('addProblem')}</button>}
                    {b.errors[`${f}.problems`] ? <div className="field-error" role="alert">{b.errors[`${f}.problems`]}</div> : null}
                  </fieldset>
                  <SelectField path={`${f}.overall`} label={t('overall')} aside={<EvidenceAside prefill={p} field="overall" />}
                    options={(['passed', 'passed-with-issues', 'failed', 'not-tested'] as const).map((o) => ({ value: o, label: t(`overall.${o}`) }))} />
                  <YesNoField path={`${f}.returnedToPrimary`} label={t('returnedToPrimary')} aside={<EvidenceAside prefill={p} field="returnedToPrimary" />} />
                  <YesNoField path={`${f}.testDataCleaned`} label={t('testDataCleaned')} />
                </fieldset>
              );
            })}
            <Signature />
          </>
        );
      }}
    </Binding.Consumer>
  );
}

export function ResultFormPage(props: { user: User; sessionId: string; subscriberId: string }) {
  const { t } = useI18n();
  const page = useFormPage<ResultForm>(props.sessionId, props.subscriberId, 'result');
  const view = useViewedVersion<ResultForm>(page.sid, page.sub, 'result');
  const [prefill, setPrefill] = useState<SectionPrefill[] | null>(null);
  const [contradictions, setContradictions] = useState<{ version: number | null; contradictions: Contradiction[] }>({ version: null, contradictions: [] });
  const [form, setForm] = useState<ResultForm | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [done, setDone] = useState<FormVersion<ResultForm> | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const loadFlags = useCallback(() => {
    api<{ version: number | null; contradictions: Contradiction[] }>('GET', `/api/sessions/${page.sid}/forms/result/${page.sub}/contradictions`).then(setContradictions, () => {});
  }, [page.sid, page.sub]);
  useEffect(() => {
    api<{ sections: SectionPrefill[] }>('GET', `/api/sessions/${page.sid}/forms/result/${page.sub}/prefill`).then((r) => setPrefill(r.sections), () => setPrefill([]));
    loadFlags();
  }, [page.sid, page.sub, loadFlags]);
  useEffect(() => {
    if (form || !page.state || !prefill) return;
    setForm(page.state.latest?.content ?? { sections: prefill.map(fromPrefill), signatory: { name: '', title: '' }, signedOn: hkToday() });
  }, [form, page.state, prefill]);
  if (page.loadError) return <main><p role="alert">{page.loadError}</p></main>;
  if (!form || !prefill || !page.state || !page.session || !page.subscriber) return <main><p>{t('loading')}</p></main>;
  // Contradictions concern the latest stored version: highlight them for the desk while that version is shown.
  const flagsFor = (version: number | null) => props.user.role === 'desk' && version !== null && version === contradictions.version
    ? Object.fromEntries(contradictions.contradictions.map((c) => ['form.' + c.field, `${t('declared')}: ${c.declared} — ${c.evidence}`]))
    : {};
  const editingLatest = page.state.latest && !done ? page.state.latest.version : done?.version ?? null;
  return (
    <main>
      <Header title={t('appendixBTitle')} session={page.session} subscriber={page.subscriber} />
      <DeadlineBanner deadline={page.state.deadline} />
      {done ? <p role="status" className="banner ok">{t('submitted')} {done.version}{done.late ? ` (${t('late')})` : ''}</p> : null}
      {props.user.role === 'desk' && contradictions.contradictions.length ? (
        <div className="banner contradiction" role="alert" data-contradictions={contradictions.contradictions.length}>
          <strong>⚠ {t('contradictions')}: {contradictions.contradictions.length}</strong>
          <ul>{contradictions.contradictions.map((c) => <li key={c.field + c.code}>{c.service} {c.identity}: {c.declared} — {c.evidence} ({c.code})</li>)}</ul>
        </div>
      ) : null}
      <EvidenceLog sid={page.sid} sub={page.sub} />
      <ErrorSummary errors={errors} general={general} />
      {view.content ? (
        <section className="readonly" aria-label={`${t('viewing')} ${view.viewing}`}>
          <h2>{t('viewing')} {view.viewing}</h2>
          <Binding.Provider value={{ value: { form: view.content }, set: () => {}, errors: {}, flags: flagsFor(view.viewing), readOnly: true }}><ResultFields prefill={prefill} /></Binding.Provider>
        </section>
      ) : (
        <Submitter sid={page.sid} sub={page.sub} kind="result" form={form} disabled={!confirmed} onErrors={(e, g) => { setErrors(e); setGeneral(g); }}
          onDone={(v) => { setDone(v); setConfirmed(false); void page.reload(); loadFlags(); }}>
          <Binding.Provider value={{ value: { form }, set: (p, v) => setForm((f) => setIn({ form: f }, p, v).form), errors, flags: flagsFor(editingLatest) }}>
            <ResultFields prefill={prefill} />
          </Binding.Provider>
          <div className="field inline confirm">
            <input type="checkbox" id="confirm-sign" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
            <label htmlFor="confirm-sign">{t('confirmSign')}</label>
          </div>
        </Submitter>
      )}
      <Versions versions={page.state.versions} sid={page.sid} sub={page.sub} kind="result" viewing={view.viewing} onView={view.setViewing} />
    </main>
  );
}
