// The site control API (docs/architecture.md, contract 3): Bearer token (401 without or with a wrong
// one), each endpoint through SiteControlClient, stable error codes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SiteControlClient, SiteControlError, startSiteControlServer, tokenMatches } from '../../src/venue/index.ts';
import type { Site } from '../../src/venue/index.ts';
import { embedded, testVenueConfig, waitFor } from './site-harness.ts';

describe('site control API', () => {
  const cfg = testVenueConfig();
  let v: { primary: Site; backup: Site; stop(): Promise<void> };
  let servers: Array<{ url: string; close(): Promise<void> }> = [];
  let primary: SiteControlClient;
  let backup: SiteControlClient;
  before(async () => {
    v = await embedded(cfg);
    servers = [await startSiteControlServer(v.primary), await startSiteControlServer(v.backup)];
    primary = new SiteControlClient({ baseUrl: servers[0]!.url, token: cfg.controlToken });
    backup = new SiteControlClient({ baseUrl: servers[1]!.url, token: cfg.controlToken });
  });
  after(async () => {
    for (const s of servers) await s.close();
    await v.stop();
  });

  it('listens on the site host and control port', () => {
    assert.equal(servers[0]!.url, `http://${cfg.sites.primary.host}:${cfg.sites.primary.control}`);
  });

  it('401 without a token and with a wrong one', async () => {
    const none = await fetch(`${servers[0]!.url}/status`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    const wrong = new SiteControlClient({ baseUrl: servers[0]!.url, token: 'not-the-token-at-all' });
    await assert.rejects(wrong.status(), (e: unknown) => e instanceof SiteControlError && e.status === 401 && e.code === 'UNAUTHORIZED');
    await assert.rejects(wrong.activate(), (e: unknown) => e instanceof SiteControlError && e.status === 401);
    assert.equal(tokenMatches('Bearer abc', 'abc'), true);
    assert.equal(tokenMatches('abc', 'abc'), false);
    assert.equal(tokenMatches(undefined, 'abc'), false);
  });

  it('GET /status', async () => {
    const s = await primary.status();
    assert.equal(s.role, 'primary');
    assert.equal(s.state, 'active');
    assert.equal(s.session, cfg.session);
    assert.equal((await backup.status()).state, 'standby');
    assert.equal(s.services['OTP-C'].open, true);
  });

  it('404 unknown route, 405 wrong method, 400 bad bodies', async () => {
    const h = { authorization: `Bearer ${cfg.controlToken}` };
    assert.equal((await fetch(`${servers[0]!.url}/nope`, { headers: h })).status, 404);
    const m = await fetch(`${servers[0]!.url}/activate`, { headers: h });
    assert.equal(m.status, 405);
    assert.equal(((await m.json()) as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
    await assert.rejects(
      primary.fault({ kind: 'meteor' } as never),
      (e: unknown) => e instanceof SiteControlError && e.status === 400 && e.code === 'VALIDATION_FAILED',
    );
    await assert.rejects(primary.isolate({ mode: 'sideways' } as never), (e: unknown) => e instanceof SiteControlError && e.status === 400);
    const bad = await fetch(`${servers[0]!.url}/fault`, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{not json' });
    assert.equal(bad.status, 400);
    await assert.rejects(primary.evidence(-1), (e: unknown) => e instanceof SiteControlError && e.status === 400);
    const big = await fetch(`${servers[0]!.url}/fault`, {
      method: 'POST',
      headers: { ...h, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'clear', pad: 'x'.repeat(70_000) }),
    });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('POST /fault sets and clears faults', async () => {
    const r = await primary.fault({ kind: 'loss-line-a', ratio: 0.5 });
    assert.deepEqual(r.active, ['loss-line-a']);
    assert.deepEqual((await primary.status()).faults, ['loss-line-a']);
    const c = await primary.fault({ kind: 'clear' });
    assert.deepEqual(c.active, []);
  });

  it('POST /market-phase starts a session of the day: its phase, its timed plan, venue evidence; bad requests are 400', async () => {
    const at = (await primary.evidence(0)).next;
    const pre = await primary.marketPhase({ session: 'pre-open', accelerate: 1_000 });
    assert.equal(pre.phase, 'pos-order-input');
    assert.deepEqual(
      pre.plan.map((p) => p.phase),
      ['pos-order-input', 'pos-no-cancel', 'pos-random-matching', 'pos-matching', 'pos-blocking'],
    );
    // 15 minutes of order input at 1,000×: 900 ms.
    assert.equal(pre.plan[1]!.at - pre.plan[0]!.at, 900);
    assert.equal(v.primary.engine('OTP-C').phase, 'pos-order-input');
    const cont = await primary.marketPhase({ session: 'continuous-trading' });
    assert.equal(cont.phase, 'continuous');
    assert.equal(cont.plan.length, 1);
    const phases = (await primary.evidence(at)).events
      .map((e) => e.event)
      .filter((e) => e.kind === 'market-phase' && e.service === 'OTP-C' && e.detail.scope === 'market');
    assert.deepEqual(
      phases.map((e) => e.detail.phase),
      ['pos-order-input', 'continuous'],
    );
    for (const body of [
      { session: 'lunch-break' },
      {},
      { session: 'pre-open', accelerate: 0 },
      { session: 'pre-open', accelerate: 'fast' },
      { session: 'pre-open', accelerate: 1e6 },
    ]) {
      await assert.rejects(
        primary.marketPhase(body as never),
        (e: unknown) => e instanceof SiteControlError && e.status === 400 && e.code === 'VALIDATION_FAILED',
        JSON.stringify(body),
      );
    }
    // The standby follows the active site; it takes no session command itself.
    await assert.rejects(
      backup.marketPhase({ session: 'close' }),
      (e: unknown) => e instanceof SiteControlError && e.status === 409 && e.code === 'INVALID_STATE',
    );
    assert.equal(v.primary.engine('OTP-C').phase, 'continuous');
  });

  it('POST /security-status halts and resumes one security (evidence with the phase); bad requests are 400', async () => {
    const sec = cfg.securities['OTP-C'][0]!.securityId;
    const at = (await primary.evidence(0)).next;
    assert.deepEqual(await primary.securityStatus({ securityId: sec, halted: true }), { ok: true, securityId: sec, halted: true });
    assert.equal(v.primary.engine('OTP-C').isHalted(sec), true);
    assert.deepEqual(await primary.securityStatus({ securityId: sec, halted: false }), { ok: true, securityId: sec, halted: false });
    assert.equal(v.primary.engine('OTP-C').isHalted(sec), false);
    const seen = (await primary.evidence(at)).events.map((e) => e.event).filter((e) => e.kind === 'market-phase' && e.service === 'OTP-C');
    assert.deepEqual(
      seen.map((e) => [e.detail.scope, e.detail.securityId, e.detail.halted, e.detail.phase]),
      [
        ['security', sec, true, 'continuous'],
        ['security', sec, false, 'continuous'],
      ],
    );
    for (const [body, why] of [
      [{ securityId: 'abc', halted: true }, /securityId:/],
      [{ securityId: sec, halted: 'yes' }, /halted:/],
      [{ securityId: '99998', halted: true }, /unknown OTP-C security 99998/],
    ] as const) {
      await assert.rejects(
        primary.securityStatus(body as never),
        (e: unknown) => e instanceof SiteControlError && e.status === 400 && e.code === 'VALIDATION_FAILED' && why.test(e.message),
        JSON.stringify(body),
      );
    }
  });

  it('POST /trade-cancel cancels a trade of the day; a trade never made, a bad id or an unknown security is 400', async () => {
    const engine = v.primary.engine('OTP-C');
    const sec = cfg.securities['OTP-C'][0]!;
    const price = sec.referencePrice ?? 100_000;
    const trades: string[] = [];
    const off = engine.onTrade((t) => trades.push(t.tradeId));
    engine.handle({
      type: 'new',
      compId: 'C1',
      brokerId: '1',
      clientOrderId: 'tc-sell',
      securityId: sec.securityId,
      side: 2,
      orderType: 2,
      price,
      quantity: sec.lotSize,
    });
    engine.handle({
      type: 'new',
      compId: 'C2',
      brokerId: '2',
      clientOrderId: 'tc-buy',
      securityId: sec.securityId,
      side: 1,
      orderType: 2,
      price,
      quantity: sec.lotSize,
    });
    off();
    assert.equal(trades.length, 1);
    const at = (await primary.evidence(0)).next;
    assert.deepEqual(await primary.tradeCancel({ securityId: sec.securityId, tradeId: trades[0]! }), {
      ok: true,
      securityId: sec.securityId,
      tradeId: trades[0]!,
    });
    const seen = (await primary.evidence(at)).events.map((e) => e.event).filter((e) => e.kind === 'market-phase' && e.service === 'OTP-C');
    assert.deepEqual(
      seen.map((e) => [e.detail.securityId, e.detail.tradeCancelled]),
      [[sec.securityId, trades[0]]],
    );
    for (const [body, why] of [
      [{ securityId: sec.securityId, tradeId: '999999' }, /no trade 999999 today/],
      [{ securityId: sec.securityId, tradeId: 'T1' }, /tradeId:/],
      [{ securityId: 'x', tradeId: trades[0]! }, /securityId:/],
      [{ securityId: '99998', tradeId: trades[0]! }, /unknown OTP-C security 99998/],
    ] as const) {
      await assert.rejects(
        primary.tradeCancel(body),
        (e: unknown) => e instanceof SiteControlError && e.status === 400 && e.code === 'VALIDATION_FAILED' && why.test(e.message),
        JSON.stringify(body),
      );
    }
  });

  it('POST /isolate, POST /activate (409 on the fenced site), GET /evidence after a cursor, POST /failback', async () => {
    const iso = await primary.isolate({ mode: 'graceful', reason: 'test' });
    assert.equal(iso.status.state, 'isolated');
    const act = await backup.activate({ reason: 'test' });
    assert.equal(act.changed, true);
    assert.equal(act.status.state, 'active');
    assert.equal((await backup.activate()).changed, false, 'activate is idempotent');
    await waitFor('fenced', () => v.primary.state === 'fenced');
    await assert.rejects(primary.activate(), (e: unknown) => e instanceof SiteControlError && e.status === 409 && e.code === 'INVALID_STATE');
    const all = await backup.evidence(0);
    assert.ok(all.events.some((e) => e.event.kind === 'site-activated' && e.event.source === 'venue' && e.event.site === 'backup'));
    const later = await backup.evidence(all.next);
    assert.deepEqual(later.events, []);
    assert.equal(later.next, all.next);
    const two = await backup.evidence(0, 2);
    assert.equal(two.events.length, 2);
    assert.deepEqual(
      two.events.map((e) => e.cursor),
      [1, 2],
    );
    const fb = await primary.failback();
    assert.equal(fb.status.state, 'active');
    await waitFor('backup standby', () => v.backup.state === 'standby');
    await assert.rejects(primary.failback(), (e: unknown) => e instanceof SiteControlError && e.status === 409);
  });
});
