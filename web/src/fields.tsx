// Form fields bound to a path in one form object ("form.sections[0].overall"),
// the same dotted paths the API names in its validation errors, so each
// server message lands next to the field it concerns. Every field has a <label>.
import { createContext, useContext, useId, type ReactNode } from 'react';
import { renderMessage, type Message } from '../../src/desk/domain/messages/index.ts';
import { useI18n, type MessageKey } from './i18n.ts';

/** A text from the server: a message rendered in the page's language, or (older answers) plain text. */
export type ServerText = string | Message;

export function useServerText(): (x: ServerText) => string {
  const { lang } = useI18n();
  return (x) => (typeof x === 'string' ? x : renderMessage(x, lang));
}

type Obj = Record<string, unknown>;

function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

export function getIn(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of parsePath(path)) cur = cur == null ? undefined : (cur as Obj)[k as string];
  return cur;
}

export function setIn<T>(obj: T, path: string, value: unknown): T {
  const keys = parsePath(path);
  const rec = (cur: unknown, i: number): unknown => {
    if (i === keys.length) return value;
    const k = keys[i]!;
    if (typeof k === 'number') {
      const arr = Array.isArray(cur) ? [...cur] : [];
      arr[k] = rec(arr[k], i + 1);
      return arr;
    }
    const o = { ...((cur as Obj | undefined) ?? {}) };
    o[k] = rec(o[k], i + 1);
    return o;
  };
  return rec(obj, 0) as T;
}

export interface FormBinding {
  /** The object paths are resolved against, e.g. `{ form }`. */
  value: unknown;
  set(path: string, v: unknown): void;
  errors: Record<string, ServerText>;
  /** Paths the desk must see highlighted (contradictions), path → what to show. */
  flags?: Record<string, ReactNode>;
  readOnly?: boolean;
}

export const Binding = createContext<FormBinding>({ value: {}, set: () => {}, errors: {} });

export function fieldDomId(path: string): string {
  return 'f-' + path.replace(/[^A-Za-z0-9_-]/g, '_');
}

function FieldShell(props: {
  path: string;
  label: string;
  children: (id: string, describedBy: string | undefined) => ReactNode;
  aside?: ReactNode;
  inline?: boolean;
}) {
  const b = useContext(Binding);
  const id = fieldDomId(props.path);
  const err = b.errors[props.path];
  const flag = b.flags?.[props.path];
  const { t } = useI18n();
  const text = useServerText();
  const errId = err ? id + '-err' : undefined;
  const flagId = flag ? id + '-flag' : undefined;
  const asideId = props.aside ? id + '-ev' : undefined;
  const describedBy = [errId, flagId, asideId].filter(Boolean).join(' ') || undefined;
  const aside = props.aside ? (
    <span id={asideId} className="aside">
      {props.aside}
    </span>
  ) : null;
  return (
    <div className={`field${props.inline ? ' inline' : ''}${err ? ' has-error' : ''}${flag ? ' contradicted' : ''}`} data-path={props.path}>
      {props.inline ? null : <label htmlFor={id}>{props.label}</label>}
      {props.inline ? (
        <>
          {props.children(id, describedBy)}
          <label htmlFor={id}>{props.label}</label>
          {aside}
        </>
      ) : (
        <div className="control-line">
          {props.children(id, describedBy)}
          {aside}
        </div>
      )}
      {err ? (
        <div className="field-error" id={errId} role="alert">
          {text(err)}
        </div>
      ) : null}
      {flag ? (
        <div className="field-flag" id={flagId}>
          <strong>{t('contradicted')}:</strong> {flag}
        </div>
      ) : null}
    </div>
  );
}

export function TextField(props: { path: string; label: string; type?: string; placeholder?: string; aside?: ReactNode; nullable?: boolean }) {
  const b = useContext(Binding);
  const v = getIn(b.value, props.path);
  return (
    <FieldShell path={props.path} label={props.label} aside={props.aside}>
      {(id, d) => (
        <input
          id={id}
          name={props.path}
          type={props.type ?? 'text'}
          value={v == null ? '' : String(v)}
          placeholder={props.placeholder}
          readOnly={b.readOnly}
          aria-invalid={b.errors[props.path] ? true : undefined}
          aria-describedby={d}
          onChange={(e) => b.set(props.path, props.nullable && e.target.value === '' ? null : e.target.value)}
        />
      )}
    </FieldShell>
  );
}

export function TextArea(props: { path: string; label: string; rows?: number }) {
  const b = useContext(Binding);
  const v = getIn(b.value, props.path);
  return (
    <FieldShell path={props.path} label={props.label}>
      {(id, d) => (
        <textarea
          id={id}
          name={props.path}
          rows={props.rows ?? 6}
          value={v == null ? '' : String(v)}
          readOnly={b.readOnly}
          aria-invalid={b.errors[props.path] ? true : undefined}
          aria-describedby={d}
          onChange={(e) => b.set(props.path, e.target.value)}
        />
      )}
    </FieldShell>
  );
}

