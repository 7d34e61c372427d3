import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../../src/wire/index.ts';
import { seedDemo, startDesk } from '../../src/desk/index.ts';
import type { EvidenceEvent } from '../../src/evidence/index.ts';
import { DeskEvidenceForwarder } from '../../src/conductor/index.ts';
import { turn, waitFor } from '../helpers/wait.ts';

/** A desk that stores events by id (idempotent, as src/desk does) and can be told to fail. */
function fakeDesk(token: string) {
  const stored = new Map<string, EvidenceEvent>();
  const requests: number[] = [];
  const plan = { failNext: 0, dropReplyNext: 0, downNext: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (plan.downNext > 0) {
        plan.downNext--;
        req.socket.destroy();
        return;
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"EVIDENCE_TOKEN_INVALID"}}');
        return;
      }
      if (plan.failNext > 0) {
        plan.failNext--;
        res.writeHead(503).end('{"error":{"code":"INTERNAL_ERROR"}}');
        return;
      }
      const events = (JSON.parse(body) as { events: EvidenceEvent[] }).events;
      requests.push(events.length);
      let accepted = 0,
        duplicates = 0;
      for (const e of events) {
        if (stored.has(e.id)) duplicates++;
        else {
          stored.set(e.id, e);
          accepted++;
        }
      }
      // Stored, but the reply is lost: the forwarder must send again and get duplicates.
      if (plan.dropReplyNext > 0) {
        plan.dropReplyNext--;
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted, duplicates, rejected: [], unknownSessions: [] }));
    });
  });
  return {
    stored,
    requests,
    plan,
    server,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const ev = (i: number): EvidenceEvent => ({
  id: `ps2:firm-${i % 3}:OTP-C:C${i}:${i}`,
  ts: new Date(Date.UTC(2023, 10, 25, 2, 0, 0, i)).toISOString(),
  session: 'ps2',
  site: 'backup',
  service: 'OTP-C',
  subscriber: `firm-${i % 3}`,
  identity: `C${i}`,
  kind: 'logon',
  detail: { i },
  source: 'venue',
});

describe('DeskEvidenceForwarder', () => {
  it('batches, retries through 503s, a dead connection and a lost reply, and loses nothing nor stores anything twice', async () => {
    const desk = fakeDesk('tok');
    const url = await desk.start();
    const errors: string[] = [];
    const fwd = new DeskEvidenceForwarder({
      url,
      token: 'tok',
      clock: systemClock,
      batchSize: 100,
      lingerMs: 5,
      retryMinMs: 5,
      retryMaxMs: 20,
      onError: (m) => errors.push(m),
    });
    try {
      desk.plan.failNext = 2;
      desk.plan.downNext = 1;
      desk.plan.dropReplyNext = 1;
      for (let i = 0; i < 1050; i++) fwd.push(ev(i));
      assert.equal(await fwd.drain(10_000), true);
      assert.equal(desk.stored.size, 1050);
      for (let i = 0; i < 1050; i++) assert.deepEqual(desk.stored.get(ev(i).id), ev(i));
      const s = fwd.stats;
      assert.equal(s.queued, 0);
      assert.equal(s.accepted + s.duplicates, 1050, 'the batch whose reply was lost came back as duplicates');
      assert.equal(s.duplicates, 100);
      assert.equal(s.failedRequests, 4);
      assert.ok(Math.max(...desk.requests) <= 100);
      assert.ok(errors.some((m) => /503/.test(m)) && errors.some((m) => /unreachable/.test(m)));
      // Sending the same events again (a conductor restarted) stores nothing new.
      for (let i = 0; i < 10; i++) fwd.push(ev(i));
      await fwd.drain(5_000);
      assert.equal(desk.stored.size, 1050);
      assert.equal(fwd.stats.duplicates, 110);
    } finally {
      fwd.close();
      await desk.stop();
    }
  });

  it('stops on a refused token and keeps nothing queued for ever (the evidence file has it all)', async () => {
    const desk = fakeDesk('right');
    const url = await desk.start();
    const fwd = new DeskEvidenceForwarder({ url, token: 'wrong', clock: systemClock, lingerMs: 1, retryMinMs: 5 });
    try {
      fwd.push(ev(1));
      assert.equal(await fwd.drain(2_000), false);
      assert.match(fwd.stats.fatal ?? '', /401/);
      assert.equal(desk.stored.size, 0);
    } finally {
      fwd.close();
      await desk.stop();
    }
  });

  it('sends on its own after the linger time without drain()', async () => {
    const desk = fakeDesk('tok');
    const url = await desk.start();
    const clock = new ManualClock();
    const fwd = new DeskEvidenceForwarder({ url, token: 'tok', clock, lingerMs: 10 });
    try {
      fwd.push(ev(1));
      fwd.push(ev(2));
      clock.advance(9);
      for (let i = 0; i < 10; i++) await turn(); // a request on loopback would have arrived by now
      assert.deepEqual(desk.requests, [], 'nothing sent before the linger time');
      clock.advance(1);
      await waitFor('both events stored', () => desk.stored.size >= 2);
      assert.equal(desk.stored.size, 2);
      assert.deepEqual(desk.requests, [2]);
    } finally {
      fwd.close();
      await desk.stop();
    }
  });
});

describe("DeskEvidenceForwarder signed in as a user of the firm (a subscriber's probe)", () => {
  it("posts the firm's own probe evidence, which the desk keeps as self-reported; the venue's word is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-fwd-'));
    const clock = new ManualClock(Date.parse('2026-01-10T02:00:00Z'));
    const desk = await startDesk({ db: join(dir, 'desk.sqlite'), clock, evidenceToken: 'conductor-token-for-forwarder-tests', webRoot: null });
    try {
      const { session, subscribers, accounts } = await seedDemo(desk.store, {
        now: clock.now(),
        password: 'forwarder-test-password',
        scryptCost: 1024,
        subscribers: 2,
      });
      const firm = subscribers[0]!;
      const user = accounts.find((a) => a.subscriberId === firm.id)!;
      const probeEvent = (i: number, source: 'probe' | 'venue'): EvidenceEvent => ({
        id: `${session.id}:probe:${firm.id}:${i}`,
        ts: new Date(clock.now() + i).toISOString(),
        session: session.id,
        site: 'backup',
        service: 'OTP-C',
        subscriber: firm.id,
        identity: firm.identities[0]!.identity,
        kind: 'logon',
        detail: {},
        source,
      });
      const fwd = new DeskEvidenceForwarder({
        url: desk.url,
        login: { username: user.username, password: 'forwarder-test-password' },
        clock: systemClock,
        lingerMs: 1,
      });
      fwd.push(probeEvent(1, 'probe'));
      fwd.push(probeEvent(2, 'venue'));
      assert.equal(await fwd.drain(10_000), true);
      assert.deepEqual({ accepted: fwd.stats.accepted, rejected: fwd.stats.rejected, fatal: fwd.stats.fatal }, { accepted: 1, rejected: 1, fatal: null });
      const stored = await desk.store.listEvidence({ session: session.id, subscriber: firm.id });
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.provenance, 'self-reported');
      assert.notEqual(stored[0]!.postedBy, 'conductor');

      // A wrong password stops forwarding at once; the evidence file keeps everything.
      const wrong = new DeskEvidenceForwarder({
        url: desk.url,
        login: { username: user.username, password: 'not-the-password' },
        clock: systemClock,
        lingerMs: 1,
      });
      wrong.push(probeEvent(3, 'probe'));
      assert.equal(await wrong.drain(10_000), false);
      assert.match(wrong.stats.fatal ?? '', /refused the sign-in/);
    } finally {
      await desk.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
