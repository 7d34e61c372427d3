// FIX tag=value codec: byte vectors (checksums computed independently of the codec), framing
// errors, data fields holding SOH, repeating groups, and a stream cut into pieces.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FixStreamReader,
  GroupError,
  decodeMessage,
  duplicateTag,
  encodeFields,
  encodeMessage,
  fieldOf,
  fixPriceOf,
  fromPrintable,
  groupsOf,
  p3FromFix,
  parseUtcTimestamp,
  printable,
} from '../../src/fix/index.ts';
import type { FixDecodeResult } from '../../src/fix/index.ts';

const HEARTBEAT = '8=FIXT.1.1|9=57|35=0|49=CO99999902|56=HKEX|34=2|52=20260109-01:30:00.000|10=137|';

function ok(r: FixDecodeResult) {
  assert.equal(r.ok, true, JSON.stringify(r));
  return r as Extract<FixDecodeResult, { ok: true }>;
}

describe('FIX codec', () => {
  it('encodes a Heartbeat to the reference bytes and decodes them back', () => {
    const bytes = encodeMessage({
      fields: [
        [35, '0'],
        [49, 'CO99999902'],
        [56, 'HKEX'],
        [34, '2'],
        [52, '20260109-01:30:00.000'],
      ],
    });
    assert.equal(printable(bytes), HEARTBEAT);
    const r = ok(decodeMessage(fromPrintable(HEARTBEAT)));
    assert.equal(r.beginString, 'FIXT.1.1');
    assert.equal(r.length, HEARTBEAT.length);
    assert.equal(r.message.fields.length, 5);
    assert.deepEqual(r.message.fields[0], [35, '0']);
    assert.equal(fieldOf(r.message, 34), '2');
  });

  it('reads a data field by its length even when it holds SOH', () => {
    const text = '8=FIXT.1.1|9=108|35=A|49=CO99999902|56=HKEX|34=1|52=20260109-01:30:00.000|98=0|108=20|789=1|1137=9|1400=101|1401=4|1402=AB|C|10=209|';
    const r = ok(decodeMessage(fromPrintable(text)));
    assert.equal(fieldOf(r.message, 1402), 'AB\x01C');
    assert.equal(printable(encodeMessage(r.message)), text);
  });

  it('reports a wrong CheckSum and skips exactly that message', () => {
    const bad = HEARTBEAT.replace('10=137', '10=138');
    const r = decodeMessage(fromPrintable(bad));
    assert.equal(r.ok, false);
    assert.equal((r as { kind: string }).kind, 'badChecksum');
    assert.equal((r as { skip: number }).skip, bad.length);
  });

  it('reports a BodyLength that does not end at the CheckSum field', () => {
    for (const n of ['56', '58', '99']) {
      const bad = HEARTBEAT.replace('9=57', `9=${n}`);
      const r = decodeMessage(fromPrintable(bad + HEARTBEAT));
      assert.equal(r.ok, false, n);
      assert.equal((r as { kind: string }).kind, 'badBodyLength', n);
      assert.equal((r as { skip: number }).skip, bad.length, n);
    }
  });

  it('calls garbled what does not start with 8= then 9= and resynchronises on the next message', () => {
    const reader = new FixStreamReader();
    reader.push(fromPrintable('garbage|' + HEARTBEAT));
    const first = reader.next();
    assert.equal(first?.ok, false);
    assert.equal((first as { kind: string }).kind, 'garbled');
    const second = reader.next();
    assert.equal(second?.ok, true);
    assert.equal(reader.next(), null);
    const r = decodeMessage(fromPrintable('8=FIXT.1.1|35=0|9=5|10=000|'));
    assert.equal(r.ok, false);
    assert.equal((r as { kind: string }).kind, 'garbled');
  });

  it('refuses a body whose first field is not MsgType and a tag that is not a number', () => {
    const noType = encodeMessage({
      fields: [
        [35, '0'],
        [49, 'A'],
      ],
    });
    const swapped = fromPrintable(printable(noType).replace('35=0|49=A|', '49=A|35=0|'));
    assert.equal((decodeMessage(swapped) as { kind: string }).kind, 'garbled');
    assert.throws(() => encodeMessage({ fields: [[49, 'A']] }), /MsgType/);
    assert.throws(
      () =>
        encodeMessage({
          fields: [
            [35, '0'],
            [58, 'a\x01b'],
          ],
        }),
      /SOH/,
    );
    assert.throws(
      () =>
        encodeMessage({
          fields: [
            [35, '0'],
            [58, ''],
          ],
        }),
      /no value/,
    );
  });

  it('assembles messages cut at every byte', () => {
    const two = fromPrintable(HEARTBEAT + HEARTBEAT.replace('34=2', '34=3').replace('10=137', '10=138'));
    const reader = new FixStreamReader();
    const got: string[] = [];
    for (let i = 0; i < two.length; i++) {
      reader.push(two.slice(i, i + 1));
      for (let r = reader.next(); r !== null; r = reader.next()) {
        assert.equal(r.ok, true);
        if (r.ok) got.push(fieldOf(r.message, 34)!);
      }
    }
    assert.equal(got.length, 2);
    assert.deepEqual(got, ['2', '3']);
    assert.equal(reader.buffered, 0);
  });

  it('splits a repeating group and checks its count', () => {
    const m = {
      fields: [
        [35, 'D'],
        [11, '1'],
        [453, '2'],
        [448, '1001'],
        [447, 'D'],
        [452, '1'],
        [448, 'ABC123.2568'],
        [447, 'D'],
        [452, '3'],
        [54, '1'],
      ] as [number, string][],
    };
    const parties = groupsOf(m, 453, 448, new Set([448, 447, 452]));
    assert.equal(parties.length, 2);
    assert.equal(parties[0]!.get(448), '1001');
    assert.equal(parties[1]!.get(452), '3');
    const wrong = { fields: m.fields.map((f) => (f[0] === 453 ? [453, '3'] : f)) as [number, string][] };
    assert.throws(() => groupsOf(wrong, 453, 448, new Set([448, 447, 452])), GroupError);
  });

  it('encodes a header given apart right after MsgType, behind the reserved bytes', () => {
    const header = { senderCompId: 'CO99999902', targetCompId: 'HKEX', msgSeqNum: 2, sendingTime: '20260109-01:30:00.000' };
    const out = encodeFields([[35, '0']], header, 'FIXT.1.1', 3);
    assert.equal(out.length, HEARTBEAT.length + 3);
    assert.equal(printable(out.subarray(3)), HEARTBEAT);
    const big = encodeFields(
      [
        [35, 'D'],
        [58, 'x'],
      ],
      { ...header, msgSeqNum: 1234567890 },
    );
    assert.equal(fieldOf(ok(decodeMessage(big)).message, 34), '1234567890');
    assert.throws(() => encodeFields([[35, '0']], { ...header, targetCompId: '' }), /header field without a value/);
    assert.throws(
      () =>
        encodeMessage({
          fields: [
            [35, '0'],
            [58, 'caf\u20ac'],
          ],
        }),
      /U\+20ac/,
    );
    assert.throws(
      () =>
        encodeMessage({
          fields: [
            [35, '0'],
            [10, '000'],
          ],
        }),
      /written by the encoder/,
    );
  });

  it('keeps every byte value from 0x20 to 0xFF, in short and long values', () => {
    let all = '';
    for (let c = 0x20; c <= 0xff; c++) all += String.fromCharCode(c);
    assert.equal(all.length, 224);
    const m = ok(
      decodeMessage(
        encodeMessage({
          fields: [
            [35, 'B'],
            [58, all],
            [148, 'é\u00ff'],
            [1402, 'A\u0080'],
          ],
        }),
      ),
    ).message;
    assert.equal(m.fields.length, 4);
    assert.equal(fieldOf(m, 58), all);
    assert.equal(fieldOf(m, 148), 'é\u00ff');
    assert.equal(fieldOf(m, 1402), 'A\u0080');
  });

  it('finds a tag repeated outside the groups named, in short and long messages', () => {
    const groups = new Set([448, 447, 452]);
    const base: [number, string][] = [
      [35, 'D'],
      [11, '1'],
      [453, '2'],
      [448, 'A'],
      [447, 'D'],
      [452, '1'],
      [448, 'B'],
      [447, 'D'],
      [452, '3'],
    ];
    assert.equal(duplicateTag({ fields: base }, groups), undefined);
    assert.equal(duplicateTag({ fields: [...base, [11, '2']] }, groups), 11);
    const long: [number, string][] = [...base, ...Array.from({ length: 60 }, (_, i): [number, string] => [5000 + i, 'v'])];
    assert.equal(long.length, 69);
    assert.equal(duplicateTag({ fields: long }, groups), undefined);
    assert.equal(duplicateTag({ fields: [...long, [5007, 'w']] }, groups), 5007);
  });
});

