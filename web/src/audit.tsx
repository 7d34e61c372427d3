// The audit log for desk officers: by entity, entity id and actor, newest
// first, a page at a time. The filter lives in the address, so other pages
// link to "the changes to this session / firm / user".
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { AuditEntry, UserAccount } from '../../src/desk/domain/types.ts';
import { api } from './api.ts';
import { hkDateTime, useI18n, type MessageKey } from './i18n.ts';
import { navigate } from './nav.tsx';
import { serverText } from './server-text.ts';

const PAGE = 50;
const ENTITIES = ['session', 'notice', 'subscriber', 'user', 'form.intention', 'form.result', 'evidence', 'bundle'];
const SYSTEM_ACTORS = ['conductor', 'seed', 'reminders', 'anonymous'];

interface Filter {
  entity: string;
  entityId: string;
  actor: string;
}

function filterFrom(search: string): Filter {
  const q = new URLSearchParams(search);
  return { entity: q.get('entity') ?? '', entityId: q.get('entityId') ?? '', actor: q.get('actor') ?? '' };
}

function query(f: Filter, before: number | null): string {
  const q = new URLSearchParams();
  if (f.entity) q.set('entity', f.entity);
  if (f.entityId) q.set('entityId', f.entityId);
  if (f.actor) q.set('actor', f.actor);
  if (before !== null) q.set('before', String(before));
  return q.toString();
}

export function AuditPage(props: { search: string }) {
  const { t, lang } = useI18n();
  const applied = useMemo(() => filterFrom(props.search), [props.search]);
  const [draft, setDraft] = useState<Filter>(applied);
  const [users, setUsers] = useState<UserAccount[]>([]);
  // Cursors of the pages seen so far: the last one is this page's `before` (null: the newest page).
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const [page, setPage] = useState<{ entries: AuditEntry[]; more: boolean; next: number | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ users: UserAccount[] }>('GET', '/api/users').then(
      (r) => setUsers(r.users),
      () => {},
    );
  }, []);
  useEffect(() => {
    setDraft(applied);
    setCursors([null]);
  }, [applied]);
  const before = cursors.at(-1) ?? null;
  useEffect(() => {
    setPage(null);
    api<{ entries: AuditEntry[]; more: boolean; next: number | null }>('GET', `/api/audit?${query(applied, before)}&limit=${PAGE}`).then(
      (r) => {
        setPage(r);
        setError(null);
      },
      (e: unknown) => setError(serverText(e, t, lang)),
    );
  }, [applied, before]);

  const actorName = (id: string) => {
    if (SYSTEM_ACTORS.includes(id)) return t(`actor.${id}` as MessageKey);
    const u = users.find((x) => x.id === id);
    return u ? `${u.displayName} (${u.username})` : id;
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/audit${query(draft, null) ? '?' + query(draft, null) : ''}`);
  };

  return (
    <main>
      <h1>{t('auditLog')}</h1>
      <form className="filters" onSubmit={apply}>
        <div className="field">
          <label htmlFor="audit-entity">{t('auditEntity')}</label>
          <select id="audit-entity" value={draft.entity} onChange={(e) => setDraft({ ...draft, entity: e.target.value })}>
            <option value="">{t('allEntries')}</option>
            {ENTITIES.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-entity-id">{t('auditEntityId')}</label>
          <input id="audit-entity-id" value={draft.entityId} onChange={(e) => setDraft({ ...draft, entityId: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">{t('auditActor')}</label>
          <select id="audit-actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })}>
            <option value="">{t('allEntries')}</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName} ({u.username})
              </option>
            ))}
            {SYSTEM_ACTORS.map((a) => (
              <option key={a} value={a}>
                {t(`actor.${a}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t('applyFilter')}</button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {page === null ? (
        <p>{t('loading')}</p>
      ) : page.entries.length === 0 ? (
        <p>{t('noEntries')}</p>
      ) : (
        <div className="table-wrap">
          <table className="audit">
            <thead>
              <tr>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('auditActor')}</th>
                <th scope="col">{t('auditAction')}</th>
                <th scope="col">{t('auditEntity')}</th>
                <th scope="col">{t('auditEntityId')}</th>
                <th scope="col">{t('auditDetail')}</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr key={e.id} data-audit-id={e.id} data-action={e.action}>
                  <td>{hkDateTime(e.at, t, true)}</td>
                  <td data-actor={e.actor}>{actorName(e.actor)}</td>
                  <td>{e.action}</td>
                  <td>{e.entity}</td>
                  <td className="small">{e.entity === 'user' ? actorName(e.entityId) : e.entityId}</td>
                  <td>
                    <AuditDetail detail={e.detail} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="actions">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('newerPage')}
        </button>
        <button
          type="button"
          disabled={!page?.more}
          onClick={() => {
            if (page?.next != null) setCursors((c) => [...c, page.next]);
          }}
        >
          {t('olderPage')}
        </button>
      </p>
    </main>
  );
}

const show = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

/** Before / after side by side where the entry has them (session edits), else the detail as JSON. */
function AuditDetail(props: { detail: Record<string, unknown> }) {
  const d = props.detail;
  const before = d.before as Record<string, unknown> | undefined,
    after = d.after as Record<string, unknown> | undefined;
  if (before && after && Array.isArray(d.changed)) {
    return (
      <dl className="audit-change">
        {(d.changed as string[]).map((k) => (
          <div key={k} data-field={k}>
            <dt>{k}</dt>
            <dd className="before">
              <del>
                <pre>{show(before[k])}</pre>
              </del>
            </dd>
            <dd className="after">
              <ins>
                <pre>{show(after[k])}</pre>
              </ins>
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <code className="small">{JSON.stringify(d)}</code>;
}
