// The rundown: a YAML file of steps, each with a time, an action the conductor
// knows and a bilingual description (docs/architecture.md, contract 2).
// Validated by walking the YAML nodes themselves so every error names the
// line and column of what is wrong.
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';
import { parseHongKongDate, parseStepTime, type StepTime } from './hong-kong-time.ts';

export const RUNDOWN_ACTIONS = [
  'announce',
  // Readiness checks (`failover-drill preflight`) before the session day: the sites take logons
  // until the step's `until`, and refuse them from then until open-primary.
  'open-connectivity-test',
  'open-primary',
  'pre-open',
  'continuous-trading',
  'closing-auction',
  'halt',
  'resume',
  'isolate-primary',
  'activate-backup',
  'inject-fault',
  'close',
  'fail-back',
  'clean-up',
] as const;
export type RundownAction = (typeof RUNDOWN_ACTIONS)[number];

/** How the primary is lost when it is isolated: the shapes a backbone change takes. */
export const ISOLATION_FAULTS = ['tcp-reset', 'blackhole', 'flap', 'multicast-stop', 'kill'] as const;
export type IsolationFault = (typeof ISOLATION_FAULTS)[number];

/** Faults injectable on their own (inject-fault), without a failover; `clear` ends them. */
export const INJECTABLE_FAULTS = ['tcp-reset', 'blackhole', 'flap', 'multicast-stop', 'loss-line-a', 'kill', 'clear'] as const;
export type InjectableFault = (typeof INJECTABLE_FAULTS)[number];

export interface BilingualText {
  en: string;
  /** Traditional Chinese. */
  zh: string;
}

export interface InjectedFault {
  kind: InjectableFault;
  /** The site it is injected at (default primary). */
  site: 'primary' | 'backup';
  /** Further parameters passed to the site as they are (e.g. durationMs, lossRate). */
  params: Record<string, string | number | boolean>;
}

export interface RundownStep {
  /** 0-based position in the file. */
  index: number;
  /** Where the step starts in the file (1-based), for messages. */
  line: number;
  /** The time as written. */
  at: string;
  time: StepTime;
  /** Epoch ms of the step in Hong Kong time, offsets and clock times resolved. */
  atMs: number;
  action: RundownAction;
  /** isolate-primary only. */
  isolation?: IsolationFault;
  /** inject-fault only. */
  fault?: InjectedFault;
  /** open-connectivity-test only: when the window closes (epoch ms, Hong Kong time resolved) and as written. */
  untilMs?: number;
  until?: string;
  /** halt and resume only: the OTP-C security code. */
  security?: string;
  text: BilingualText;
}

export interface Rundown {
  /** Session code, e.g. PS2. */
  code: string;
  /** The session date (Saturday, Hong Kong), YYYY-MM-DD. */
  date: string;
  title: BilingualText;
  steps: RundownStep[];
}

export interface RundownIssue {
  line: number;
  col: number;
  /** Dotted path, e.g. steps[3].action. */
  path: string;
  message: string;
}

export class RundownError extends Error {
  override name = 'RundownError';
  readonly issues: RundownIssue[];
  constructor(source: string, issues: RundownIssue[]) {
    super(`${source}: invalid rundown\n` + issues.map((i) => `  ${source}:${i.line}:${i.col} ${i.path ? i.path + ': ' : ''}${i.message}`).join('\n'));
    this.issues = issues;
  }
}

export type RundownParse = { ok: true; rundown: Rundown } | { ok: false; issues: RundownIssue[] };

const TOP_KEYS = ['rundown', 'date', 'title', 'steps'];
const STEP_KEYS = ['at', 'action', 'fault', 'until', 'security', 'text'];