describe('FIX field values', () => {
  it('reads prices to thousandths and writes them back without trailing zeros', () => {
    assert.equal(p3FromFix('385.2'), 385_200);
    assert.equal(p3FromFix('385'), 385_000);
    assert.equal(p3FromFix('0.005'), 5);
    assert.equal(p3FromFix('1.2500000'), 1_250);
    assert.ok(Number.isNaN(p3FromFix('1.0001')!));
    for (const bad of ['', '.5', '5.', '-1', '1e3', '1234567890', '1.1234567890123', '38 5']) assert.equal(p3FromFix(bad), null, bad);
    const cases: [number, string][] = [
      [0, '0'],
      [5, '0.005'],
      [50, '0.05'],
      [500, '0.5'],
      [385_200, '385.2'],
      [385_250, '385.25'],
      [385_255, '385.255'],
      [1_010, '1.01'],
      [1_001, '1.001'],
    ];
    for (const [p3, text] of cases) {
      assert.equal(fixPriceOf(p3), text);
      assert.equal(p3FromFix(text), p3);
    }
  });

  it('reads UTCTimestamps with 0, 3, 6 or 9 decimals and refuses impossible dates and times', () => {
    assert.equal(parseUtcTimestamp('20260109-01:30:00'), Date.UTC(2026, 0, 9, 1, 30, 0));
    assert.equal(parseUtcTimestamp('20260109-01:30:00.123'), Date.UTC(2026, 0, 9, 1, 30, 0, 123));
    assert.equal(parseUtcTimestamp('20260109-01:30:00.123456'), Date.UTC(2026, 0, 9, 1, 30, 0, 123));
    assert.equal(parseUtcTimestamp('20260109-01:30:00.123456789'), Date.UTC(2026, 0, 9, 1, 30, 0, 123));
    assert.equal(parseUtcTimestamp('20240229-23:59:59.999'), Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    for (const bad of [
      '20230229-00:00:00',
      '21000229-00:00:00',
      '20260431-00:00:00',
      '20261309-01:00:00',
      '20260100-01:00:00',
      '20260109-24:00:00',
      '20260109-01:30:00.12',
      '20260109-01:30:00.',
      '2026010901:30:00.123',
      '20260109-01:3a:00',
      '',
    ]) {
      assert.equal(parseUtcTimestamp(bad), null, bad);
    }
  });
});
