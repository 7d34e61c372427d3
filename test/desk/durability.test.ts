// kill -9 in the middle of 1,000 submissions: every submission the server
// acknowledged is in the store afterwards, and version numbers have no holes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore, sampleResultForm, seedDemo, type PracticeSession, type Subscriber } from '../../src/desk/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const PW = 'durability-password';
const TOTAL = 1000;
const WORKERS = 20;

function startServer(db: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'desk', '--db', db, '--port', '0', '--evidence-token', 'durability-token'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`desk did not start: ${out}${err}`));
    }, 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /desk: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`desk exited ${code}: ${out}${err}`));
    });
  });
}

for (const variant of storeVariants()) {
  describe(`durability on ${variant.name}`, { skip: variant.skip }, () => {
    it('loses no acknowledged submission when killed with SIGKILL mid-stream', { timeout: 60_000 }, async () => {
      const db = await variant.freshDb();
      const seedStore = openStore(db);
      await seedStore.migrate(Date.now());
      const seed = await seedDemo(seedStore, { now: Date.now(), password: PW, scryptCost: 1024, subscribers: WORKERS });
      await seedStore.close();
      const session: PracticeSession = seed.session;

      const { child, url } = await startServer(db);
      const exited = new Promise((r) => child.once('exit', r));
      const clients = await Promise.all(
        seed.subscribers.map(async (s) => {
          const c = new DeskClient(url);
          assert.equal((await c.login(`${s.id}.user`, PW)).status, 200);
          return { c, s };
        }),
      );

      const acked: { submissionId: string; subscriber: string; version: number }[] = [];
      // Kill somewhere in the middle, at a point that does not line up with any batch.
      const killAt = 300 + Math.floor(Math.random() * 300);
      let sent = 0;
      let killed = false;
      let failures = 0;
      const worker = async ({ c, s }: { c: DeskClient; s: Subscriber }, w: number) => {
        for (let i = 0; sent < TOTAL; i++) {
          sent++;
          const submissionId = `dur-${w}-${i}-${process.pid}`;
          const form = sampleResultForm(session, s);
          form.signatory.name = `Signer ${i}`;
          try {
            const r = await c.post(`/api/sessions/${session.id}/forms/result/${s.id}`, { submissionId, form });
            if (r.status === 201) acked.push({ submissionId, subscriber: s.id, version: r.body.version.version });
            else assert.fail(`unexpected ${r.status}: ${r.text}`);
          } catch (e) {
            if (!killed) throw e;
            failures++;
            return; // the server is gone; what was not acknowledged may or may not be stored
          }
          if (!killed && acked.length >= killAt) {
            killed = true;
            child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(clients.map((x, w) => worker(x, w)));
      await exited;
      assert.equal(killed, true, 'the server was killed before the 1,000 submissions ended');
      assert.ok(failures > 0, 'some requests were cut off by the kill');

      const store = openStore(db);
      try {
        await store.migrate(Date.now());
        const missing: string[] = [];
        for (const a of acked) {
          const v = await store.getFormBySubmissionId(a.submissionId);
          if (!v || v.version !== a.version || v.subscriberId !== a.subscriber) missing.push(a.submissionId);
        }
        assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged submissions lost`);
        for (const s of seed.subscribers) {
          const versions = (await store.listFormVersions(session.id, s.id, 'result')).map((v) => v.version);
          assert.deepEqual(
            versions,
            versions.map((_, i) => i + 1),
            `${s.id}: versions are dense`,
          );
          assert.ok(versions.length >= acked.filter((a) => a.subscriber === s.id).length);
        }
      } finally {
        await store.close();
      }
    });
  });
}