export function parseRundown(text: string): RundownParse {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const issues: RundownIssue[] = [];
  const at = (node: Node | null | undefined, path: string, message: string, offset?: number) => {
    const pos = lc.linePos(offset ?? node?.range?.[0] ?? 0);
    issues.push({ line: pos.line, col: pos.col, path, message });
  };
  for (const e of doc.errors) {
    const pos = lc.linePos(e.pos[0]);
    issues.push({ line: pos.line, col: pos.col, path: '', message: `YAML: ${e.message.split('\n')[0]}` });
  }
  if (issues.length) return { ok: false, issues };
  const root = doc.contents;
  if (!isMap(root)) {
    at(root as Node | null, '', 'a rundown is a mapping with rundown, date, title and steps');
    return { ok: false, issues };
  }
  unknownKeys(root, TOP_KEYS, '', at);
  const code = stringField(root, 'rundown', 'rundown', at, /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'a session code such as PS2');
  const date = stringField(root, 'date', 'date', at);
  let dateMs: number | null = null;
  if (date !== undefined) {
    dateMs = parseHongKongDate(date);
    if (dateMs === null) at(root.get('date', true) as Node, 'date', `expected a calendar date YYYY-MM-DD (Hong Kong), got ${JSON.stringify(date)}`);
  }
  const title = bilingual(root, 'title', 'title', at);
  const stepsNode = root.get('steps', true) as Node | undefined;
  const steps: RundownStep[] = [];
  if (!stepsNode) at(root, 'steps', 'missing: the list of steps');
  else if (!isSeq(stepsNode) || stepsNode.items.length === 0) at(stepsNode, 'steps', 'expected a non-empty list of steps');
  else {
    let previous: number | null = null;
    stepsNode.items.forEach((item, index) => {
      const p = `steps[${index}]`;
      const node = item as Node;
      if (!isMap(node)) return void at(node, p, 'a step is a mapping with at, action and text');
      unknownKeys(node, STEP_KEYS, p, at);
      const atText = stringField(node, 'at', `${p}.at`, at);
      let time: StepTime | null = null;
      let atMs: number | null = null;
      if (atText !== undefined) {
        time = parseStepTime(atText);
        const atNode = node.get('at', true) as Node;
        if (!time)
          at(
            atNode,
            `${p}.at`,
            `expected 2023-11-25T10:00 or 10:00 (Hong Kong time) or an offset +00:20 after the previous step, got ${JSON.stringify(atText)}`,
          );
        else if (time.kind === 'absolute') atMs = time.ms;
        else if (time.kind === 'clock') atMs = dateMs === null ? null : dateMs + Math.round(time.minutes * 60_000);
        else if (previous === null)
          at(atNode, `${p}.at`, index === 0 ? 'the first step cannot be an offset: give it a time' : 'an offset needs the previous step to have a valid time');
        else atMs = previous + time.ms;
        if (atMs !== null && previous !== null && atMs < previous) {
          at(atNode, `${p}.at`, `${atText} is earlier than the previous step: steps are in time order`);
        }
      }
      previous = atMs;
      const action = stringField(node, 'action', `${p}.action`, at);
      if (action !== undefined && !(RUNDOWN_ACTIONS as readonly string[]).includes(action)) {
        at(node.get('action', true) as Node, `${p}.action`, `unknown action ${JSON.stringify(action)}; the conductor knows ${RUNDOWN_ACTIONS.join(', ')}`);
      }
      const step: Partial<RundownStep> = { index, line: lc.linePos(node.range?.[0] ?? 0).line };
      const faultNode = node.get('fault', true) as Node | undefined;
      if (action === 'isolate-primary') {
        if (!faultNode) at(node, `${p}.fault`, `isolate-primary needs a fault: ${ISOLATION_FAULTS.join(', ')}`);
        else if (!isScalar(faultNode) || typeof faultNode.value !== 'string' || !(ISOLATION_FAULTS as readonly string[]).includes(faultNode.value)) {
          at(faultNode, `${p}.fault`, `expected one of ${ISOLATION_FAULTS.join(', ')}, got ${describe(faultNode)}`);
        } else step.isolation = faultNode.value as IsolationFault;
      } else if (action === 'inject-fault') {
        if (!faultNode) at(node, `${p}.fault`, `inject-fault needs fault: { kind: ${INJECTABLE_FAULTS.join(' | ')} }`);
        else {
          const f = injectedFault(faultNode, `${p}.fault`, at);
          if (f) step.fault = f;
        }
      } else if (faultNode && action !== undefined) {
        at(faultNode, `${p}.fault`, `only isolate-primary and inject-fault take a fault`);
      }
      const untilNode = node.get('until', true) as Node | undefined;
      if (action === 'open-connectivity-test') {
        const u = untilNode
          ? stringField(node, 'until', `${p}.until`, at)
          : void at(node, `${p}.until`, 'open-connectivity-test needs until: the time the window closes (08:20, or +00:30 after the step)');
        const ut = u === undefined ? null : parseStepTime(u);
        if (u !== undefined && !ut)
          at(untilNode, `${p}.until`, `expected 2023-11-25T08:20 or 08:20 (Hong Kong time) or an offset +00:30 after the step, got ${JSON.stringify(u)}`);
        else if (u !== undefined && ut && atMs !== null) {
          const untilMs =
            ut.kind === 'absolute' ? ut.ms : ut.kind === 'clock' ? (dateMs === null ? null : dateMs + Math.round(ut.minutes * 60_000)) : atMs + ut.ms;
          if (untilMs !== null && untilMs <= atMs) at(untilNode, `${p}.until`, `${u} is not after the step's time: the window must last a while`);
          else if (untilMs !== null) {
            step.untilMs = untilMs;
            step.until = u;
          }
        }
      } else if (untilNode && action !== undefined) {
        at(untilNode, `${p}.until`, 'only open-connectivity-test takes until');
      }
      const secNode = node.get('security', true) as Node | undefined;
      if (action === 'halt' || action === 'resume') {
        const v = secNode && isScalar(secNode) ? String(secNode.value) : undefined;
        if (!secNode) at(node, `${p}.security`, `${action} needs the security code it applies to`);
        else if (v === undefined || !/^[0-9]{1,5}$/.test(v))
          at(secNode, `${p}.security`, `expected a security code of 1 to 5 digits, got ${describe(secNode)}`);
        else step.security = v;
      } else if (secNode && action !== undefined) {
        at(secNode, `${p}.security`, 'only halt and resume take a security');
      }
      const text = bilingual(node, 'text', `${p}.text`, at);
      if (atText !== undefined && time && atMs !== null && action !== undefined && text) {
        steps.push({ ...step, at: atText, time, atMs, action: action as RundownAction, text } as RundownStep);
      }
    });
  }
  issues.sort((a, b) => a.line - b.line || a.col - b.col);
  if (issues.length || code === undefined || date === undefined || !title) return { ok: false, issues };
  return { ok: true, rundown: { code, date, title, steps } };
}

