// The probe's evidence report (JSON: identities, cases with their step logs, evidence events,
// timings) and its human summary (text tables: one row per service and identity, then every case
// that did not pass with the step that failed and why).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CaseStatus } from './cases.ts';
import type { ProbeReport } from './types.ts';

export const PROBE_REPORT_VERSION = 1;

/** Writes the report as JSON (creating the folder). */
export function writeProbeReport(path: string, report: ProbeReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ version: PROBE_REPORT_VERSION, ...report }, null, 2) + '\n');
}

const MARK: Record<CaseStatus, string> = { passed: 'passed', failed: 'FAILED', pending: 'pending', 'not tested': 'not tested' };

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 10_000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The human summary: per service and identity, then the cases that did not pass. */
export function formatProbeSummary(report: ProbeReport): string {
  const out: string[] = [];
  const faults = Object.entries(report.faults)
    .filter(([, v]) => v)
    .map(([k]) => k);
  out.push(
    `Probe ${report.firm} (${report.name}), session ${report.session}: ${MARK[report.result]}${faults.length ? `  [deliberately faulty: ${faults.join(', ')}]` : ''}`,
  );
  out.push('');
  const rows: string[][] = [['service', 'identity', 'result', 'cases', 'recovery', 'reason']];
  for (const s of report.services) {
    const n = (st: CaseStatus) => s.cases.filter((c) => c.status === st).length;
    const failed = s.cases.find((c) => c.status === 'failed');
    rows.push([
      s.service,
      s.identity + (s.dropCopy ? ` (+${s.dropCopy})` : ''),
      MARK[s.result],
      `${n('passed')}/${s.cases.length} passed${n('failed') ? `, ${n('failed')} failed` : ''}${n('not tested') ? `, ${n('not tested')} not tested` : ''}`,
      formatDuration(s.recoveryMs),
      failed ? `${failed.id}: ${failed.failedStep}: ${failed.reason ?? ''}` : '',
    ]);
  }
  out.push(...table(rows));
  const notPassed = report.services.flatMap((s) => s.cases.filter((c) => c.status !== 'passed').map((c) => ({ s, c })));
  if (notPassed.length) {
    out.push('');
    const r2: string[][] = [['service', 'case', 'status', 'step', 'why']];
    for (const { s, c } of notPassed) r2.push([s.service, c.id, MARK[c.status], c.failedStep ?? '', c.reason ?? '']);
    out.push(...table(r2));
  }
  return out.join('\n');
}

/** Every case with its steps and their logs, for `--verbose` style output. */
export function formatCaseLog(report: ProbeReport): string {
  const out: string[] = [];
  for (const s of report.services) {
    for (const c of s.cases) {
      out.push(`${s.service} ${s.identity} ${c.id}: ${MARK[c.status]}${c.reason ? ` (${c.reason})` : ''}`);
      for (const st of c.steps) {
        out.push(
          `  [${st.kind}] ${st.text}: ${MARK[st.status]}${st.answer !== undefined ? ` = ${st.answer}` : ''}${st.reason && st.status !== 'failed' ? ` (${st.reason})` : ''}`,
        );
        for (const l of st.log) out.push(`      ${new Date(l.at).toISOString().slice(11, 23)} ${l.text}`);
      }
    }
  }
  return out.join('\n');
}
