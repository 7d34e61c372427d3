// The order script of `failover-drill ocg client` (src/ocg/order-script.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOrderScript, parseOrderScriptLine, OrderScriptError } from '../../src/ocg/index.ts';

describe('order script', () => {
  it('parses every step kind, skipping blanks and comments, keeping line numbers', () => {
    const steps = parseOrderScript(
      [
        '# warm-up',
        'buy 700 100@385.2',
        '',
        'sell 5 400@50.1 ioc   # cross',
        'short 388 500@300 fok',
        'cancel 10000001',
        'amend 10000002 200@385.4',
        'amend 10000003 300',
        'sleep 1.5',
        'logout',
      ].join('\n'),
    );
    assert.deepEqual(steps, [
      { kind: 'order', side: 1, securityId: '700', quantity: '100', price: '385.2', line: 2 },
      { kind: 'order', side: 2, securityId: '5', quantity: '400', price: '50.1', tif: 3, line: 4 },
      { kind: 'order', side: 5, securityId: '388', quantity: '500', price: '300', tif: 4, line: 5 },
      { kind: 'cancel', clientOrderId: '10000001', line: 6 },
      { kind: 'amend', clientOrderId: '10000002', quantity: '200', price: '385.4', line: 7 },
      { kind: 'amend', clientOrderId: '10000003', quantity: '300', line: 8 },
      { kind: 'sleep', seconds: 1.5, line: 9 },
      { kind: 'logout', line: 10 },
    ]);
  });

  it('rejects bad lines with the line number', () => {
    assert.throws(() => parseOrderScript('buy 700 100@385.2\nbuy 700 100'), /line 2: expected QTY@PRICE/);
    assert.throws(() => parseOrderScriptLine('buy 700 100@1 gtc', 7), /line 7: unknown time in force/);
    assert.throws(() => parseOrderScriptLine('hold 700'), OrderScriptError);
    assert.throws(() => parseOrderScriptLine('sleep soon'), /sleep SECONDS/);
    assert.throws(() => parseOrderScriptLine('cancel'), /cancel CLIENT_ORDER_ID/);
    assert.throws(() => parseOrderScriptLine('buy 700 -5@1'), /QTY@PRICE/);
  });
});
