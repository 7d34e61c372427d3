// The firms, for desk officers: each with its identities, its contacts (who
// the desk calls or writes to) and its users.
import { useEffect, useState } from 'react';
import type { Contact, Subscriber, UserAccount } from '../../src/desk/domain/types.ts';
import type { SeriesOutcome } from '../../src/desk/domain/series.ts';
import { api } from './api.ts';
import { hkDateTime, useI18n, type MessageKey } from './i18n.ts';
import { Link } from './nav.tsx';
import { serverText } from './server-text.ts';
import { renderMessage } from '../../src/desk/domain/messages/index.ts';

/** One session in the firm's history (GET /api/subscribers/:id/sessions). */
interface FirmSessionStanding {
  session: { id: string; code: string; date: string; series: { id: string; order: number } | null };
  outcome: SeriesOutcome;
  retake: boolean;
}

export function SubscriberList() {
  const { t, lang } = useI18n();
  const [firms, setFirms] = useState<Subscriber[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ subscribers: Subscriber[] }>('GET', '/api/subscribers').then(
      (r) => setFirms(r.subscribers),
      (e: unknown) => setError(serverText(e, t, lang)),
    );
  }, []);
  return (
    <main>
      <h1>{t('subscribersPage')}</h1>
      <p className="actions">
        <Link to="/subscribers/import">{t('importSubscribers')}</Link>
      </p>
      {error ? <p role="alert">{error}</p> : null}
      {firms === null ? (
        <p>{t('loading')}</p>
      ) : (
        <table className="subscribers">
          <thead>
            <tr>
              <th scope="col">{t('subscriber')}</th>
              <th scope="col">{t('participantCode')}</th>
              <th scope="col">{t('primaryContact')}</th>
              <th scope="col">{t('firmAlternateContact')}</th>
            </tr>
          </thead>
          <tbody>
            {firms.map((f) => (
              <tr key={f.id} data-firm={f.id}>
                <th scope="row">
                  <Link to={`/subscribers/${encodeURIComponent(f.id)}`}>{f.name}</Link> <span className="small">({f.id})</span>
                </th>
                <td>{f.participantCode}</td>
                <td>
                  <ContactLine contact={f.contacts.primary} />
                </td>
                <td>{f.contacts.alternate ? <ContactLine contact={f.contacts.alternate} /> : t('none')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

/** One contact on one line: name, telephone links, mail link. */
export function ContactLine(props: { contact: Contact }) {
  const c = props.contact;
  const tel = (n: string) => <a href={`tel:${n.replace(/[^+0-9]/g, '')}`}>{n}</a>;
  return (
    <span className="contact">
      {c.name} · {tel(c.phone)} · {tel(c.mobile)} · <a href={`mailto:${c.email}`}>{c.email}</a>
    </span>
  );
}

function ContactBlock(props: { title: string; contact: Contact | null; kind: string }) {
  const { t } = useI18n();
  const c = props.contact;
  return (
    <section className="contact-block" data-contact={props.kind} aria-label={props.title}>
      <h3>{props.title}</h3>
      {c ? (
        <dl className="facts">
          <dt>{t('name')}</dt>
          <dd>{c.name}</dd>
          <dt>{t('phone')}</dt>
          <dd>
            <a href={`tel:${c.phone.replace(/[^+0-9]/g, '')}`}>{c.phone}</a>
          </dd>
          <dt>{t('mobile')}</dt>
          <dd>
            <a href={`tel:${c.mobile.replace(/[^+0-9]/g, '')}`}>{c.mobile}</a>
          </dd>
          <dt>{t('email')}</dt>
          <dd>
            <a href={`mailto:${c.email}`}>{c.email}</a>
          </dd>
        </dl>
      ) : (
        <p>{t('none')}</p>
      )}
    </section>
  );
}

export function SubscriberPage(props: { subscriberId: string }) {
  const { t, lang } = useI18n();
  const id = encodeURIComponent(props.subscriberId);
  const [firm, setFirm] = useState<Subscriber | null>(null);
  const [users, setUsers] = useState<UserAccount[]>([]);
  const [history, setHistory] = useState<FirmSessionStanding[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ subscriber: Subscriber }>('GET', `/api/subscribers/${id}`).then(
      (r) => setFirm(r.subscriber),
      (e: unknown) => setError(serverText(e, t, lang)),
    );
    api<{ sessions: FirmSessionStanding[] }>('GET', `/api/subscribers/${id}/sessions`).then(
      (r) => setHistory(r.sessions),
      () => {},
    );
    api<{ users: UserAccount[] }>('GET', '/api/users').then(
      (r) => setUsers(r.users.filter((u) => u.subscriberId === props.subscriberId)),
      () => {},
    );
  }, [id]);
  if (error)
    return (
      <main>
        <p role="alert">{error}</p>
      </main>
    );
  if (!firm)
    return (
      <main>
        <p>{t('loading')}</p>
      </main>
    );
  return (
    <main>
      <p>
        <Link to="/subscribers">{t('subscribersPage')}</Link>
      </p>
      <h1>{firm.name}</h1>
      <dl className="facts">
        <dt>{t('participantCode')}</dt>
        <dd>{firm.participantCode}</dd>
        <dt>{t('hsnPorts')}</dt>
        <dd>{firm.hsnPorts.join(', ')}</dd>
      </dl>
      <h2>{t('contacts')}</h2>
      <div className="contacts">
        <ContactBlock title={t('primaryContact')} contact={firm.contacts.primary} kind="primary" />
        <ContactBlock title={t('firmAlternateContact')} contact={firm.contacts.alternate} kind="alternate" />
      </div>
      <h2>{t('identities')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('service')}</th>
            <th scope="col">{t('identity')}</th>
            <th scope="col">{t('userRole')}</th>
          </tr>
        </thead>
        <tbody>
          {firm.identities.map((i) => (
            <tr key={i.service + i.identity}>
              <td>{i.service}</td>
              <td>{i.identity}</td>
              <td>{t(`role.${i.role}` as MessageKey)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('firmSessions')}</h2>
      {history.length ? (
        <table className="firm-sessions">
          <thead>
            <tr>
              <th scope="col">{t('series')}</th>
              <th scope="col">{t('code')}</th>
              <th scope="col">{t('date')}</th>
              <th scope="col">{t('seriesHistory')}</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={h.session.id} data-firm-session={h.session.id} data-outcome={h.outcome} data-retake={String(h.retake)}>
                <td>{h.session.series ? `${h.session.series.id} #${h.session.series.order}` : '—'}</td>
                <th scope="row">
                  <Link to={`/sessions/${encodeURIComponent(h.session.id)}`}>{h.session.code}</Link> <span className="small">({h.session.id})</span>
                </th>
                <td>{h.session.date}</td>
                <td className={`outcome ${h.outcome}`}>
                  {renderMessage({ code: `series.outcome.${h.outcome}` }, lang)}
                  {h.retake ? (
                    <>
                      {' '}
                      <span className="badge retake" title={t('retakeTitle')}>
                        {t('retake')}
                      </span>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t('none')}</p>
      )}
      <h2>{t('firmUsers')}</h2>
      {users.length ? (
        <ul>
          {users.map((u) => (
            <li key={u.id}>
              {u.displayName} ({u.username})
              {u.disabled ? (
                <>
                  {' '}
                  <span className="badge missing">{t('userDisabledSince', { at: hkDateTime(u.disabledAt!, t) })}</span>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('none')}</p>
      )}
      <p>
        <Link to={`/audit?entity=subscriber&entityId=${id}`}>{t('firmAudit')}</Link>
      </p>
    </main>
  );
}
