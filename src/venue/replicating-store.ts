// An OCG-C SessionStore that writes every change to the site journal before the gateway sends
// anything: sequence numbers and sent frames reach the standby, so sessions continue at
// the backup site with their numbers and a resend there replays the same frames (spec note §3.13).
// The standby applies the journal straight into the inner MemorySessionStore.
import { MemorySessionStore } from '../ocg/index.ts';
import type { OcgService, SessionJournal, SessionStore } from '../ocg/index.ts';
import type { JournalEntry, SessionSnapshot } from './journal-records.ts';

class ReplicatingJournal implements SessionJournal {
  readonly #inner: SessionJournal;
  readonly #store: ReplicatingSessionStore;

  constructor(inner: SessionJournal, store: ReplicatingSessionStore) {
    this.#inner = inner;
    this.#store = store;
  }

  get compId(): string {
    return this.#inner.compId;
  }
  get nextToSend(): number {
    return this.#inner.nextToSend;
  }
  get nextExpected(): number {
    return this.#inner.nextExpected;
  }
  get fresh(): boolean {
    return this.#inner.fresh;
  }

  setNextToSend(seq: number): void {
    this.#inner.setNextToSend(seq);
    this.#store.emit({ t: 'next-to-send', service: this.#store.service, compId: this.compId, seq });
  }

  setNextExpected(seq: number): void {
    this.#inner.setNextExpected(seq);
    this.#store.emit({ t: 'next-expected', service: this.#store.service, compId: this.compId, seq });
  }

  saveSent(seq: number, frame: Uint8Array): void {
    this.#inner.saveSent(seq, frame);
    this.#store.emit({ t: 'sent', service: this.#store.service, compId: this.compId, seq, frame });
  }

  sent(seq: number): Uint8Array | undefined {
    return this.#inner.sent(seq);
  }

  reset(): void {
    this.#inner.reset();
    this.#store.emit({ t: 'session-reset', service: this.#store.service, compId: this.compId });
  }
}

export class ReplicatingSessionStore implements SessionStore {
  readonly service: OcgService;
  /** Where changes go; null while this site is standby (it only applies). */
  sink: ((entry: JournalEntry) => void) | null = null;
  #inner = new MemorySessionStore();
  readonly #wrapped = new Map<string, ReplicatingJournal>();

  constructor(service: OcgService) {
    this.service = service;
  }

  emit(entry: JournalEntry): void {
    this.sink?.(entry);
  }

  journal(compId: string): SessionJournal {
    let j = this.#wrapped.get(compId);
    if (j === undefined) {
      j = new ReplicatingJournal(this.#inner.journal(compId), this);
      this.#wrapped.set(compId, j);
    }
    return j;
  }

  compIds(): string[] {
    return this.#inner.compIds();
  }

  flush(): void {}

  close(): void {}

  /** Standby: apply one journal entry (no re-emission). */
  apply(entry: JournalEntry): void {
    switch (entry.t) {
      case 'next-to-send':
        this.#inner.journal(entry.compId).setNextToSend(entry.seq);
        return;
      case 'next-expected':
        this.#inner.journal(entry.compId).setNextExpected(entry.seq);
        return;
      case 'sent':
        this.#inner.journal(entry.compId).saveSent(entry.seq, entry.frame);
        return;
      case 'session-reset':
        this.#inner.journal(entry.compId).reset();
        return;
      default:
    }
  }

  /** Everything for a resync: per Comp ID the numbers and every stored frame. */
  snapshot(): SessionSnapshot[] {
    return this.#inner.compIds().map((compId) => {
      const j = this.#inner.journal(compId);
      const sent: Array<[number, Uint8Array]> = [];
      for (let seq = 1; seq < j.nextToSend; seq++) {
        const f = j.sent(seq);
        if (f !== undefined) sent.push([seq, f]);
      }
      return { compId, nextToSend: j.nextToSend, nextExpected: j.nextExpected, sent };
    });
  }

  /** Standby: replace everything with a snapshot. Journal objects handed out stay valid (they re-resolve). */
  restore(sessions: SessionSnapshot[]): void {
    this.#inner = new MemorySessionStore();
    this.#wrapped.clear();
    for (const s of sessions) {
      const j = this.#inner.journal(s.compId);
      for (const [seq, frame] of s.sent) j.saveSent(seq, frame);
      j.setNextToSend(s.nextToSend);
      j.setNextExpected(s.nextExpected);
    }
  }
}