export function CheckField(props: { path: string; label: string; aside?: ReactNode }) {
  const b = useContext(Binding);
  const v = getIn(b.value, props.path) === true;
  return (
    <FieldShell path={props.path} label={props.label} inline aside={props.aside}>
      {(id, d) => (
        <input
          id={id}
          name={props.path}
          type="checkbox"
          checked={v}
          disabled={b.readOnly}
          aria-invalid={b.errors[props.path] ? true : undefined}
          aria-describedby={d}
          onChange={(e) => b.set(props.path, e.target.checked)}
        />
      )}
    </FieldShell>
  );
}

/** Yes / No / unanswered (null) as a select, for answers the evidence may leave open. */
export function YesNoField(props: { path: string; label: string; aside?: ReactNode; allowNull?: boolean }) {
  const b = useContext(Binding);
  const { t } = useI18n();
  const v = getIn(b.value, props.path);
  const s = v === true ? 'yes' : v === false ? 'no' : '';
  return (
    <FieldShell path={props.path} label={props.label} aside={props.aside}>
      {(id, d) => (
        <select
          id={id}
          name={props.path}
          value={s}
          disabled={b.readOnly}
          aria-invalid={b.errors[props.path] ? true : undefined}
          aria-describedby={d}
          onChange={(e) => b.set(props.path, e.target.value === 'yes' ? true : e.target.value === 'no' ? false : null)}
        >
          <option value="">{t('unanswered')}</option>
          <option value="yes">{t('yes')}</option>
          <option value="no">{t('no')}</option>
        </select>
      )}
    </FieldShell>
  );
}

export function SelectField(props: { path: string; label: string; options: { value: string; label: string }[]; aside?: ReactNode }) {
  const b = useContext(Binding);
  const v = getIn(b.value, props.path);
  return (
    <FieldShell path={props.path} label={props.label} aside={props.aside}>
      {(id, d) => (
        <select
          id={id}
          name={props.path}
          value={v == null ? '' : String(v)}
          disabled={b.readOnly}
          aria-invalid={b.errors[props.path] ? true : undefined}
          aria-describedby={d}
          onChange={(e) => b.set(props.path, e.target.value)}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

/** The control to focus for a path: its input, else the first control inside the element that carries the path (a group of boxes). */
function controlFor(path: string): HTMLElement | null {
  const byId = document.getElementById(fieldDomId(path));
  if (byId) return byId;
  const box = document.querySelector(`[data-path="${CSS.escape(path)}"]`);
  return box ? box.querySelector<HTMLElement>('input, select, textarea, button') : null;
}

export function focusField(path: string): boolean {
  const el = controlFor(path);
  el?.focus();
  return !!el;
}

/** Focuses the first bad field on the page (in page order), or the summary when none of them is on the page. */
export function focusFirstError(paths: readonly string[]): void {
  const found = paths.map(controlFor).filter((x): x is HTMLElement => x !== null);
  found.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  if (found[0]) found[0].focus();
  else document.querySelector<HTMLElement>('.error-summary')?.focus();
}

/** A date typed as YYYY-MM-DD whatever the browser's locale (a date input would show mm/dd/yyyy to some). */
export function DateField(props: { path: string; label: string }) {
  const b = useContext(Binding);
  const v = getIn(b.value, props.path);
  return (
    <FieldShell path={props.path} label={`${props.label} (YYYY-MM-DD)`}>
      {(id, d) => (
        <input
          id={id}
          name={props.path}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder="YYYY-MM-DD"
          pattern="\d{4}-\d{2}-\d{2}"
          maxLength={10}
          size={11}
          value={v == null ? '' : String(v)}
          readOnly={b.readOnly}
          aria-invalid={b.errors[props.path] ? true : undefined}
          aria-describedby={d}
          onChange={(e) => b.set(props.path, e.target.value)}
        />
      )}
    </FieldShell>
  );
}

/** Errors the page has no field for (or all of them, as a summary at the top), each linking to its field. */
export function ErrorSummary(props: { errors: Record<string, ServerText>; general?: string | null }) {
  const { t } = useI18n();
  const text = useServerText();
  const entries = Object.entries(props.errors);
  const labelId = useId();
  if (!entries.length && !props.general) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby={labelId} tabIndex={-1}>
      <p id={labelId}>
        <strong>{props.general ?? t('fixErrors')}</strong>
      </p>
      {entries.length ? (
        <ul>
          {entries.map(([f, m]) => (
            <li key={f}>
              <a
                href={'#' + fieldDomId(f)}
                onClick={(e) => {
                  e.preventDefault();
                  focusField(f);
                }}
              >
                {text(m)}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Msg(props: { k: MessageKey }) {
  return <>{useI18n().t(props.k)}</>;
}
