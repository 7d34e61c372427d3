// The evidence bundle: a tar with a SHA-256 manifest that shows any alteration.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/wire/index.ts';
import {
  buildEvidenceBundle,
  demoEvidence,
  demoSession,
  demoSubscriber,
  readTar,
  sampleResultForm,
  seedDemo,
  startDesk,
  verifyEvidenceBundle,
  writeTar,
  type FormVersion,
  type RunningDesk,
} from '../../src/desk/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const session = demoSession();
const sub = demoSubscriber(0);
const resultVersion: FormVersion = {
  sessionId: session.id,
  subscriberId: sub.id,
  kind: 'result',
  version: 1,
  submissionId: 'b-1',
  content: sampleResultForm(session, sub),
  submittedBy: 'u',
  submittedByName: 'A Securities user',
  submittedByRole: 'subscriber',
  onBehalfReason: null,
  submittedAt: '2026-01-11T02:00:00.000Z',
  late: false,
};

function bundle() {
  return buildEvidenceBundle({
    session,
    subscriber: sub,
    evidence: demoEvidence(session, sub),
    intention: [],
    result: [resultVersion],
    contradictions: [],
    createdAt: '2026-01-12T02:00:00.000Z',
  });
}

function tamper(tar: Buffer, name: string, edit: (s: string) => string): Buffer {
  const files = readTar(tar).map((f) => (f.name === name ? { name, content: Buffer.from(edit(f.content.toString('utf8'))) } : f));
  return writeTar(files, 0);
}

