// The evidence bundle of one subscriber for one session: a tar file with the
// evidence as JSON lines, every version of both forms, the contradictions, and
// a manifest with the SHA-256 of each file. The manifest's own SHA-256 is
// written to the audit log at export, so a bundle handed back later can be
// checked file by file and as a whole.
// The tar writer is a minimal POSIX ustar (IEEE 1003.1-1988): regular files
// only, names under 100 bytes. The desk has no npm tar dependency; this is
// ~60 lines and not on a hot path.
import { createHash } from 'node:crypto';
import { provenanceOf, type EvidenceEvent, type StoredEvidenceEvent } from '../evidence/index.ts';
import type { Contradiction, FormVersion, PracticeSession, Subscriber } from './domain/index.ts';

export const BUNDLE_FORMAT = 'failover-drill evidence bundle 1';

export interface BundleFile {
  name: string;
  content: Buffer;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  session: string;
  subscriber: string;
  createdAt: string;
  files: { name: string; bytes: number; sha256: string }[];
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const json = (x: unknown) => Buffer.from(JSON.stringify(x, null, 2) + '\n', 'utf8');

export function buildEvidenceBundle(input: {
  session: PracticeSession;
  subscriber: Subscriber;
  /** Stored events carry who posted them and their provenance; bare events get the provenance their source implies. */
  evidence: (EvidenceEvent | StoredEvidenceEvent)[];
  intention: FormVersion[];
  result: FormVersion[];
  contradictions: Contradiction[];
  createdAt: string;
  /** The firm's readiness check before the session (src/desk/readiness.ts), as readiness.json. */
  readiness?: unknown;
}): { files: BundleFile[]; manifest: BundleManifest; manifestSha256: string; tar: Buffer } {
  const files: BundleFile[] = [
    // Each line says who vouches for it: "provenance": "venue" or "self-reported" (the firm's own probe);
    // the desk's export adds "marketPhase", the phase of the day the venue was in at the event.
    {
      name: 'evidence.jsonl',
      content: Buffer.from(
        input.evidence.map((e) => JSON.stringify({ ...e, provenance: 'provenance' in e ? e.provenance : provenanceOf(e) }) + '\n').join(''),
        'utf8',
      ),
    },
    { name: 'intention-form.json', content: json(input.intention) },
    { name: 'result-form.json', content: json(input.result) },
    { name: 'contradictions.json', content: json(input.contradictions) },
    { name: 'session.json', content: json(input.session) },
    { name: 'subscriber.json', content: json(input.subscriber) },
    ...(input.readiness !== undefined ? [{ name: 'readiness.json', content: json(input.readiness) }] : []),
  ];
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    session: input.session.id,
    subscriber: input.subscriber.id,
    createdAt: input.createdAt,
    files: files.map((f) => ({ name: f.name, bytes: f.content.length, sha256: sha256(f.content) })),
  };
  const manifestFile = json(manifest);
  const mtime = Math.floor(Date.parse(input.createdAt) / 1000);
  return { files, manifest, manifestSha256: sha256(manifestFile), tar: writeTar([{ name: 'manifest.json', content: manifestFile }, ...files], mtime) };
}

export interface BundleCheck {
  ok: boolean;
  manifestSha256: string | null;
  /** Files whose content no longer matches the manifest. */
  altered: string[];
  missing: string[];
  /** Files in the archive that the manifest does not list. */
  unlisted: string[];
  problem?: string;
}

export function verifyEvidenceBundle(tar: Buffer): BundleCheck {
  let entries: BundleFile[];
  try {
    entries = readTar(tar);
  } catch (e) {
    return { ok: false, manifestSha256: null, altered: [], missing: [], unlisted: [], problem: `not a readable tar file: ${(e as Error).message}` };
  }
  const m = entries.find((e) => e.name === 'manifest.json');
  if (!m) return { ok: false, manifestSha256: null, altered: [], missing: ['manifest.json'], unlisted: [], problem: 'no manifest.json' };
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(m.content.toString('utf8'));
    if (manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.files)) throw new Error(`format is not "${BUNDLE_FORMAT}"`);
  } catch (e) {
    return {
      ok: false,
      manifestSha256: sha256(m.content),
      altered: ['manifest.json'],
      missing: [],
      unlisted: [],
      problem: `manifest.json unreadable: ${(e as Error).message}`,
    };
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const altered: string[] = [];
  const missing: string[] = [];
  for (const f of manifest.files) {
    const e = byName.get(f.name);
    if (!e) missing.push(f.name);
    else if (sha256(e.content) !== f.sha256 || e.content.length !== f.bytes) altered.push(f.name);
  }
  const listed = new Set(['manifest.json', ...manifest.files.map((f) => f.name)]);
  const unlisted = entries.map((e) => e.name).filter((n) => !listed.has(n));
  return { ok: !altered.length && !missing.length && !unlisted.length, manifestSha256: sha256(m.content), altered, missing, unlisted };
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

export function writeTar(files: BundleFile[], mtime: number): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    if (name.length > 99) throw new RangeError(`tar name too long: ${f.name}`);
    const h = Buffer.alloc(512);
    name.copy(h, 0);
    h.write(octal(0o644, 8), 100, 'ascii');
    h.write(octal(0, 8), 108, 'ascii');
    h.write(octal(0, 8), 116, 'ascii');
    h.write(octal(f.content.length, 12), 124, 'ascii');
    h.write(octal(mtime, 12), 136, 'ascii');
    h.write('        ', 148, 'ascii'); // checksum counted as spaces
    h.write('0', 156, 'ascii');
    h.write('ustar\u000000', 257, 'ascii');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
    blocks.push(h, f.content, Buffer.alloc((512 - (f.content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function readTar(buf: Buffer): BundleFile[] {
  const out: BundleFile[] = [];
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    const stored = parseInt(h.toString('ascii', 148, 156).replace(/[\0 ]/g, ''), 8);
    if (stored !== sum) throw new Error(`bad header checksum at byte ${off}`);
    const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const size = parseInt(h.toString('ascii', 124, 136).replace(/[\0 ]/g, '') || '0', 8);
    if (!Number.isFinite(size) || off + 512 + size > buf.length) throw new Error(`truncated entry ${name}`);
    const type = String.fromCharCode(h[156]!);
    if (type === '0' || type === '\0') out.push({ name, content: Buffer.from(buf.subarray(off + 512, off + 512 + size)) });
    off += 512 + size + ((512 - (size % 512)) % 512);
  }
  return out;
}
