// The import rules of src/: each top-level folder is a module, other modules reach it only through
// its index.ts, modules depend on each other only in the directions the table below allows (so
// there is no cycle, nor between files), and the codecs load nothing that opens sockets. A new module or a new
// direction is a decision: it goes into the table with its reason, not in by accident.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/**
 * Which modules each module may import. Lower layers first: the wire and the protocols know
 * nothing of the venue, the probe or the desk; the venue implements what the gateway and the
 * probe define; the drill and the CLI put everything together.
 */
const ALLOWED: Record<string, readonly string[]> = {
  // Clocks, multicast sockets, CRC-32C: used by everyone, uses no one.
  wire: [],
  // The evidence record format, shared by the probe, the venue, the conductor and the desk.
  evidence: [],
  // Reading a YAML config file with the line of every problem (venue.yaml, subscriber.yaml).
  'yaml-config': [],
  // The two protocols: the market-data feed and the order gateway (which defines its OrderRouter).
  omd: ['wire'],
  ocg: ['wire'],
  // OCG-C over FIX: its own codec and session layer, routing into the gateway's OrderRouter and sharing its
  // password rules and session store.
  fix: ['wire', 'ocg'],
  // The opt-in low-latency profile: plugs into the gateway's and client's hooks without importing them.
  lowlatency: ['wire'],
  // The subscriber's side; it runs against any venue, so it does not import ours.
  probe: ['wire', 'evidence', 'omd', 'ocg', 'fix', 'yaml-config'],
  // The exchange's two sites: matching engine (an OrderRouter), publishers, journal. Derives each
  // subscriber's probe config, whose shape the probe defines.
  venue: ['wire', 'evidence', 'omd', 'ocg', 'fix', 'probe', 'yaml-config'],
  conductor: ['wire', 'evidence', 'venue'],
  desk: ['wire', 'evidence'],
  drill: ['wire', 'evidence', 'omd', 'probe', 'venue', 'conductor', 'desk'],
  cli: ['wire', 'evidence', 'omd', 'ocg', 'fix', 'lowlatency', 'probe', 'venue', 'conductor', 'desk', 'drill'],
};

/** Imports into another module that may skip its index.ts, each with its reason. */
const INDEX_EXCEPTIONS: Record<string, string> = {
  'src/wire/crc32c.ts': "the codecs take the checksum alone: wire's index also loads its socket code",
};

/** Import paths inside one module that must not be taken (an inner layer reaching an outer one). */
const FORBIDDEN_INSIDE: Array<{ from: string; to: string; why: string }> = [
  { from: 'src/desk/store/', to: 'src/desk/api/', why: 'the store serves the HTTP API, not the other way round' },
];

/** Codec files: pure byte work, so that a test, a benchmark or a tool can use them without the network. */
const CODEC = /^src\/(ocg|omd|fix)\/(codec|frame-reader|packet[\w-]*)\.ts$/;
const SOCKET_MODULES = new Set(
  ['net', 'dgram', 'tls', 'http', 'https', 'http2', 'pg', 'fastify', 'nodemailer', 'smtp-server'].flatMap((m) => [m, `node:${m}`]),
);

interface SourceFile {
  /** Path relative to the repository, with forward slashes. */
  path: string;
  module: string;
  /** Resolved relative imports (repository paths). */
  local: string[];
  /** Package and built-in imports, as written. */
  external: string[];
}

