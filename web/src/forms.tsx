// Appendix A (intention) and Appendix B (result), for the firm's users and
// for desk officers (who may enter a paper form, on the firm's behalf and with
// a reason, and see contradictions). What a person types is kept on this
// computer until it is submitted, so an expired sign-in loses nothing.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type {
  FormKind,
  FormVersion,
  IntentionForm,
  PracticeSession,
  ResultForm,
  ResultSection,
  Service,
  Subscriber,
  User,
} from '../../src/desk/domain/types.ts';
import type { Contradiction, SectionPrefill } from '../../src/desk/domain/verification.ts';
import type { Message } from '../../src/desk/domain/messages/index.ts';
import { marketPhaseMessage } from '../../src/desk/domain/market-phase.ts';
import type { EvidenceEvent } from '../../src/evidence/event.ts';
import type { FirmReadiness } from '../../src/desk/domain/readiness.ts';
import { api, ApiError, fieldMessages, newSubmissionId, errorText } from './api.ts';
import {
  Binding,
  CheckField,
  DateField,
  ErrorSummary,
  SelectField,
  TextField,
  YesNoField,
  fieldDomId,
  focusFirstError,
  getIn,
  setIn,
  useServerText,
  type ServerText,
} from './fields.tsx';
import { hkDateTime, useI18n, type MessageKey } from './i18n.ts';
import { Link } from './nav.tsx';

/** Who submitted a version (FormVersion's submittedByName, submittedByRole, onBehalfReason); absent from older desks. */
type FormMeta = Omit<FormVersion, 'content'> & { submittedByName?: string; submittedByRole?: 'desk' | 'subscriber'; onBehalfReason?: string | null };
interface FormState<C> {
  latest: FormVersion<C> | null;
  versions: FormMeta[];
  deadline: string;
}
type Provenance = 'venue' | 'self-reported';

function hkToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Loading, submitting and the version list, shared by both appendices. */
function useFormPage<C>(sessionId: string, subscriberId: string, kind: FormKind) {
  const { t, lang } = useI18n();
  const sid = encodeURIComponent(sessionId),
    sub = encodeURIComponent(subscriberId);
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
    ]).catch((e: unknown) => setLoadError(errorText(e, t, lang)));
  }, [sid, sub, reload]);
  return { sid, sub, state, session, subscriber, loadError, reload };
}

function draftKey(user: User, sessionId: string, subscriberId: string, kind: FormKind): string {
  return `fd.draft:${user.id}:${sessionId}:${subscriberId}:${kind}`;
}

/**
 * The form being edited, written to localStorage on every change (per user,
 * session, firm and appendix) and read back on the next visit, so answers
 * survive an expired sign-in or a reload; cleared once the desk has them.
 */
function useDraftedForm<C>(key: string) {
  const [form, setForm] = useState<C | null>(null);
  const [restored, setRestored] = useState(false);
  const fallback = useRef<C | null>(null);
  const dirty = useRef(false);
  const start = useCallback(
    (initial: C) => {
      fallback.current = initial;
      let draft: C | null = null;
      try {
        draft = (JSON.parse(localStorage.getItem(key) ?? 'null') as { form: C } | null)?.form ?? null;
      } catch {
        draft = null;
      }
      setRestored(draft !== null);
      setForm(draft ?? initial);
    },
    [key],
  );
  useEffect(() => {
    if (!dirty.current || form === null) return;
    try {
      localStorage.setItem(key, JSON.stringify({ form, savedAt: new Date().toISOString() }));
    } catch {
      /* storage full or off: the form still works */
    }
  }, [form, key]);
  const set = useCallback((path: string, v: unknown) => {
    dirty.current = true;
    setForm((f) => setIn({ form: f }, path, v).form);
  }, []);
  const forget = useCallback(() => {
    dirty.current = false;
    try {
      localStorage.removeItem(key);
    } catch {
      /* nothing stored */
    }
    setRestored(false);
  }, [key]);
  const discard = useCallback(() => {
    forget();
    if (fallback.current !== null) setForm(fallback.current);
  }, [forget]);
  return { form, start, set, restored, forget, discard };
}

interface SubmitAnswer<C> {
  version: FormVersion<C>;
  created: boolean;
  unchanged?: boolean;
}