/** Parses or throws a RundownError whose message lists every issue as FILE:LINE:COL. */
export function parseRundownOrThrow(text: string, source = 'rundown'): Rundown {
  const r = parseRundown(text);
  if (!r.ok) throw new RundownError(source, r.issues);
  return r.rundown;
}

export async function loadRundown(path: string): Promise<Rundown> {
  return parseRundownOrThrow(await readFile(path, 'utf8'), path);
}

type Report = (node: Node | null | undefined, path: string, message: string) => void;

function describe(node: Node | null | undefined): string {
  if (!node) return 'nothing';
  if (isScalar(node)) return node.value === null ? 'null' : `${typeof node.value} ${JSON.stringify(node.value)}`;
  return isMap(node) ? 'a mapping' : isSeq(node) ? 'a list' : 'something else';
}

function unknownKeys(map: YAMLMap, allowed: string[], path: string, at: Report): void {
  for (const pair of map.items) {
    const key = pair.key as Node;
    const name = isScalar(key) ? String(key.value) : '?';
    if (!allowed.includes(name)) at(key, path ? `${path}.${name}` : name, `unknown field; expected ${allowed.join(', ')}`);
  }
}

function stringField(map: YAMLMap, key: string, path: string, at: Report, pattern?: RegExp, what?: string): string | undefined {
  const node = map.get(key, true) as Node | undefined;
  if (!node) return void at(map, path, 'missing');
  // Unquoted 10:00 is a string in YAML 1.2, but 2023-11-25 may be typed by other tools: ask for quotes when not a string.
  if (!isScalar(node) || typeof node.value !== 'string') return void at(node, path, `expected text, got ${describe(node)} (quote it)`);
  const v = node.value.trim();
  if (v === '') return void at(node, path, 'must not be empty');
  if (pattern && !pattern.test(v)) return void at(node, path, `expected ${what}, got ${JSON.stringify(v)}`);
  return v;
}