function repoPath(abs: string): string {
  return relative(ROOT, abs).split(sep).join('/');
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listSources(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function readSources(): Map<string, SourceFile> {
  const files = new Map<string, SourceFile>();
  for (const abs of listSources(SRC)) {
    const path = repoPath(abs);
    const local: string[] = [];
    const external: string[] = [];
    // The compiler's own scanner: static, type-only, re-export and dynamic imports alike.
    for (const { fileName } of ts.preProcessFile(readFileSync(abs, 'utf8'), true, true).importedFiles) {
      if (fileName.startsWith('.')) local.push(repoPath(resolve(dirname(abs), fileName)));
      else external.push(fileName);
    }
    files.set(path, { path, module: path.split('/')[1]!, local, external });
  }
  return files;
}

function moduleOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

/** A cycle in a directed graph as a path a → … → a, or null. */
function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (state.get(m) === undefined) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

const files = readSources();

/** Module → module edges, each with one import that makes it (for the message). */
function moduleEdges(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const f of files.values()) {
    for (const target of f.local) {
      const to = moduleOf(target);
      if (to === undefined || to === f.module) continue;
      if (!edges.has(f.module)) edges.set(f.module, new Map());
      if (!edges.get(f.module)!.has(to)) edges.get(f.module)!.set(to, `${f.path} imports ${target}`);
    }
  }
  return edges;
}

describe('architecture: imports between the modules of src/', () => {
  it('reads every source file and its imports', () => {
    assert.ok(files.size > 100, `only ${files.size} source files found under src/`);
    assert.ok(files.has('src/ocg/gateway.ts') && files.has('src/venue/matching-engine.ts'));
    const imports = [...files.values()].reduce((n, f) => n + f.local.length, 0);
    assert.ok(imports > files.size, `only ${imports} relative imports found: the scanner misses them`);
  });

  it('every relative import names a file that exists and stays inside src/', () => {
    const broken: string[] = [];
    for (const f of files.values()) {
      for (const target of f.local) {
        if (!target.startsWith('src/') || !existsSync(join(ROOT, target))) broken.push(`${f.path} imports ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('every module is in the table of allowed imports', () => {
    const modules = new Set([...files.values()].map((f) => f.module));
    assert.ok(modules.size >= 10, `only ${modules.size} modules`);
    const unknown = [...modules].filter((m) => !(m in ALLOWED));
    assert.deepEqual(unknown, [], 'add the new module to ALLOWED in test/architecture.test.ts, with what it may import and why');
  });

  it('the table of allowed imports has no cycle', () => {
    const graph = new Map(Object.entries(ALLOWED).map(([m, deps]) => [m, new Set(deps)]));
    assert.equal(findCycle(graph)?.join(' → ') ?? null, null);
  });

  it('modules import each other only in the allowed directions, so without cycles', () => {
    const edges = moduleEdges();
    assert.ok(edges.size >= 8, `only ${edges.size} modules import another`);
    const wrong: string[] = [];
    for (const [from, tos] of edges) {
      for (const [to, example] of tos) {
        if (!(ALLOWED[from] ?? []).includes(to)) wrong.push(`${from} → ${to} (${example})`);
      }
    }
    assert.deepEqual(wrong, []);
    const graph = new Map([...edges].map(([m, tos]) => [m, new Set(tos.keys())]));
    assert.equal(findCycle(graph)?.join(' → ') ?? null, null);
  });

  it('no two files import each other, directly or round a loop (type-only imports included)', () => {
    const graph = new Map([...files.values()].map((f) => [f.path, new Set(f.local)]));
    assert.equal(findCycle(graph)?.join(' → ') ?? null, null);
  });

  it('another module is reached only through its index.ts', () => {
    const skipping: string[] = [];
    const used = new Set<string>();
    for (const f of files.values()) {
      for (const target of f.local) {
        const to = moduleOf(target);
        if (to === undefined || to === f.module || target === `src/${to}/index.ts`) continue;
        if (target in INDEX_EXCEPTIONS) used.add(target);
        else skipping.push(`${f.path} imports ${target}`);
      }
    }
    assert.deepEqual(skipping, []);
    // An exception nobody needs any more goes.
    assert.deepEqual(
      Object.keys(INDEX_EXCEPTIONS).filter((t) => !used.has(t)),
      [],
    );
  });

  it('inner layers of a module do not import its outer ones', () => {
    const wrong: string[] = [];
    for (const f of files.values()) {
      for (const rule of FORBIDDEN_INSIDE) {
        if (!f.path.startsWith(rule.from)) continue;
        for (const target of f.local) if (target.startsWith(rule.to)) wrong.push(`${f.path} imports ${target}: ${rule.why}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('the codecs load nothing that opens sockets, directly or through what they import', () => {
    const codecs = [...files.keys()].filter((p) => CODEC.test(p));
    assert.ok(codecs.includes('src/ocg/codec.ts') && codecs.includes('src/omd/codec.ts'), `codec files found: ${codecs.join(', ')}`);
    const wrong: string[] = [];
    for (const codec of codecs) {
      // Breadth-first over relative imports, remembering how each file was reached.
      const via = new Map<string, string>([[codec, codec]]);
      const queue = [codec];
      while (queue.length > 0) {
        const f = files.get(queue.shift()!);
        if (f === undefined) continue;
        for (const x of f.external) if (SOCKET_MODULES.has(x)) wrong.push(`${via.get(f.path)} imports ${x}`);
        for (const t of f.local) {
          if (via.has(t)) continue;
          via.set(t, `${via.get(f.path)} → ${t}`);
          queue.push(t);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});