function Submitter<C>(props: {
  sid: string;
  sub: string;
  kind: FormKind;
  form: C;
  extra?: Record<string, unknown>;
  /** Errors found before asking the desk (e.g. a missing on-behalf reason). */
  precheck?(): Record<string, ServerText>;
  onDone(v: FormVersion<C>): void;
  onUnchanged(v: FormVersion<C>): void;
  onExpired(): void;
  onErrors(e: Record<string, ServerText>, general: string | null): void;
  children: ReactNode;
  disabled?: boolean;
}) {
  const { t, lang } = useI18n();
  // One submissionId per "Submit": reused if the same content is retried after a network failure.
  const pending = useRef<{ id: string; body: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // Focus moves once the errors are on the page: the first bad field in page order, else the summary.
  const [focus, setFocus] = useState<{ paths: string[] } | null>(null);
  useLayoutEffect(() => {
    if (focus) focusFirstError(focus.paths);
  }, [focus]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const early = props.precheck?.() ?? {};
    if (Object.keys(early).length) {
      props.onErrors(early, null);
      setFocus({ paths: Object.keys(early) });
      return;
    }
    const payload = { form: props.form, ...(props.extra ?? {}) };
    const body = JSON.stringify(payload);
    if (!pending.current || pending.current.body !== body) pending.current = { id: newSubmissionId(), body };
    setBusy(true);
    try {
      const r = await api<SubmitAnswer<C>>('POST', `/api/sessions/${props.sid}/forms/${props.kind}/${props.sub}`, {
        submissionId: pending.current.id,
        ...payload,
      });
      pending.current = null;
      props.onErrors({}, null);
      if (r.unchanged) props.onUnchanged(r.version);
      else props.onDone(r.version);
    } catch (err) {
      if (err instanceof ApiError) pending.current = null;
      if (err instanceof ApiError && err.status === 401) {
        props.onErrors({}, t('forms.signInAgain'));
        props.onExpired();
        setFocus({ paths: [] });
        return;
      }
      const fe = fieldMessages(err);
      props.onErrors(fe, Object.keys(fe).length ? null : errorText(err, t, lang));
      setFocus({ paths: Object.keys(fe) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate>
      {props.children}
      <button type="submit" disabled={busy || props.disabled}>
        {t('submit')}
      </button>
    </form>
  );
}

function DeadlineBanner(props: { deadline: string }) {
  const { t } = useI18n();
  const passed = Date.now() > Date.parse(props.deadline);
  return (
    <p className={passed ? 'banner late' : 'banner'} role={passed ? 'alert' : undefined}>
      {passed ? t('deadlinePassed') : `${t('deadlineOpen')} ${hkDateTime(props.deadline, t)}`}
    </p>
  );
}

/** What the page says after a submission: the new version, or that nothing changed (and nothing was stored). */
function SubmitStatus(props: { done: FormVersion<unknown> | null; unchanged: FormVersion<unknown> | null }) {
  const { t } = useI18n();
  if (props.unchanged)
    return (
      <p role="status" className="banner ok" data-unchanged={props.unchanged.version}>
        {t('forms.unchanged', { version: props.unchanged.version })}
      </p>
    );
  if (props.done)
    return (
      <p role="status" className="banner ok">
        {t('submitted')} {props.done.version}
        {props.done.late ? ` (${t('late')})` : ''}
      </p>
    );
  return null;
}

/** The sign-in ran out while the form was open: the answers are in the draft; signing in again brings the page back with them. */
function SignInAgain() {
  const { t } = useI18n();
  return (
    <p>
      <button type="button" onClick={() => location.reload()}>
        {t('forms.signInAgainButton')}
      </button>
    </p>
  );
}

/** A desk officer fills in a firm's form only on its behalf, saying why. */
function OnBehalf(props: { firm: string; reason: string; setReason(v: string): void; errors: Record<string, ServerText> }) {
  const { t } = useI18n();
  return (
    <div className="banner late" data-on-behalf>
      <p role="note">
        <strong>{t('forms.onBehalf', { firm: props.firm })}</strong>
      </p>
      <Binding.Provider value={{ value: { onBehalfReason: props.reason }, set: (_p, v) => props.setReason(String(v ?? '')), errors: props.errors }}>
        <TextField path="onBehalfReason" label={t('forms.onBehalfReason')} />
      </Binding.Provider>
    </div>
  );
}

function SubmittedBy(props: { v: FormMeta }) {
  const { t } = useI18n();
  const { v } = props;
  const name = v.submittedByName ?? v.submittedBy;
  if (v.submittedByRole === 'desk') {
    return (
      <>
        {t('forms.byDesk', { name })}
        {v.onBehalfReason ? (
          <>
            ; {t('forms.reason')}: <q>{v.onBehalfReason}</q>
          </>
        ) : null}
      </>
    );
  }
  return <>{v.submittedByRole === 'subscriber' ? t('forms.byFirm', { name }) : name}</>;
}

function Versions(props: { versions: FormMeta[]; sid: string; sub: string; kind: FormKind; viewing: number | null; onView(n: number | null): void }) {
  const { t } = useI18n();
  if (!props.versions.length) return null;
  return (
    <section aria-labelledby="versions-h" className="versions">
      <h2 id="versions-h">{t('versions')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('version')}</th>
            <th scope="col">{t('submittedAt')}</th>
            <th scope="col">{t('forms.submittedBy')}</th>
            <th scope="col">{t('late')}</th>
            <th scope="col"></th>
          </tr>
        </thead>
        <tbody>
          {[...props.versions].reverse().map((v) => (
            <tr key={v.version} data-version={v.version}>
              <th scope="row">v{v.version}</th>
              <td>{hkDateTime(v.submittedAt, t)}</td>
              <td data-submitted-by={v.submittedByRole ?? ''}>
                <SubmittedBy v={v} />
              </td>
              <td>{v.late ? <span className="badge late">{t('late')}</span> : ''}</td>
              <td>
                <button type="button" onClick={() => props.onView(props.viewing === v.version ? null : v.version)} aria-pressed={props.viewing === v.version}>
                  {t('view')}
                </button>{' '}
                <a href={`/api/sessions/${props.sid}/forms/${props.kind}/${props.sub}/pdf?version=${v.version}`} download>
                  {t('pdf')}
                </a>
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
    if (viewing === null) {
      setContent(null);
      return;
    }
    api<{ version: FormVersion<C> }>('GET', `/api/sessions/${sid}/forms/${kind}/${sub}/versions/${viewing}`).then(
      (r) => setContent(r.version.content),
      () => setContent(null),
    );
  }, [viewing, sid, sub, kind]);
  return { viewing, setViewing, content };
}

/** What both pages do around the form: drafts, errors, the on-behalf reason, the submission's outcome. */
function useSubmission<C>(user: User, sessionId: string, subscriberId: string, kind: FormKind) {
  const { t } = useI18n();
  const draft = useDraftedForm<C>(draftKey(user, sessionId, subscriberId, kind));
  const [errors, setErrors] = useState<Record<string, ServerText>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [done, setDone] = useState<FormVersion<C> | null>(null);
  const [unchanged, setUnchanged] = useState<FormVersion<C> | null>(null);
  const [expired, setExpired] = useState(false);
  const [reason, setReason] = useState('');
  const onBehalf = user.role === 'desk';
  return {
    draft,
    errors,
    general,
    done,
    unchanged,
    expired,
    reason,
    setReason,
    onBehalf,
    submitterProps: {
      extra: onBehalf ? { onBehalfReason: reason.trim() } : undefined,
      precheck: (): Record<string, ServerText> => (onBehalf && !reason.trim() ? { onBehalfReason: t('forms.onBehalfReasonMissing') } : {}),
      onErrors: (e: Record<string, ServerText>, g: string | null) => {
        setErrors(e);
        setGeneral(g);
        if (Object.keys(e).length || g) {
          setDone(null);
          setUnchanged(null);
        }
      },
      onExpired: () => setExpired(true),
      onUnchanged: (v: FormVersion<C>) => {
        setUnchanged(v);
        setDone(null);
        setExpired(false);
        draft.forget();
      },
    },
    submitted(v: FormVersion<C>) {
      setDone(v);
      setUnchanged(null);
      setExpired(false);
      setReason('');
      draft.forget();
    },
  };
}

function DraftNote(props: { restored: boolean; discard(): void }) {
  const { t } = useI18n();
  if (!props.restored) return null;
  return (
    <p className="banner" role="status" data-draft-restored>
      {t('forms.draftRestored')}{' '}
      <button type="button" onClick={props.discard}>
        {t('forms.discardDraft')}
      </button>
    </p>
  );
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
    willJoin: false,
    willCheckOtherHsn: false,
    hasReadRundown: false,
    signatory: { name: '', title: '' },
    signedOn: hkToday(),
  };
}

/** The session's services the firm has identities for: the ones it may choose to test. */
function candidateServices(session: PracticeSession, subscriber: Subscriber): Service[] {
  return session.services.filter((s) => subscriber.identities.some((i) => i.service === s));
}

function IntentionFields(props: { subscriber: Subscriber; session: PracticeSession }) {
  const { t } = useI18n();
  const text = useServerText();
  return (
    <Binding.Consumer>
      {(b) => {
        const form = getIn(b.value, 'form') as IntentionForm;
        const candidates = candidateServices(props.session, props.subscriber);
        // Adding or leaving out a service keeps the session's order, and its software line goes with it.
        const include = (service: Service, yes: boolean) => {
          const order = (x: { service: Service }) => candidates.indexOf(x.service);
          if (yes) {
            b.set(
              'form.services',
              [...form.services, { service, identities: props.subscriber.identities.filter((i) => i.service === service).map((i) => i.identity) }].sort(
                (x, y) => order(x) - order(y),
              ),
            );
            if (!form.software.some((x) => x.service === service))
              b.set(
                'form.software',
                [...form.software, { service, kind: 'in-house', name: '', version: '' }].sort((x, y) => order(x) - order(y)),
              );
          } else {
            b.set(
              'form.services',
              form.services.filter((x) => x.service !== service),
            );
            b.set(
              'form.software',
              form.software.filter((x) => x.service !== service),
            );
          }
        };
        return (
          <>
            <CheckField path="form.participate" label={t('participate')} />
            {!form.participate ? (
              <p className="banner" data-declining>
                {t('forms.declining')}
              </p>
            ) : (
              <>
                <fieldset data-path="form.services">
                  <legend>{t('services')}</legend>
                  {candidates.map((service) => {
                    const i = form.services.findIndex((x) => x.service === service);
                    const s = form.services[i];
                    const boxId = fieldDomId(`form.services.include.${service}`);
                    return (
                      <fieldset key={service} className="field" data-path={s ? `form.services[${i}].identities` : undefined} data-service={service}>
                        <legend>
                          <input type="checkbox" id={boxId} checked={!!s} disabled={b.readOnly} onChange={(e) => include(service, e.target.checked)} />{' '}
                          <label htmlFor={boxId}>{t('forms.testService', { service })}</label>
                        </legend>
                        {s ? (
                          props.subscriber.identities
                            .filter((x) => x.service === service)
                            .map((x) => {
                              const id = fieldDomId(`form.services[${i}].identities.${x.identity}`);
                              return (
                                <div className="field inline" key={x.identity}>
                                  <input
                                    type="checkbox"
                                    id={id}
                                    checked={s.identities.includes(x.identity)}
                                    disabled={b.readOnly}
                                    onChange={(e) =>
                                      b.set(
                                        `form.services[${i}].identities`,
                                        e.target.checked ? [...s.identities, x.identity] : s.identities.filter((y) => y !== x.identity),
                                      )
                                    }
                                  />
                                  <label htmlFor={id}>
                                    {x.identity} ({t(`role.${x.role}` as MessageKey)})
                                  </label>
                                </div>
                              );
                            })
                        ) : (
                          <p className="small">{t('forms.noServiceChosen')}</p>
                        )}
                        {s
                          ? Object.entries(b.errors)
                              .filter(([k]) => k.startsWith(`form.services[${i}]`))
                              .map(([k, m]) => (
                                <div key={k} className="field-error" role="alert">
                                  {text(m)}
                                </div>
                              ))
                          : null}
                      </fieldset>
                    );
                  })}
                  {b.errors['form.services'] ? (
                    <div className="field-error" role="alert">
                      {text(b.errors['form.services'])}
                    </div>
                  ) : null}
                </fieldset>
                <fieldset data-path="form.connectFrom">
                  <legend>
                    {t('connectFromPrimary')} / {t('connectFromBackup')}
                  </legend>
                  <CheckField path="form.connectFrom.primary" label={t('connectFromPrimary')} />
                  <CheckField path="form.connectFrom.backup" label={t('connectFromBackup')} />
                  {b.errors['form.connectFrom'] ? (
                    <div className="field-error" role="alert">
                      {text(b.errors['form.connectFrom'])}
                    </div>
                  ) : null}
                </fieldset>
                {form.software.length ? (
                  <fieldset>
                    <legend>{t('software')}</legend>
                    {form.software.map((s, i) => (
                      <div className="row" key={s.service} data-software={s.service}>
                        <strong>{s.service}</strong>
                        <SelectField
                          path={`form.software[${i}].kind`}
                          label={t('softwareKind')}
                          options={[
                            { value: 'vendor', label: t('vendor') },
                            { value: 'in-house', label: t('inHouse') },
                          ]}
                        />
                        <TextField path={`form.software[${i}].name`} label={t('softwareName')} />
                        <TextField path={`form.software[${i}].version`} label={t('softwareVersion')} />
                        {b.errors[`form.software[${i}].service`] ? (
                          <div className="field-error" role="alert">
                            {text(b.errors[`form.software[${i}].service`]!)}
                          </div>
                        ) : null}
                      </div>
                    ))}
                  </fieldset>
                ) : null}
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
              </>
            )}
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
        <DateField path="form.signedOn" label={t('signedOn')} />
      </div>
    </fieldset>
  );
}

function Header(props: { title: string; session: PracticeSession; subscriber: Subscriber }) {
  const { t } = useI18n();
  return (
    <>
      <p>
        <Link to={`/sessions/${encodeURIComponent(props.session.id)}`}>{t('back')}</Link>
      </p>
      <h1>{props.title}</h1>
      <p className="subtitle">
        {props.session.code} · {props.session.date} · {props.subscriber.name} ({props.subscriber.participantCode})
      </p>
    </>
  );
}

/** The firm's readiness check before the session: passed at …, failed: …, or not run; flagged when it will take part without passing one. */
function ReadinessLine(props: { sid: string; sub: string }) {
  const { t } = useI18n();
  const [r, setR] = useState<{ readiness: FirmReadiness; notReady: boolean } | null>(null);
  useEffect(() => {
    api<{ readiness: FirmReadiness; notReady: boolean }>('GET', `/api/sessions/${props.sid}/readiness/${props.sub}`).then(setR, () => setR(null));
  }, [props.sid, props.sub]);
  if (!r) return null;
  const x = r.readiness;
  const text =
    x.state === 'passed'
      ? t('readinessLinePassed', { at: x.at ? hkDateTime(x.at, t) : '—' })
      : x.state === 'failed'
        ? t('readinessLineFailed', { checks: x.failed.join('; ') || '—' })
        : t('readinessLineNone');
  return (
    <div className={`banner readiness ${x.state}${r.notReady ? ' late' : ''}`} data-readiness={x.state} data-not-ready={String(r.notReady)}>
      <p>{text}</p>
      {r.notReady ? (
        <p>
          <span className="badge not-ready">{t('notReady')}</span> {t('readinessNotReadyNote')}
        </p>
      ) : null}
    </div>
  );
}

export function IntentionFormPage(props: { user: User; sessionId: string; subscriberId: string }) {
  const { t } = useI18n();
  const page = useFormPage<IntentionForm>(props.sessionId, props.subscriberId, 'intention');
  const view = useViewedVersion<IntentionForm>(page.sid, page.sub, 'intention');
  const sub = useSubmission<IntentionForm>(props.user, props.sessionId, props.subscriberId, 'intention');
  const { form, start } = sub.draft;
  useEffect(() => {
    if (form || !page.state || !page.session || !page.subscriber) return;
    start(page.state.latest?.content ?? intentionTemplate(page.session, page.subscriber));
  }, [form, start, page.state, page.session, page.subscriber]);
  if (page.loadError)
    return (
      <main>
        <p role="alert">{page.loadError}</p>
      </main>
    );
  if (!form || !page.state || !page.session || !page.subscriber)
    return (
      <main>
        <p>{t('loading')}</p>
      </main>
    );
  const { session, subscriber } = page;
  // A firm that declined earlier and now takes part starts from the usual answers (its services, its contacts), keeping its signature.
  const set = (path: string, v: unknown) => {
    if (path === 'form.participate' && v === true && form.services.length === 0 && !form.contactOnDay.name) {
      sub.draft.set('form', { ...intentionTemplate(session, subscriber), signatory: form.signatory, signedOn: form.signedOn });
    } else sub.draft.set(path, v);
  };
  return (
    <main>
      <Header title={t('appendixATitle')} session={page.session} subscriber={page.subscriber} />
      <ReadinessLine sid={page.sid} sub={page.sub} />
      <DeadlineBanner deadline={page.state.deadline} />
      <SubmitStatus done={sub.done} unchanged={sub.unchanged} />
      <DraftNote restored={sub.draft.restored} discard={sub.draft.discard} />
      <ErrorSummary errors={sub.errors} general={sub.general} />
      {sub.expired ? <SignInAgain /> : null}
      {view.content ? (
        <section className="readonly" aria-label={`${t('viewing')} ${view.viewing}`}>
          <h2>
            {t('viewing')} {view.viewing}
          </h2>
          <Binding.Provider value={{ value: { form: view.content }, set: () => {}, errors: {}, readOnly: true }}>
            <IntentionFields subscriber={page.subscriber} session={page.session} />
          </Binding.Provider>
        </section>
      ) : (
        <Submitter
          sid={page.sid}
          sub={page.sub}
          kind="intention"
          form={form}
          {...sub.submitterProps}
          onDone={(v) => {
            sub.submitted(v);
            void page.reload();
          }}
        >
          {sub.onBehalf ? <OnBehalf firm={page.subscriber.name} reason={sub.reason} setReason={sub.setReason} errors={sub.errors} /> : null}
          <Binding.Provider value={{ value: { form }, set, errors: sub.errors }}>
            <IntentionFields subscriber={page.subscriber} session={page.session} />
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

/** The evidence behind a suggested answer: a message and its provenance, or (older desks) plain text. */
type Basis = string | { text: string; message?: Message; provenance?: Provenance };

function SelfReported(props: { provenance: Provenance | undefined }) {
  const { t } = useI18n();
  return props.provenance === 'self-reported' ? (
    <>
      {' '}
      <span className="badge self-reported" data-self-reported>
        {t('forms.selfReported')}
      </span>
    </>
  ) : null;
}

function EvidenceAside(props: { prefill: SectionPrefill | undefined; field: keyof ResultSection; value?: unknown }) {
  const { t } = useI18n();
  const text = useServerText();
  const p = props.prefill;
  if (!p) return null;
  const suggested = props.value !== undefined ? props.value : (p as unknown as Record<string, unknown>)[props.field];
  // The overall result is the evidence's summary of the other answers, not an observation of its own.
  if (props.field === 'overall')
    return (
      <div className="evidence" data-evidence-for="overall">
        <span className="evidence-label">{t('evidenceSays')}:</span> <strong>{t(`overall.${String(suggested)}` as MessageKey)}</strong>
      </div>
    );
  const basis = (p.basis as Record<string, Basis | undefined>)[props.field];
  // No evidence, no suggested answer: a bare "Yes" would read as if the evidence said so.
  if (!basis)
    return (
      <div className="evidence" data-evidence-for={props.field}>
        <span className="evidence-label">{t('evidenceSays')}:</span> <em>{t('noEvidence')}</em>
      </div>
    );
  const timed = suggested && typeof suggested === 'object' ? (suggested as { value: boolean; time: string | null }) : null;
  const shown =
    typeof suggested === 'boolean'
      ? suggested
        ? t('yes')
        : t('no')
      : timed
        ? `${timed.value ? t('yes') : t('no')}${timed.time ? ' ' + timed.time : ''}`
        : suggested == null
          ? null
          : String(suggested);
  const words = typeof basis === 'string' ? basis : text(basis.message ?? basis.text);
  return (
    <div className="evidence" data-evidence-for={props.field}>
      <span className="evidence-label">{t('evidenceSays')}:</span>{' '}
      {shown !== null ? (
        <>
          <strong>{shown}</strong> —{' '}
        </>
      ) : null}
      {words}
      <SelfReported provenance={typeof basis === 'string' ? undefined : basis.provenance} />
    </div>
  );
}

/** Contradictions as the evidence side carries them: messages and provenance, or (older desks) English text. */
type ShownContradiction = Contradiction & { message?: Message; declaredMessage?: Message; provenance?: Provenance };

/** The path of the control a contradiction is about: a timed answer's flag goes on its yes/no. */
function contradictionPath(field: string): string {
  return /\.(connectedToPrimary|reconnectedToBackup)$/.test(field) ? `form.${field}.value` : `form.${field}`;
}

function ContradictionText(props: { c: ShownContradiction }) {
  const { t } = useI18n();
  const text = useServerText();
  const { c } = props;
  return (
    <span data-code={c.code}>
      {t('declared')}: {text(c.declaredMessage ?? c.declared)} — {text(c.message ?? c.evidence)}
      <SelfReported provenance={c.provenance} />
    </span>
  );
}

/** The firm's evidence in time order (Hong Kong time), what the pre-fill was read from, with the market phase at each event. */
function EvidenceLog(props: { sid: string; sub: string }) {
  const { t } = useI18n();
  const text = useServerText();
  const [events, setEvents] = useState<(EvidenceEvent & { marketPhase?: string | null })[] | null>(null);
  return (
    <details
      className="evidence-log"
      onToggle={(e) => {
        if ((e.target as HTMLDetailsElement).open && events === null) {
          api<{ events: (EvidenceEvent & { marketPhase?: string | null })[] }>('GET', `/api/sessions/${props.sid}/evidence?subscriber=${props.sub}`).then(
            (r) => setEvents(r.events),
            () => setEvents([]),
          );
        }
      }}
    >
      <summary>{t('evidenceLog')}</summary>
      {events === null ? (
        <p>{t('loading')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('when')}</th>
              <th scope="col">{t('site')}</th>
              <th scope="col">{t('service')}</th>
              <th scope="col">{t('identity')}</th>
              <th scope="col">{t('eventKind')}</th>
              <th scope="col">{t('marketPhase')}</th>
              <th scope="col">{t('source')}</th>
              <th scope="col">{t('detail')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{hkDateTime(e.ts, t, true)}</td>
                <td>{t(`forms.site.${e.site}` as MessageKey)}</td>
                <td>{e.service}</td>
                <td>{e.identity}</td>
                <td>{e.kind}</td>
                <td className="market-phase" data-phase={e.marketPhase ?? ''}>
                  {text(marketPhaseMessage(e.marketPhase ?? null))}
                </td>
                <td>{t(`forms.source.${e.source}` as MessageKey)}</td>
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
  const text = useServerText();
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
                  <legend>
                    {s.service} · {s.identity}
                    {role ? ` (${t(`role.${role}` as MessageKey)})` : ''}
                  </legend>
                  {p ? (
                    <p className="small">
                      {t('prefilledFrom')} {p.eventCount}
                    </p>
                  ) : null}
                  <div className="row">
                    <YesNoField
                      path={`${f}.connectedToPrimary.value`}
                      label={t('connectedToPrimary')}
                      aside={<EvidenceAside prefill={p} field="connectedToPrimary" />}
                    />
                    <TextField path={`${f}.connectedToPrimary.time`} label={t('time')} placeholder="HH:mm" nullable />
                  </div>
                  <TextField
                    path={`${f}.noticedLossAt`}
                    label={t('noticedLossAt')}
                    placeholder="HH:mm"
                    nullable
                    aside={<EvidenceAside prefill={p} field="noticedLossAt" />}
                  />
                  <div className="row">
                    <YesNoField
                      path={`${f}.reconnectedToBackup.value`}
                      label={t('reconnectedToBackup')}
                      aside={<EvidenceAside prefill={p} field="reconnectedToBackup" />}
                    />
                    <TextField path={`${f}.reconnectedToBackup.time`} label={t('time')} placeholder="HH:mm" nullable />
                  </div>
                  {trading ? (
                    <YesNoField path={`${f}.logonSequenceOk`} label={t('logonSequenceOk')} aside={<EvidenceAside prefill={p} field="logonSequenceOk" />} />
                  ) : null}
                  {trading && role !== 'drop-copy' ? (
                    <YesNoField
                      path={`${f}.orderAndCancelAcked`}
                      label={t('orderAndCancelAcked')}
                      aside={<EvidenceAside prefill={p} field="orderAndCancelAcked" />}
                    />
                  ) : null}
                  {role === 'drop-copy' ? (
                    <YesNoField
                      path={`${f}.dropCopyGapRecovered`}
                      label={t('dropCopyGapRecovered')}
                      aside={<EvidenceAside prefill={p} field="dropCopyGapRecovered" />}
                    />
                  ) : null}
                  {md ? (
                    <YesNoField
                      path={`${f}.marketDataFromBackup`}
                      label={t('marketDataFromBackup')}
                      aside={<EvidenceAside prefill={p} field="marketDataFromBackup" />}
                    />
                  ) : null}
                  {md ? (
                    <YesNoField
                      path={`${f}.retransmissionOrRefreshOk`}
                      label={t('retransmissionOrRefreshOk')}
                      aside={<EvidenceAside prefill={p} field="retransmissionOrRefreshOk" />}
                    />
                  ) : null}
                  <fieldset className="problems" data-path={`${f}.problems`}>
                    <legend>{t('problems')}</legend>
                    {s.problems.map((_, j) => (
                      <div className="row" key={j}>
                        <TextField path={`${f}.problems[${j}].time`} label={t('problemTime')} placeholder="HH:mm" />
                        <TextField path={`${f}.problems[${j}].description`} label={t('problemDescription')} />
                        <TextField path={`${f}.problems[${j}].reference`} label={t('problemReference')} />
                        {b.readOnly ? null : (
                          <button
                            type="button"
                            onClick={() =>
                              b.set(
                                `${f}.problems`,
                                s.problems.filter((__, k) => k !== j),
                              )
                            }
                          >
                            {t('removeProblem')}
                          </button>
                        )}
                      </div>
                    ))}
                    {b.readOnly ? null : (
                      <button type="button" onClick={() => b.set(`${f}.problems`, [...s.problems, { time: '', description: '', reference: '' }])}>
                        {t('addProblem')}
                      </button>
                    )}
                    {b.errors[`${f}.problems`] ? (
                      <div className="field-error" role="alert">
                        {text(b.errors[`${f}.problems`]!)}
                      </div>
                    ) : null}
                  </fieldset>
                  <SelectField
                    path={`${f}.overall`}
                    label={t('overall')}
                    aside={<EvidenceAside prefill={p} field="overall" />}
                    options={(['passed', 'passed-with-issues', 'failed', 'not-tested'] as const).map((o) => ({ value: o, label: t(`overall.${o}`) }))}
                  />
                  <YesNoField path={`${f}.returnedToPrimary`} label={t('returnedToPrimary')} aside={<EvidenceAside prefill={p} field="returnedToPrimary" />} />
                  <YesNoField path={`${f}.testDataCleaned`} label={t('testDataCleaned')} aside={<EvidenceAside prefill={p} field="testDataCleaned" />} />
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
  const sub = useSubmission<ResultForm>(props.user, props.sessionId, props.subscriberId, 'result');
  const [prefill, setPrefill] = useState<SectionPrefill[] | null>(null);
  const [contradictions, setContradictions] = useState<{ version: number | null; contradictions: ShownContradiction[] }>({ version: null, contradictions: [] });
  const [declined, setDeclined] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const { form, start } = sub.draft;
  const loadFlags = useCallback(() => {
    api<{ version: number | null; contradictions: ShownContradiction[] }>('GET', `/api/sessions/${page.sid}/forms/result/${page.sub}/contradictions`).then(
      setContradictions,
      () => {},
    );
  }, [page.sid, page.sub]);
  useEffect(() => {
    api<{ sections: SectionPrefill[] }>('GET', `/api/sessions/${page.sid}/forms/result/${page.sub}/prefill`).then(
      (r) => setPrefill(r.sections),
      () => setPrefill([]),
    );
    // A firm whose latest Appendix A declines owes no result form.
    api<FormState<IntentionForm>>('GET', `/api/sessions/${page.sid}/forms/intention/${page.sub}`).then(
      (r) => setDeclined(r.latest?.content.participate === false),
      () => {},
    );
    loadFlags();
  }, [page.sid, page.sub, loadFlags]);
  useEffect(() => {
    if (form || !page.state || !prefill) return;
    start(page.state.latest?.content ?? { sections: prefill.map(fromPrefill), signatory: { name: '', title: '' }, signedOn: hkToday() });
  }, [form, start, page.state, prefill]);
  if (page.loadError)
    return (
      <main>
        <p role="alert">{page.loadError}</p>
      </main>
    );
  if (!form || !prefill || !page.state || !page.session || !page.subscriber)
    return (
      <main>
        <p>{t('loading')}</p>
      </main>
    );
  // Contradictions concern the latest stored version: highlight them for the desk while that version is shown.
  const flagsFor = (version: number | null): Record<string, ReactNode> => {
    if (props.user.role !== 'desk' || version === null || version !== contradictions.version) return {};
    const out: Record<string, ReactNode[]> = {};
    for (const c of contradictions.contradictions) (out[contradictionPath(c.field)] ??= []).push(<ContradictionText key={c.code + c.field} c={c} />);
    return Object.fromEntries(
      Object.entries(out).map(([k, v]) => [
        k,
        <>
          {v.map((x, i) => (
            <span key={i}>
              {i ? '; ' : ''}
              {x}
            </span>
          ))}
        </>,
      ]),
    );
  };
  const editingLatest = page.state.latest && !sub.done ? page.state.latest.version : (sub.done?.version ?? null);
  return (
    <main>
      <Header title={t('appendixBTitle')} session={page.session} subscriber={page.subscriber} />
      {declined ? (
        <p className="banner late" role="note" data-declined>
          {t('forms.declinedB', { firm: page.subscriber.name })} <Link to={`/sessions/${page.sid}/forms/intention/${page.sub}`}>{t('forms.changeA')}</Link>
        </p>
      ) : null}
      <DeadlineBanner deadline={page.state.deadline} />
      <SubmitStatus done={sub.done} unchanged={sub.unchanged} />
      {props.user.role === 'desk' && contradictions.contradictions.length ? (
        <div className="banner contradiction" role="alert" data-contradictions={contradictions.contradictions.length}>
          <strong>
            ⚠ {t('contradictions')}: {contradictions.contradictions.length}
          </strong>
          <ul>
            {contradictions.contradictions.map((c) => (
              <li key={c.field + c.code}>
                {c.service} {c.identity}: <ContradictionText c={c} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <EvidenceLog sid={page.sid} sub={page.sub} />
      <DraftNote restored={sub.draft.restored} discard={sub.draft.discard} />
      <ErrorSummary errors={sub.errors} general={sub.general} />
      {sub.expired ? <SignInAgain /> : null}
      {view.content ? (
        <section className="readonly" aria-label={`${t('viewing')} ${view.viewing}`}>
          <h2>
            {t('viewing')} {view.viewing}
          </h2>
          <Binding.Provider value={{ value: { form: view.content }, set: () => {}, errors: {}, flags: flagsFor(view.viewing), readOnly: true }}>
            <ResultFields prefill={prefill} />
          </Binding.Provider>
        </section>
      ) : (
        <Submitter
          sid={page.sid}
          sub={page.sub}
          kind="result"
          form={form}
          disabled={!confirmed}
          {...sub.submitterProps}
          onDone={(v) => {
            sub.submitted(v);
            setConfirmed(false);
            void page.reload();
            loadFlags();
          }}
        >
          {sub.onBehalf ? <OnBehalf firm={page.subscriber.name} reason={sub.reason} setReason={sub.setReason} errors={sub.errors} /> : null}
          <Binding.Provider value={{ value: { form }, set: sub.draft.set, errors: sub.errors, flags: flagsFor(editingLatest) }}>
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