function bilingual(map: YAMLMap, key: string, path: string, at: Report): BilingualText | undefined {
  const node = map.get(key, true) as Node | undefined;
  if (!node) return void at(map, path, 'missing: { en: English text, zh: Traditional Chinese text }');
  if (!isMap(node)) return void at(node, path, `expected { en, zh }, got ${describe(node)}`);
  unknownKeys(node, ['en', 'zh'], path, at);
  const en = stringField(node, 'en', `${path}.en`, at);
  const zh = stringField(node, 'zh', `${path}.zh`, at);
  if (zh !== undefined && !/[\u3400-\u9fff]/.test(zh)) at(node.get('zh', true) as Node, `${path}.zh`, 'expected Chinese text (Traditional)');
  return en !== undefined && zh !== undefined ? { en, zh } : undefined;
}

function injectedFault(node: Node, path: string, at: Report): InjectedFault | undefined {
  if (!isMap(node)) return void at(node, path, `expected { kind: ${INJECTABLE_FAULTS.join(' | ')}, site?: primary | backup, … }, got ${describe(node)}`);
  const kind = stringField(node, 'kind', `${path}.kind`, at);
  if (kind !== undefined && !(INJECTABLE_FAULTS as readonly string[]).includes(kind)) {
    return void at(node.get('kind', true) as Node, `${path}.kind`, `expected one of ${INJECTABLE_FAULTS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  let site: 'primary' | 'backup' = 'primary';
  const params: Record<string, string | number | boolean> = {};
  for (const pair of node.items) {
    const k = pair.key as Node;
    const name = isScalar(k) ? String(k.value) : '?';
    if (name === 'kind') continue;
    const v = pair.value as Node | null;
    if (!v || !isScalar(v) || !['string', 'number', 'boolean'].includes(typeof v.value)) {
      at(v ?? k, `${path}.${name}`, `expected a plain value, got ${describe(v)}`);
      continue;
    }
    if (name === 'site') {
      if (v.value !== 'primary' && v.value !== 'backup') at(v, `${path}.site`, `expected primary or backup, got ${describe(v)}`);
      else site = v.value;
      continue;
    }
    params[name] = v.value as string | number | boolean;
  }
  return kind === undefined ? undefined : { kind: kind as InjectableFault, site, params };
}

/** The same rundown on another session date (a rehearsal of PS2's times on a later Saturday): every step moves by whole days. */
export function rundownOnDate(rundown: Rundown, date: string): Rundown {
  const from = parseHongKongDate(rundown.date);
  const to = parseHongKongDate(date);
  if (from === null || to === null) throw new RangeError(`not a calendar date: ${to === null ? date : rundown.date}`);
  const shift = to - from;
  return {
    ...rundown,
    date,
    steps: rundown.steps.map((s) => ({
      ...s,
      atMs: s.atMs + shift,
      ...(s.untilMs !== undefined ? { untilMs: s.untilMs + shift } : {}),
      time: s.time.kind === 'absolute' ? { kind: 'absolute', ms: s.time.ms + shift } : s.time,
    })),
  };
}
