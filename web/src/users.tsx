// User administration for desk officers: every account with its state, a new
// desk officer or firm user, disable / enable, a new password.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Subscriber, User, UserAccount } from '../../src/desk/domain/types.ts';
import { api, fieldMessages } from './api.ts';
import { Binding, ErrorSummary, SelectField, TextField, type ServerText } from './fields.tsx';
import { hkDateTime, useI18n, type MessageKey } from './i18n.ts';
import { Link } from './nav.tsx';
import { serverText } from './server-text.ts';

interface NewUser {
  username: string;
  displayName: string;
  role: string;
  subscriberId: string;
  password: string;
}
const EMPTY: NewUser = { username: '', displayName: '', role: 'subscriber', subscriberId: '', password: '' };

function PasswordReset(props: { user: UserAccount; onDone(text: string): void; onError(text: string): void }) {
  const { t, lang } = useI18n();
  const [password, setPassword] = useState('');
  const id = `pw-${props.user.id}`;
  return (
    <form
      className="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api('POST', `/api/users/${encodeURIComponent(props.user.id)}/password`, { password });
          setPassword('');
          props.onDone(t('passwordResetDone', { username: props.user.username }));
        } catch (err) {
          props.onError(serverText(err, t, lang));
        }
      }}
    >
      <label htmlFor={id}>{t('newPasswordFor', { username: props.user.username })}</label>{' '}
      <input id={id} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />{' '}
      <button type="submit">{t('resetPassword')}</button>
    </form>
  );
}

export function UsersPage(props: { me: User }) {
  const { t, lang } = useI18n();
  const [users, setUsers] = useState<UserAccount[] | null>(null);
  const [firms, setFirms] = useState<Subscriber[]>([]);
  const [draft, setDraft] = useState<NewUser>(EMPTY);
  const [errors, setErrors] = useState<Record<string, ServerText>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const load = useCallback(() => {
    api<{ users: UserAccount[] }>('GET', '/api/users').then(
      (r) => setUsers(r.users),
      (e: unknown) => setFailure(serverText(e, t, lang)),
    );
  }, [t, lang]);
  useEffect(() => {
    load();
    api<{ subscribers: Subscriber[] }>('GET', '/api/subscribers').then(
      (r) => setFirms(r.subscribers),
      () => {},
    );
  }, []);
  const done = (text: string) => {
    setStatus(text);
    setFailure(null);
    load();
  };
  const failed = (text: string) => {
    setFailure(text);
    setStatus(null);
  };

  async function create(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setGeneral(null);
    setStatus(null);
    const body = {
      username: draft.username.trim().toLowerCase(),
      displayName: draft.displayName,
      role: draft.role,
      password: draft.password,
      ...(draft.role === 'subscriber' ? { subscriberId: draft.subscriberId || undefined } : {}),
    };
    try {
      const r = await api<{ user: UserAccount }>('POST', '/api/users', body);
      setDraft(EMPTY);
      done(t('userCreated', { username: r.user.username }));
    } catch (err) {
      const fe = fieldMessages(err, 'user.');
      setErrors(fe);
      if (!Object.keys(fe).length) setGeneral(serverText(err, t, lang));
    }
  }

  async function toggle(u: UserAccount) {
    try {
      await api('POST', `/api/users/${encodeURIComponent(u.id)}/${u.disabled ? 'enable' : 'disable'}`);
      done(t(u.disabled ? 'userEnabledDone' : 'userDisabledDone', { username: u.username }));
    } catch (err) {
      failed(serverText(err, t, lang));
    }
  }

  const firmName = (id: string | null) => firms.find((f) => f.id === id)?.name ?? id ?? '';
  return (
    <main>
      <h1>{t('usersPage')}</h1>
      {status ? <p role="status">{status}</p> : null}
      {failure ? <p role="alert">{failure}</p> : null}
      {users === null ? (
        <p>{t('loading')}</p>
      ) : (
        <table className="users">
          <thead>
            <tr>
              <th scope="col">{t('username')}</th>
              <th scope="col">{t('displayName')}</th>
              <th scope="col">{t('userRole')}</th>
              <th scope="col">{t('userStatus')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-user={u.username} data-disabled={String(u.disabled)} className={u.disabled ? 'disabled' : undefined}>
                <th scope="row" className="nowrap">
                  {u.username}
                </th>
                <td>{u.displayName}</td>
                <td>
                  {t(`userRole.${u.role}` as MessageKey)}
                  {u.subscriberId ? (
                    <>
                      {' '}
                      — <Link to={`/subscribers/${encodeURIComponent(u.subscriberId)}`}>{firmName(u.subscriberId)}</Link>
                    </>
                  ) : null}
                </td>
                <td>
                  {u.disabled ? (
                    <span className="badge missing">{t('userDisabledSince', { at: hkDateTime(u.disabledAt!, t) })}</span>
                  ) : (
                    <span className="badge ok">{t('userActive')}</span>
                  )}
                </td>
                <td>
                  <div className="user-actions">
                    {u.id === props.me.id ? null : (
                      <button type="button" onClick={() => toggle(u)}>
                        {u.disabled ? t('enableUser') : t('disableUser')}
                      </button>
                    )}
                    <PasswordReset user={u} onDone={done} onError={failed} />
                    <Link to={`/audit?entity=user&entityId=${encodeURIComponent(u.id)}`}>{t('auditLog')}</Link>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section aria-labelledby="new-user-h">
        <h2 id="new-user-h">{t('newUser')}</h2>
        <ErrorSummary errors={errors} general={general} />
        <form onSubmit={create}>
          <Binding.Provider value={{ value: { user: draft }, set: (p, v) => setDraft((d) => ({ ...d, [p.replace(/^user\./, '')]: v })), errors }}>
            <TextField path="user.username" label={t('username')} />
            <TextField path="user.displayName" label={t('displayName')} />
            <SelectField
              path="user.role"
              label={t('userRole')}
              options={[
                { value: 'subscriber', label: t('userRole.subscriber') },
                { value: 'desk', label: t('userRole.desk') },
              ]}
            />
            {draft.role === 'subscriber' ? (
              <SelectField
                path="user.subscriberId"
                label={t('firm')}
                options={[{ value: '', label: t('chooseFirm') }, ...firms.map((f) => ({ value: f.id, label: `${f.name} (${f.id})` }))]}
              />
            ) : null}
            <TextField path="user.password" label={t('initialPassword')} type="password" />
          </Binding.Provider>
          <button type="submit">{t('createUser')}</button>
        </form>
      </section>
    </main>
  );
}
