// Verification cases (practice-session.md "Automatic verification"): step transitions, a case's
// status from its steps, dependencies (a failed prerequisite makes dependents `not tested`, never
// failed twice), and the end-of-run closing rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CaseBook, MARKET_DATA_CASE_IDS, TRADING_CASE_IDS, casesFor } from '../../src/probe/index.ts';

const book = (service: 'OTP-C' | 'OMD-C' = 'OTP-C') => {
  let t = 1_000;
  return new CaseBook(service, 'ID1', () => t++);
};

describe('test cases per service', () => {
  it('trading and market-data services get their case lists, all not tested at first', () => {
    assert.deepEqual(
      casesFor('OTP-CSC', 'X').map((c) => c.id),
      [...TRADING_CASE_IDS],
    );
    assert.deepEqual(
      casesFor('OMD-CC', 'Y').map((c) => c.id),
      [...MARKET_DATA_CASE_IDS],
    );
    assert.equal(casesFor('OTP-C', 'X').length, TRADING_CASE_IDS.length);
    for (const c of casesFor('OTP-C', 'X')) {
      assert.equal(c.status, 'not tested');
      assert.ok(c.steps.length > 0);
      assert.ok(c.steps.every((s) => ['client', 'venue', 'question'].includes(s.kind)));
    }
  });

  it('a case is pending once a step is logged, passed when every step passed', () => {
    const b = book();
    b.log('connect-primary', 'lookup-primary', 'asking PS-primary');
    assert.equal(b.status('connect-primary'), 'pending');
    b.pass('connect-primary', 'lookup-primary', 'answered');
    b.pass('connect-primary', 'logon-trading', 'logged on');
    assert.equal(b.status('connect-primary'), 'pending');
    b.pass('connect-primary', 'logon-drop-copy', 'logged on');
    assert.equal(b.status('connect-primary'), 'passed');
    const s = b.step('connect-primary', 'lookup-primary');
    assert.deepEqual(
      s.log.map((l) => l.text),
      ['asking PS-primary', 'answered'],
    );
    assert.equal(typeof s.at, 'number');
  });

  it('a failed step fails the case with the step and the reason; a step ends once', () => {
    const b = book();
    b.pass('connect-primary', 'lookup-primary', 'ok');
    b.fail('connect-primary', 'logon-trading', 'logon refused: status 5');
    b.pass('connect-primary', 'logon-trading', 'late success is ignored');
    const c = b.case('connect-primary');
    assert.equal(c.status, 'failed');
    assert.equal(c.failedStep, 'logon-trading');
    assert.equal(c.reason, 'logon refused: status 5');
  });

  it('dependents of a failed case are not tested (with the reason), never failed a second time', () => {
    const b = book();
    for (const st of ['lookup-primary', 'logon-trading', 'logon-drop-copy']) b.pass('connect-primary', st, 'ok');
    b.pass('reconnect-backup-via-lookup', 'primary-lost', 'lost');
    b.fail('reconnect-backup-via-lookup', 'relookup-trading', 'never asked the lookup service again');
    b.fail('sequence-continuity', 'logon-backup-trading', 'not logged on at the backup');
    const seq = b.case('sequence-continuity');
    assert.equal(seq.status, 'not tested');
    assert.match(seq.reason!, /depends on reconnect-backup-via-lookup, which failed/);
    assert.equal(b.step('sequence-continuity', 'logon-backup-trading').status, 'not tested');
    // Transitively: order-cancel-backup depends on sequence-continuity.
    b.close(() => ({ fail: 'not observed' }));
    assert.equal(b.case('order-cancel-backup').status, 'not tested');
    // order-cancel-primary never happened: it fails at the close; the rest follows the failed case.
    assert.equal(
      b.cases
        .filter((c) => c.status === 'failed')
        .map((c) => c.id)
        .join(),
      'order-cancel-primary,reconnect-backup-via-lookup',
    );
  });

  it('closing: open steps fail or are skipped as the rule says; skipped-only cases are not tested', () => {
    const b = book('OMD-C');
    b.pass('feed-joined-primary', 'lines-joined', 'A and B');
    b.close((c, s) => (c.id === 'feed-joined-primary' ? { fail: `${s.id} not observed` } : { skip: 'the venue did not fail over' }));
    assert.equal(b.status('feed-joined-primary'), 'failed');
    assert.equal(b.case('feed-joined-primary').failedStep, 'books-built');
    // Every other case depends on feed-joined-primary (directly or through dr-followed).
    for (const id of ['gap-recovered', 'dr-followed', 'book-rebuilt', 'data-from-backup', 'return-to-primary'] as const) {
      assert.equal(b.status(id), 'not tested', id);
      assert.ok(b.case(id).reason, id);
    }
  });

  it('a skipped question does not hold back a case whose other steps passed', () => {
    const b = book('OMD-C');
    b.pass('feed-joined-primary', 'lines-joined', 'ok');
    b.pass('feed-joined-primary', 'books-built', 'ok');
    b.pass('book-rebuilt', 'refreshed', 'rebuilt');
    b.skip('book-rebuilt', 'digest', "the venue's digest is not available");
    assert.equal(b.status('book-rebuilt'), 'passed');
    assert.equal(b.step('book-rebuilt', 'digest').status, 'not tested');
  });

  it('a step that holds only while nothing new happens can be reopened (a new gap after all were recovered)', () => {
    const b = book('OMD-C');
    b.pass('feed-joined-primary', 'lines-joined', 'ok');
    b.pass('feed-joined-primary', 'books-built', 'ok');
    b.pass('gap-recovered', 'gap-seen', 'gap 10–12');
    b.pass('gap-recovered', 'gap-closed', 'recovered by retransmission');
    assert.equal(b.status('gap-recovered'), 'passed');
    b.reopen('gap-recovered', 'gap-closed', 'new gap 40–41');
    assert.equal(b.status('gap-recovered'), 'pending');
    b.close(() => ({ fail: 'gap 40–41 never recovered' }));
    assert.equal(b.status('gap-recovered'), 'failed');
    assert.equal(b.case('gap-recovered').failedStep, 'gap-closed');
  });
});
