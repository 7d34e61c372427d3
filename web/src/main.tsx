// The desk's web UI: sign in, then the desk officer's or the subscriber's screens.
// Routing is on the path (the server falls back to index.html for any page).
import { StrictMode, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api, login, whoAmI, type Me, ApiError, errorText } from './api.ts';
import { I18n, translator, useI18n, type Lang } from './i18n.ts';
import { Binding, TextField, ErrorSummary } from './fields.tsx';
import { SessionList, CreateSession, ImportSubscribers, SessionPage } from './desk.tsx';
import { IntentionFormPage, ResultFormPage } from './forms.tsx';
import { DeskNav, Link, navigate } from './nav.tsx';
import { UsersPage } from './users.tsx';
import { serverText } from './server-text.ts';
import { AuditPage } from './audit.tsx';
import { SessionEditPage } from './session-edit.tsx';
import { SubscriberList, SubscriberPage } from './subscribers.tsx';
import './style.css';

function usePath(): { path: string; search: string } {
  const [where, setWhere] = useState({ path: location.pathname, search: location.search });
  useEffect(() => {
    const on = () => setWhere({ path: location.pathname, search: location.search });
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return where;
}

function SignIn(props: { onSignedIn(me: Me): void }) {
  const { t, lang } = useI18n();
  const [value, setValue] = useState({ username: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main className="narrow">
      <h1>{t('signIn')}</h1>
      <ErrorSummary errors={errors} general={general} />
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            props.onSignedIn(await login(value.username.trim().toLowerCase(), value.password));
          } catch (err) {
            if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') {
              setErrors(Object.fromEntries(err.issues.map((i) => [i.field, i.message])));
              setGeneral(null);
            } else {
              setErrors({});
              setGeneral(serverText(err, t, lang));
            }
          } finally {
            setBusy(false);
          }
        }}
      >
        <Binding.Provider value={{ value, set: (p, v) => setValue((x) => ({ ...x, [p]: v })), errors }}>
          <TextField path="username" label={t('username')} />
          <TextField path="password" label={t('password')} type="password" />
        </Binding.Provider>
        <button type="submit" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}

function Routes(props: { me: Me }) {
  const { path, search } = usePath();
  const { t } = useI18n();
  const user = props.me.user;
  const desk = user.role === 'desk';
  let m: RegExpExecArray | null;
  if (path === '/' || path === '/sessions') return <SessionList user={user} />;
  if (path === '/sessions/new' && desk) return <CreateSession />;
  if (path === '/subscribers/import' && desk) return <ImportSubscribers />;
  if (path === '/subscribers' && desk) return <SubscriberList />;
  if (path === '/users' && desk) return <UsersPage me={user} />;
  if (path === '/audit' && desk) return <AuditPage search={search} />;
  if (desk && (m = /^\/subscribers\/([^/]+)$/.exec(path))) return <SubscriberPage key={path} subscriberId={decodeURIComponent(m[1]!)} />;
  if (desk && (m = /^\/sessions\/([^/]+)\/edit$/.exec(path))) return <SessionEditPage key={path} sessionId={decodeURIComponent(m[1]!)} />;
  if ((m = /^\/sessions\/([^/]+)\/forms\/intention\/([^/]+)$/.exec(path)))
    return <IntentionFormPage key={path} user={user} sessionId={decodeURIComponent(m[1]!)} subscriberId={decodeURIComponent(m[2]!)} />;
  if ((m = /^\/sessions\/([^/]+)\/forms\/result\/([^/]+)$/.exec(path)))
    return <ResultFormPage key={path} user={user} sessionId={decodeURIComponent(m[1]!)} subscriberId={decodeURIComponent(m[2]!)} />;
  if ((m = /^\/sessions\/([^/]+)$/.exec(path))) return <SessionPage key={path} user={user} sessionId={decodeURIComponent(m[1]!)} />;
  return (
    <main>
      <p>{t('notFound')}</p>
      <Link to="/">{t('sessions')}</Link>
    </main>
  );
}

function App() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('fd.lang') === 'zh-Hant' ? 'zh-Hant' : 'en'));
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('fd.lang', l);
    setLangState(l);
  }, []);
  const i18n = useMemo(() => ({ lang, t: translator(lang), setLang }), [lang, setLang]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('appTitle') + ' · failover-drill';
  }, [lang, i18n]);
  useEffect(() => {
    whoAmI().then(setMe, (e: unknown) => setLoadError(errorText(e, translator(lang))));
  }, []);
  const t = i18n.t;
  return (
    <I18n.Provider value={i18n}>
      <a className="skip" href="#content">
        {t('skipToContent')}
      </a>
      <header className="top">
        <Link to="/" className="brand">
          {t('appTitle')}
        </Link>
        {me?.user.role === 'desk' ? (
          <DeskNav
            label={t('deskPages')}
            links={[
              { to: '/', label: t('sessions') },
              { to: '/subscribers', label: t('subscribersPage') },
              { to: '/users', label: t('usersPage') },
              { to: '/audit', label: t('auditLog') },
            ]}
          />
        ) : null}
        <nav aria-label={t('language')}>
          <button type="button" className="lang-toggle" lang={lang === 'en' ? 'zh-Hant' : 'en'} onClick={() => setLang(lang === 'en' ? 'zh-Hant' : 'en')}>
            {t('switchLanguage')}
          </button>
          {me ? (
            <>
              <span className="who">
                {t('signedInAs')} {me.user.displayName}
              </span>
              <button
                type="button"
                onClick={async () => {
                  await api('POST', '/api/auth/logout').catch(() => {});
                  setMe(null);
                  navigate('/');
                }}
              >
                {t('signOut')}
              </button>
            </>
          ) : null}
        </nav>
      </header>
      <div id="content">
        {loadError ? (
          <p role="alert">{loadError}</p>
        ) : me === undefined ? (
          <p>{t('loading')}</p>
        ) : me === null ? (
          <SignIn onSignedIn={setMe} />
        ) : (
          <Routes me={me} />
        )}
      </div>
    </I18n.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
