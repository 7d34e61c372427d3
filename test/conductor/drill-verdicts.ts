// What the accelerated PS1 and PS2 end-to-end tests both check of a drill's verdicts: a faulty
// subscriber fails exactly what its fault breaks; every other line passes every case it can run,
// with a recovery time.
import assert from 'node:assert/strict';
import { NOT_EXERCISED, faultBreaksOf, type DrillResult } from '../../src/drill/index.ts';
import { MARKET_DATA_CASE_IDS, TRADING_CASE_IDS } from '../../src/probe/index.ts';

export function assertVerdicts(r: DrillResult, table: string): void {
  for (const v of r.verdicts) {
    const breaks = faultBreaksOf(v.fault, v);
    if (breaks) {
      assert.ok(v.failedCases.includes(breaks.mustFail), `${v.firm} ${v.service} ${v.identity} (${v.fault}) should fail ${breaks.mustFail}:\n${table}`);
      for (const c of v.failedCases)
        assert.ok([breaks.mustFail, ...breaks.mayFail].includes(c), `${v.firm} ${v.service} ${v.identity} also failed ${c}:\n${table}`);
      continue;
    }
    assert.equal(v.result, 'passed', `${v.firm} ${v.service} ${v.identity} should pass every case:\n${table}`);
    const report = r.reports.find((x) => x.firm === v.firm)!.services.find((s) => s.service === v.service && s.identity === v.identity)!;
    // Every case run and passed: book-rebuilt (OMD) and return-to-primary (after the fail back) included.
    assert.equal(
      report.cases.length,
      v.service.startsWith('OTP') ? TRADING_CASE_IDS.length : MARKET_DATA_CASE_IDS.length,
      `${v.firm} ${v.service} ${v.identity} case count`,
    );
    for (const c of report.cases) {
      // The day's phases are the securities market's, on OMD-C: the China Connect feed has none to check the books across.
      const expected = (NOT_EXERCISED[v.service] ?? []).includes(c.id) ? 'not tested' : 'passed';
      assert.equal(c.status, expected, `${v.firm} ${v.service} ${v.identity} ${c.id}: ${c.status} ${c.reason ?? ''}`);
    }
    assert.ok(v.recoveryMs !== null && v.recoveryMs > 0, `${v.firm} ${v.service} ${v.identity} has a recovery time`);
  }
}