describe('evidence bundle', () => {
  it('lists every file with its SHA-256 in the manifest', () => {
    const b = bundle();
    const names = readTar(b.tar).map((f) => f.name);
    assert.deepEqual(names, [
      'manifest.json',
      'evidence.jsonl',
      'intention-form.json',
      'result-form.json',
      'contradictions.json',
      'session.json',
      'subscriber.json',
    ]);
    const ev = readTar(b.tar).find((f) => f.name === 'evidence.jsonl')!;
    assert.equal(b.manifest.files.find((f) => f.name === 'evidence.jsonl')!.sha256, createHash('sha256').update(ev.content).digest('hex'));
    assert.equal(ev.content.toString().trim().split('\n').length, demoEvidence(session, sub).length);
  });

  it('is a tar file the system tar reads', { skip: spawnSync('tar', ['--version']).status !== 0 && 'no tar binary' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-bundle-'));
    try {
      const path = join(dir, 'b.tar');
      writeFileSync(path, bundle().tar);
      const list = spawnSync('tar', ['-tf', path], { encoding: 'utf8' });
      assert.equal(list.status, 0, list.stderr);
      assert.deepEqual(list.stdout.trim().split('\n'), [
        'manifest.json',
        'evidence.jsonl',
        'intention-form.json',
        'result-form.json',
        'contradictions.json',
        'session.json',
        'subscriber.json',
      ]);
      const manifest = spawnSync('tar', ['-xOf', path, 'manifest.json'], { encoding: 'utf8' });
      assert.equal(JSON.parse(manifest.stdout).subscriber, sub.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an untouched bundle verifies', () => {
    const b = bundle();
    assert.deepEqual(verifyEvidenceBundle(b.tar), { ok: true, manifestSha256: b.manifestSha256, altered: [], missing: [], unlisted: [] });
  });

  it('shows an altered, a missing and an added file', () => {
    const b = bundle();
    const edited = tamper(b.tar, 'evidence.jsonl', (s) => s.replace('"backup"', '"primary"'));
    assert.deepEqual(verifyEvidenceBundle(edited).altered, ['evidence.jsonl']);
    const files = readTar(b.tar);
    const dropped = writeTar(
      files.filter((f) => f.name !== 'result-form.json'),
      0,
    );
    assert.deepEqual(verifyEvidenceBundle(dropped).missing, ['result-form.json']);
    const added = writeTar([...files, { name: 'extra.txt', content: Buffer.from('x') }], 0);
    assert.deepEqual(verifyEvidenceBundle(added).unlisted, ['extra.txt']);
  });

  it('rejects garbage without throwing', () => {
    const r = verifyEvidenceBundle(Buffer.from('not a tar file at all'.repeat(40)));
    assert.equal(r.ok, false);
    assert.match(r.problem!, /not a readable tar file|no manifest/);
  });
});

for (const variant of storeVariants()) {
  describe(`evidence bundle API on ${variant.name}`, { skip: variant.skip }, () => {
    let desk: RunningDesk;
    const c: Record<string, DeskClient> = {};
    const path = '/api/sessions/ps2-2026/subscribers/firm-a/evidence-bundle.tar';

    before(async () => {
      const clock = new ManualClock();
      desk = await startDesk({ db: await variant.freshDb(), clock, evidenceToken: 'bundle-token' });
      const seed = await seedDemo(desk.store, { now: clock.now(), password: 'bundle-password', scryptCost: 1024, subscribers: 2 });
      await desk.store.ingestEvidence(demoEvidence(seed.session, seed.subscribers[0]!), 'conductor', clock.now());
      for (const [k, u] of [
        ['desk', 'desk'],
        ['own', 'firm-a.user'],
        ['other', 'firm-b.user'],
      ] as const) {
        c[k] = new DeskClient(desk.url);
        assert.equal((await c[k]!.login(u, 'bundle-password')).status, 200);
      }
      c.anon = new DeskClient(desk.url);
    });
    after(async () => {
      await desk?.close();
    });

    it('desk and own firm may download; another firm and anonymous may not', async () => {
      assert.equal((await c.desk!.get(path)).status, 200);
      assert.equal((await c.own!.get(path)).status, 200);
      assert.equal((await c.other!.get(path)).body.error.code, 'FORBIDDEN_FIRM');
      assert.equal((await c.anon!.get(path)).status, 401);
    });

    it('verifies a bundle it issued, and shows tampering or a forged manifest', async () => {
      const res = await fetch(desk.url + path, { headers: { cookie: c.own!.cookie } });
      assert.equal(res.headers.get('content-type'), 'application/x-tar');
      const tar = Buffer.from(await res.arrayBuffer());
      const verify = (b: Buffer, who = c.desk!) =>
        who.post('/api/evidence-bundles/verify', undefined, { raw: b, headers: { 'content-type': 'application/x-tar' } });
      const good = await verify(tar);
      assert.equal(good.status, 200);
      assert.equal(good.body.ok, true);
      assert.equal(good.body.issuedByThisDesk, true);
      assert.equal(good.body.manifestSha256, res.headers.get('x-manifest-sha256'));
      const edited = await verify(tamper(tar, 'evidence.jsonl', (s) => s.replace(/"backup"/g, '"primary"')));
      assert.deepEqual([edited.body.ok, edited.body.altered], [false, ['evidence.jsonl']]);
      // Edit a file and rewrite the manifest to match: the files agree, but the desk never issued that manifest.
      const files = readTar(tar);
      const ev = Buffer.from(
        files
          .find((f) => f.name === 'evidence.jsonl')!
          .content.toString()
          .replace(/"backup"/g, '"primary"'),
      );
      const manifest = JSON.parse(files[0]!.content.toString());
      manifest.files.find((f: { name: string }) => f.name === 'evidence.jsonl').sha256 = createHash('sha256').update(ev).digest('hex');
      manifest.files.find((f: { name: string }) => f.name === 'evidence.jsonl').bytes = ev.length;
      const forged = writeTar(
        files.map((f) =>
          f.name === 'evidence.jsonl'
            ? { name: f.name, content: ev }
            : f.name === 'manifest.json'
              ? { name: f.name, content: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') }
              : f,
        ),
        0,
      );
      const f = await verify(forged);
      assert.deepEqual([f.body.ok, f.body.altered, f.body.issuedByThisDesk], [false, [], false]);
      assert.equal((await verify(tar, c.own!)).body.error.code, 'FORBIDDEN_ROLE');
      assert.equal((await verify(tar, c.other!)).body.error.code, 'FORBIDDEN_ROLE');
      assert.equal((await verify(tar, c.anon!)).body.error.code, 'UNAUTHENTICATED');
    });
  });
}
