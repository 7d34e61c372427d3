// The desk both dashboard benchmarks measure: a three-session series (PS1–PS3) and `firms` firms,
// each with Appendix A in PS1 and PS2; one firm in four failed PS1, one in eight sent no Appendix B
// for it, every other firm has PS2's Appendix B. A desk user `desk` signs in with `password`.
import {
  demoSession,
  demoSubscriber,
  sampleIntentionForm,
  sampleResultForm,
  hashPassword,
  type DeskStore,
  type PracticeSession,
  type ResultForm,
  type Subscriber,
} from '../src/desk/index.ts';

export async function seedSeriesDesk(
  store: DeskStore,
  firms: number,
  password: string,
  now: number,
): Promise<{ sessions: [PracticeSession, PracticeSession, PracticeSession]; firms: Subscriber[] }> {
  const [ps1, ps2, ps3] = [1, 2, 3].map((n) => ({
    ...demoSession({ id: `ps${n}-bench`, noticeId: null, date: `2026-01-${String(3 + 7 * (n - 1)).padStart(2, '0')}` }),
    code: `PS${n}`,
    series: { id: 'bench-series', order: n },
  })) as [PracticeSession, PracticeSession, PracticeSession];
  for (const s of [ps1, ps2, ps3]) await store.createSession(s, 'seed', now);
  await store.createUser(
    { id: 'desk-1', username: 'desk', displayName: 'Desk', role: 'desk', subscriberId: null, passwordHash: await hashPassword(password, 1024) },
    'seed',
    now,
  );
  const out: Subscriber[] = [];
  for (let n = 0; n < firms; n++) {
    const f = demoSubscriber(n);
    out.push(f);
    await store.putSubscriber(f, 'seed', now);
    const submit = (s: PracticeSession, kind: 'intention' | 'result', content: object) =>
      store.submitForm({
        sessionId: s.id,
        subscriberId: f.id,
        kind,
        submissionId: `b-${s.id}-${f.id}-${kind}`,
        content: content as ResultForm,
        submittedBy: 'desk-1',
        submittedAt: now,
        late: false,
      });
    await submit(ps1, 'intention', sampleIntentionForm(ps1, f));
    if (n % 8 !== 7) {
      const r = sampleResultForm(ps1, f);
      if (n % 4 === 0) {
        r.sections[0]!.overall = 'failed';
        r.sections[0]!.problems = [{ time: '10:10', description: 'no ack', reference: 'x' }];
      }
      await submit(ps1, 'result', r);
    }
    await submit(ps2, 'intention', sampleIntentionForm(ps2, f));
    if (n % 2 === 0) await submit(ps2, 'result', sampleResultForm(ps2, f));
  }
  return { sessions: [ps1, ps2, ps3], firms: out };
}
