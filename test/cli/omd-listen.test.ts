import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.ts';
import { formatListenLine, type ListenLine } from '../../src/cli/commands/omd-listen.ts';

describe('failover-drill omd listen', () => {
  it('follows `omd publish` on the same layout and reports messages, no gaps, books (JSON lines)', async () => {
    const out: string[] = [];
    const write = process.stdout.write;
    const log = console.log;
    const err = console.error;
    // Only our text; the test runner itself reports through stdout with binary chunks.
    (process.stdout as { write: unknown }).write = (s: unknown, ...rest: unknown[]) => {
      if (typeof s === 'string') {
        out.push(s);
        return true;
      }
      return (write as (...a: unknown[]) => boolean).call(process.stdout, s, ...rest);
    };
    console.log = () => {};
    console.error = () => {};
    let codes: number[];
    try {
      const layout = ['--group-base', '226', '--port-base', '55700', '--products', 'SS,SF'];
      // Started together: whichever joins first, the listener's start-up refresh puts it in step, without a gap.
      const listen = main(['omd', 'listen', '--json', '--duration', '1.6', ...layout]);
      const publish = main(['omd', 'publish', '--duration', '1.2', '--rate', '3000', '--securities', '10', '--refresh-interval', '200', ...layout]);
      codes = await Promise.all([listen, publish]);
    } finally {
      (process.stdout as { write: unknown }).write = write;
      console.log = log;
      console.error = err;
    }
    assert.deepEqual(codes, [0, 0]);
    const lines = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ListenLine);
    assert.ok(lines.length >= 1);
    const last = lines.at(-1)!;
    assert.ok(last.messages > 100, `messages ${last.messages}`);
    assert.equal(last.gaps, 0);
    assert.equal(last.decodeErrors, 0);
    assert.equal(last.suspect, 0);
    assert.ok(last.books >= 10);
    assert.equal(last.drState, 'NORMAL');
  });

  it('formats one plain line', () => {
    const l: ListenLine = {
      t: 3,
      msgPerSec: 1200,
      messages: 3600,
      gaps: 1,
      recoveredByRts: 1,
      recoveredByRefresh: 0,
      duplicates: 3600,
      books: 40,
      drState: 'NORMAL',
      stale: 0,
      sequenceResets: 2,
      decodeErrors: 0,
      suspect: 1,
    };
    assert.equal(formatListenLine(l), 't=3s msg/s=1200 msgs=3600 gaps=1 rts=1 refresh=0 dup=3600 books=40 dr=NORMAL stale=0 resets=2 decodeErr=0 suspect=1');
  });

  it('rejects a bad --service or an unknown product', async () => {
    const err = console.error;
    console.error = () => {};
    try {
      assert.equal(await main(['omd', 'listen', '--service', 'OMD-X']), 2);
      assert.equal(await main(['omd', 'listen', '--products', 'XX']), 2);
    } finally {
      console.error = err;
    }
  });
});
