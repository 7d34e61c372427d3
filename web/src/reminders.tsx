// Reminders on the session page: who would be reminded of which form, at which
// addresses (with or without a mail server), the button that sends them when
// the desk has one, and every reminder already sent.
import { useCallback, useEffect, useState } from 'react';
import type { FormKind, UserAccount } from '../../src/desk/domain/types.ts';
import type { Message } from '../../src/desk/domain/messages/index.ts';
import { api } from './api.ts';
import { hkDateTime, useI18n } from './i18n.ts';
import { serverText } from './server-text.ts';
import { renderMessage } from '../../src/desk/domain/messages/index.ts';

interface Preview {
  kind: FormKind;
  subscriberId: string;
  name: string;
  participantCode: string;
  recipients: string[];
}
interface Sent {
  subscriberId: string;
  kind: FormKind;
  sentAt: string;
  recipients: string[];
  actor: string;
  manual: boolean;
}
interface Overview {
  mailer: boolean;
  note?: Message;
  preview: Record<FormKind, Preview[]>;
  sent: Sent[];
}
interface SendResult {
  sent: { subscriberId: string; to: string[] }[];
  failed: { subscriberId: string; error: string; text?: Message }[];
}

type Only = '' | 'retake' | 'not-ready';

/**
 * `retake`: the session has firms to retake, so the panel offers to remind only them;
 * `notReady`: some firms will take part without having passed a readiness check, so it
 * offers to remind only them (of the check, not of a form).
 */
export function ReminderPanel(props: { sessionId: string; names: Record<string, string>; retake?: boolean; notReady?: boolean }) {
  const { t, lang } = useI18n();
  const sid = encodeURIComponent(props.sessionId);
  const [data, setData] = useState<Overview | null>(null);
  const [users, setUsers] = useState<UserAccount[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Only>('');
  // A choice the session no longer offers (no firm left to retake, every firm ready) falls back to all.
  const only: Only = (chosen === 'retake' && props.retake) || (chosen === 'not-ready' && props.notReady) ? chosen : '';
  const load = useCallback(() => {
    api<Overview>('GET', `/api/sessions/${sid}/reminders/overview${only ? `?only=${only}` : ''}`).then(setData, (e: unknown) =>
      setError(serverText(e, t, lang)),
    );
  }, [sid, t, lang, only]);
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => {
    api<{ users: UserAccount[] }>('GET', '/api/users').then(
      (r) => setUsers(r.users),
      () => {},
    );
  }, [sid]);

  async function send(kind: FormKind) {
    setStatus(null);
    setError(null);
    try {
      const r = await api<SendResult>('POST', `/api/sessions/${sid}/reminders`, only ? { kind, only } : { kind });
      const failed = r.failed.map((f) => (f.text ? renderMessage(f.text, lang) : `${f.subscriberId}: ${f.error}`));
      setStatus(
        `${t('remindersSent')}: ${r.sent.map((x) => props.names[x.subscriberId] ?? x.subscriberId).join(', ') || '0'}${failed.length ? ` — ${failed.join('; ')}` : ''}`,
      );
    } catch (e) {
      setError(serverText(e, t, lang));
    }
    load();
  }

  if (!data)
    return (
      <section aria-labelledby="rem-h">
        <h2 id="rem-h">{t('remindersHeading')}</h2>
        <p>{error ?? t('loading')}</p>
      </section>
    );
  const by = (s: Sent) => (s.manual ? (users.find((u) => u.id === s.actor)?.displayName ?? s.actor) : t('automatic'));
  return (
    <section aria-labelledby="rem-h" className="reminders" data-mailer={String(data.mailer)}>
      <h2 id="rem-h">{t('remindersHeading')}</h2>
      {data.note ? (
        <p className="banner late" data-reminder-note>
          {renderMessage(data.note, lang)}
        </p>
      ) : null}
      {props.retake ? (
        <div className="field inline">
          <input id="remind-only-retake" type="checkbox" checked={only === 'retake'} onChange={(e) => setChosen(e.target.checked ? 'retake' : '')} />
          <label htmlFor="remind-only-retake">{t('onlyRetake')}</label>
        </div>
      ) : null}
      {props.notReady ? (
        <div className="field inline">
          <input id="remind-only-not-ready" type="checkbox" checked={only === 'not-ready'} onChange={(e) => setChosen(e.target.checked ? 'not-ready' : '')} />
          <label htmlFor="remind-only-not-ready">{t('onlyNotReady')}</label>
        </div>
      ) : null}
      {/* The firms not ready get one reminder, of the readiness check, whatever forms they returned. */}
      {(only === 'not-ready' ? (['intention'] as const) : (['intention', 'result'] as const)).map((kind) => {
        const list = data.preview[kind];
        return (
          <div key={kind} className="reminder-kind" data-kind={only === 'not-ready' ? 'not-ready' : kind}>
            <h3>
              {only === 'not-ready' ? t('notReadyWouldRemind') : `${kind === 'intention' ? t('appendixATitle') : t('appendixBTitle')} — ${t('wouldRemind')}`}
            </h3>
            {list.length === 0 ? (
              <p>{t('nobodyToRemind')}</p>
            ) : (
              <table className="reminder-preview">
                <thead>
                  <tr>
                    <th scope="col">{t('subscriber')}</th>
                    <th scope="col">{t('formKind')}</th>
                    <th scope="col">{t('recipients')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((p) => (
                    <tr key={p.subscriberId} data-preview={p.subscriberId}>
                      <th scope="row">
                        {p.name} <span className="small">{p.participantCode}</span>
                      </th>
                      <td>{only === 'not-ready' ? t('readiness') : kind === 'intention' ? t('appendixA') : t('appendixB')}</td>
                      <td>{p.recipients.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <button type="button" disabled={!data.mailer || list.length === 0} onClick={() => send(kind)}>
              {only === 'not-ready' ? t('remindReadiness') : kind === 'intention' ? t('remindA') : t('remindB')}
            </button>
          </div>
        );
      })}
      {status ? <p role="status">{status}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      <h3>{t('sentReminders')}</h3>
      {data.sent.length === 0 ? (
        <p>{t('noRemindersSent')}</p>
      ) : (
        <table className="reminders-sent">
          <thead>
            <tr>
              <th scope="col">{t('sentAt')}</th>
              <th scope="col">{t('subscriber')}</th>
              <th scope="col">{t('formKind')}</th>
              <th scope="col">{t('recipients')}</th>
              <th scope="col">{t('sentBy')}</th>
            </tr>
          </thead>
          <tbody>
            {data.sent.map((s, i) => (
              <tr key={i} data-sent={s.subscriberId} data-kind={s.kind}>
                <td>{hkDateTime(s.sentAt, t)}</td>
                <td>{props.names[s.subscriberId] ?? s.subscriberId}</td>
                <td>{s.kind === 'intention' ? t('appendixA') : t('appendixB')}</td>
                <td>{s.recipients.join(', ')}</td>
                <td>{by(s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
