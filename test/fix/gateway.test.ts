// The FIX gateway over loopback TCP with a matching engine: logon with the RSA password, orders,
// amend, cancel, drop copy, and the bad inputs (garbled, BodyLength/CheckSum, missing tags,
// unknown MsgType, wrong CompIDs, bad password, MsgSeqNum too low) while another session goes on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixGateway, fieldOf, msgTypeOf } from '../../src/fix/index.ts';
import { MemorySessionStore, OTP_C_PROFILE, generateVenueKeyPair, hashPassword, publicKeyOf } from '../../src/ocg/index.ts';
import { MatchingEngine } from '../../src/venue/index.ts';
import { FixPeer, newOrder, tag } from './fix-peer.ts';

const KEY = generateVenueKeyPair();
const PUB = publicKeyOf(KEY.privateKeyPem);
const PASSWORD = 'Drill2026';

describe('FIX gateway', () => {
  let gw: FixGateway;
  let port = 0;
  const peers: FixPeer[] = [];
  const connect = async (compId: string) => {
    const p = await FixPeer.connect(port, compId);
    peers.push(p);
    return p;
  };

  before(async () => {
    const engine = new MatchingEngine(
      { profile: OTP_C_PROFILE, securities: [{ securityId: '700', lotSize: 100, referencePrice: 395_800 }] },
      { now: () => Date.now(), setTimeout: () => ({ cancel() {} }), setInterval: () => ({ cancel() {} }) },
    );
    const hash = hashPassword(PASSWORD, { N: 1024, r: 1, p: 1 });
    const comp = (compId: string, dropCopy = false) => ({
      compId,
      firm: 'F001',
      sourceIps: ['127.0.0.1'],
      passwordHash: hash,
      brokerIds: ['1001'],
      dropCopy,
      throttleMps: 0,
    });
    gw = new FixGateway({
      privateKeyPem: KEY.privateKeyPem,
      passwordWorkers: 0,
      compIds: [comp('FIXA'), comp('FIXB'), comp('FIXD', true), comp('FIXBAD')],
      router: engine,
      store: new MemorySessionStore(),
    });
    port = (await gw.start()).port;
  });
  after(async () => {
    for (const p of peers) p.close();
    await gw.close();
  });

  it('logs on, trades, amends, cancels; the drop copy session sees every report', async () => {
    const dc = await connect('FIXD');
    dc.logon(PUB, PASSWORD);
    assert.equal(tag(await dc.waitType('A'), 1409), '0');
    const a = await connect('FIXA');
    a.logon(PUB, PASSWORD);
    const logon = await a.waitType('A');
    assert.equal(tag(logon, 789), '2');
    assert.equal(tag(logon, 49), 'HKEX');
    a.send(newOrder('1', 1, 200, '395.8'));
    const ack = await a.waitFor((m) => msgTypeOf(m) === '8' && fieldOf(m, 150) === '0');
    assert.equal(tag(ack, 39), '0');
    assert.equal(tag(ack, 44), '395.8');
    const orderId = tag(ack, 37)!;
    a.send([
      [35, 'G'],
      [11, '2'],
      [41, '1'],
      [37, orderId],
      [453, '1'],
      [448, '1001'],
      [447, 'D'],
      [452, '1'],
      [48, '700'],
      [54, '1'],
      [60, '20260109-01:30:00.000'],
      [38, '100'],
      [40, '2'],
      [44, '395.8'],
    ]);
    const amended = await a.waitFor((m) => fieldOf(m, 150) === '5');
    assert.equal(tag(amended, 38), '100');
    a.send([
      [35, 'F'],
      [11, '3'],
      [41, '2'],
      [453, '1'],
      [448, '1001'],
      [447, 'D'],
      [452, '1'],
      [48, '700'],
      [54, '1'],
      [60, '20260109-01:30:00.000'],
    ]);
    assert.equal(tag(await a.waitFor((m) => fieldOf(m, 150) === '4'), 39), '4');
    a.send([
      [35, 'F'],
      [11, '4'],
      [41, '2'],
      [453, '1'],
      [448, '1001'],
      [447, 'D'],
      [452, '1'],
      [48, '700'],
      [54, '1'],
      [60, '20260109-01:30:00.000'],
    ]);
    const cxlRej = await a.waitType('9');
    assert.equal(tag(cxlRej, 434), '1');
    const copies = await dc.waitFor(() => dc.received.filter((m) => msgTypeOf(m) === '8').length >= 4);
    assert.ok(copies !== undefined);
    assert.deepEqual(
      dc.received.filter((m) => msgTypeOf(m) === '8').map((m) => fieldOf(m, 150)),
      ['0', '5', '4', 'X'],
    );
    a.send([
      [35, 'D'],
      [11, '5'],
    ]); // missing tags
    const rej = await a.waitType('3');
    assert.equal(tag(rej, 373), '1');
    a.send([[35, 'ZZ']]);
    assert.equal(tag(await a.waitFor((m) => fieldOf(m, 373) === '11'), 45), String(a.seq - 1));
    a.send([
      [35, 'H'],
      [11, '6'],
    ]);
    assert.equal(tag(await a.waitType('j'), 380), '3');
    dc.send(newOrder('7', 1, 100, '395.8'));
    assert.equal(tag(await dc.waitType('j'), 380), '3');
  });

  it('ignores garbled messages, wrong BodyLength and CheckSum without using their numbers', async () => {
    const b = await connect('FIXB');
    b.logon(PUB, PASSWORD);
    await b.waitType('A');
    b.raw('8=FIXT.1.1|9=5|35=0|49=FIXB|56=HKEX|34=2|52=20260109-01:30:00.000|10=000|');
    b.raw('8=FIXT.1.1|9=57|35=0|49=FIXB|56=HKEX|34=2|52=20260109-01:30:00.000|10=001|');
    b.raw('garbage|');
    b.send([
      [35, '1'],
      [112, 'ping'],
    ]); // number 2: not a gap, the garbled ones did not count
    const hb = await b.waitFor((m) => fieldOf(m, 112) === 'ping');
    assert.equal(msgTypeOf(hb!), '0');
    assert.equal(b.received.filter((m) => msgTypeOf(m) === '2').length, 0);
    b.send([[35, '0']], { seq: 2 }); // too low, no PossDupFlag
    const lo = await b.waitType('5');
    assert.equal(tag(lo, 1409), '9');
    assert.equal(await b.waitClosed(), true);
  });

  it('refuses a bad password with 1409=5, and closes silently on unknown or wrong CompIDs', async () => {
    const bad = await connect('FIXBAD');
    bad.logon(PUB, 'Wrong2026');
    assert.equal(tag(await bad.waitType('5'), 1409), '5');
    assert.equal(await bad.waitClosed(), true);
    const unknown = await connect('NOSUCH');
    unknown.logon(PUB, PASSWORD);
    assert.equal(await unknown.waitClosed(), true);
    assert.equal(unknown.received.length, 0);
    const target = await connect('FIXB');
    const enc = (await import('../../src/ocg/index.ts')).encryptPassword(PUB, PASSWORD, Date.now());
    target.send(
      [
        [35, 'A'],
        [98, '0'],
        [108, '30'],
        [1137, '9'],
        [1400, '101'],
        [1401, String(enc.length)],
        [1402, enc],
      ],
      { target: 'OTHER' },
    );
    assert.equal(await target.waitClosed(), true);
    assert.equal(target.received.length, 0);
    assert.equal(gw.isLoggedOn('FIXA'), true); // the first session went on
  });
});
