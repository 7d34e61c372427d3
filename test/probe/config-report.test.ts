// subscriber.yaml (load, validation errors naming field and line, round trip from the venue's
// derivation), the human summary, and the live progress display (TTY in place, plain lines otherwise).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ProbeConfigError,
  ProgressDisplay,
  formatCaseLog,
  formatProbeSummary,
  loadProbeConfig,
  parseProbeConfig,
  probeConfigToYaml,
  writeProbeReport,
  casesFor,
  type ProbeReport,
  type ServiceProgress,
} from '../../src/probe/index.ts';
import { defaultVenueConfig, probeConfigFor } from '../../src/venue/index.ts';
import { generateVenueKeyPair } from '../../src/ocg/index.ts';

const venue = defaultVenueConfig({ subscribers: 2, privateKeyPem: generateVenueKeyPair().privateKeyPem });

describe('subscriber.yaml', () => {
  it('round-trips the probe config the venue derives for a subscriber', () => {
    const cfg = probeConfigFor(venue, 'F002');
    const back = parseProbeConfig(probeConfigToYaml(cfg));
    assert.deepEqual(back, cfg);
    assert.equal(back.trading.find((t) => t.role === 'drop-copy')!.compId, 'F002D');
    assert.equal(back.trading[0]!.lookup.map((l) => l.name).join(), 'PS-primary,PS-mirror,BS-primary,BS-mirror');
    assert.equal(back.feeds[0]!.feed.rts.length, 4);
  });

  it("takes the spec's channel layout: odd-lot and Stock Connect channels, one OMD-CC channel per market", () => {
    const cfg = probeConfigFor(venue, 'F002');
    const cc = cfg.feeds.find((f) => f.feed.service === 'OMD-CC')!;
    const md = cfg.feeds.find((f) => f.feed.service === 'OMD-C')!;
    const base = md.feed.channels[0]!;
    md.feed.channels.push({ ...base, channelId: 90, product: 'OddLot' }, { ...base, channelId: 91, product: 'StockConnect' });
    const ccBase = cc.feed.channels[0]!;
    cc.feed.channels = [
      { ...ccBase, channelId: 1, market: 'ASHR' },
      { ...ccBase, channelId: 2, market: 'ASZR' },
    ];
    const back = parseProbeConfig(probeConfigToYaml(cfg));
    assert.deepEqual(back, cfg);
    assert.deepEqual(
      back.feeds.find((f) => f.feed.service === 'OMD-CC')!.feed.channels.map((c) => c.market),
      ['ASHR', 'ASZR'],
    );
    assert.throws(
      () => parseProbeConfig(probeConfigToYaml(cfg).replace('market: ASZR', 'market: XSHG')),
      (e: unknown) => e instanceof ProbeConfigError && e.issues.some((i) => /market: expected ASHR or ASZR/.test(i.path + ': ' + i.message)),
    );
  });

  it('reads the public key from a file next to the YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-cfg-'));
    try {
      const cfg = probeConfigFor(venue, 'F001');
      writeFileSync(join(dir, 'venue.pub.pem'), cfg.publicKeyPem);
      const { publicKeyPem: _pem, ...rest } = cfg;
      writeFileSync(join(dir, 'subscriber.yaml'), probeConfigToYaml({ ...rest, publicKeyFile: 'venue.pub.pem' } as never));
      assert.equal(loadProbeConfig(join(dir, 'subscriber.yaml')).publicKeyPem, cfg.publicKeyPem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names each bad field and its line', () => {
    const text = [
      'session: PS2', //                 1
      'firm: F001', //                   2
      'brokerId: 1001', //               3
      'password: x', //                  4
      'localAddress: not-an-ip', //      5
      'publicKeyPem: nope', //           6
      'trading:', //                     7
      '  - service: OTP-X', //           8
      '    compId: ABCDEFGHIJKLMNOP', // 9
      '    role: trading', //            10
      '    lookup: []', //               11
      '    securities:', //              12
      '      - { securityId: "700", lotSize: 100, referencePrice: 395800 }',
    ].join('\n');
    assert.throws(
      () => parseProbeConfig(text, { source: 'subscriber.yaml' }),
      (e: unknown) => {
        assert.ok(e instanceof ProbeConfigError);
        const by = new Map(e.issues.map((i) => [i.path, i]));
        assert.equal(by.get('localAddress')?.line, 5);
        assert.equal(by.get('publicKeyPem')?.line, 6);
        assert.equal(by.get('trading.0.service')?.line, 8);
        assert.match(by.get('trading.0.compId')!.message, /at most 11 characters/);
        assert.equal(by.get('trading.0.lookup')?.line, 11);
        assert.match(e.message, /^subscriber.yaml: invalid subscriber probe config\n {2}line 5: localAddress:/);
        return true;
      },
    );
  });

  it('reports YAML syntax errors with their line', () => {
    assert.throws(
      () => parseProbeConfig('session: PS2\nfirm: [unclosed\n'),
      (e: unknown) => e instanceof ProbeConfigError && e.issues[0]!.line !== undefined,
    );
  });
});

function sampleReport(): ProbeReport {
  const trading = casesFor('OTP-C', 'F001T');
  for (const c of trading) {
    c.status = 'passed';
    for (const s of c.steps) s.status = 'passed';
  }
  const seq = trading.find((c) => c.id === 'sequence-continuity')!;
  seq.status = 'failed';
  seq.failedStep = 'logon-backup-trading';
  seq.reason = 'logon refused: sequence 1 (reset)';
  const md = casesFor('OMD-C', 'F001MD');
  for (const c of md) c.status = 'passed';
  md.find((c) => c.id === 'gap-recovered')!.status = 'not tested';
  md.find((c) => c.id === 'gap-recovered')!.reason = 'no gap on both lines occurred';
  return {
    session: 'PS2',
    firm: 'F001',
    name: 'Broker 1',
    startedAt: '2026-11-28T00:30:00.000Z',
    finishedAt: '2026-11-28T03:00:00.000Z',
    faults: { resetSequenceOnReconnect: true },
    identities: [
      { service: 'OTP-C', identity: 'F001T', role: 'trading' },
      { service: 'OMD-C', identity: 'F001MD', role: 'market-data' },
    ],
    result: 'failed',
    services: [
      { service: 'OTP-C', identity: 'F001T', dropCopy: 'F001D', result: 'failed', recoveryMs: null, cases: trading },
      { service: 'OMD-C', identity: 'F001MD', result: 'passed', recoveryMs: 1234, cases: md },
    ],
    timings: [],
    events: [],
  };
}

describe('report and summary', () => {
  it('summary: one row per service with result, recovery time and the failed step; then what did not pass', () => {
    const text = formatProbeSummary(sampleReport());
    assert.match(text, /^Probe F001 \(Broker 1\), session PS2: FAILED {2}\[deliberately faulty: resetSequenceOnReconnect\]/);
    assert.match(
      text,
      /OTP-C +F001T \(\+F001D\) +FAILED +6\/7 passed, 1 failed +- +sequence-continuity: logon-backup-trading: logon refused: sequence 1 \(reset\)/,
    );
    assert.match(text, /OMD-C +F001MD +passed +6\/7 passed, 1 not tested +1234 ms/);
    assert.match(text, /OMD-C +gap-recovered +not tested +no gap on both lines occurred/);
  });

  it('writes the JSON report with a version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-report-'));
    try {
      const file = join(dir, 'sub', 'probe.json');
      writeProbeReport(file, sampleReport());
      const back = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(back.version, 1);
      assert.equal(back.services[0].cases.length, 7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(formatCaseLog(sampleReport()), /OTP-C F001T sequence-continuity: FAILED/);
  });
});

describe('progress display', () => {
  const line = (phase: string, passed: number): ServiceProgress => ({
    service: 'OTP-C',
    identity: 'F001T',
    phase,
    passed,
    failed: 0,
    pending: 1,
    notTested: 6 - passed,
    total: 7,
    recoveryMs: null,
  });
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return {
      chunks,
      stream: {
        isTTY,
        columns: 100,
        write: (s: string) => {
          chunks.push(s);
          return true;
        },
      },
    };
  };

  it('on a TTY redraws the block in place (cursor up, erase line)', () => {
    const s = sink(true);
    const d = new ProgressDisplay(s.stream);
    d.render([line('connecting', 0), { ...line('joining', 0), service: 'OMD-C', identity: 'F001MD' }]);
    d.render([line('logged on at the primary site', 1), { ...line('in sync', 1), service: 'OMD-C', identity: 'F001MD' }]);
    assert.equal(s.chunks.length, 2);
    assert.ok(!s.chunks[0]!.includes('\x1b[2A'));
    assert.ok(s.chunks[1]!.startsWith('\x1b[2A'), 'second frame moves two lines up');
    assert.equal(s.chunks[1]!.split('\r\x1b[2K').length - 1, 2);
    assert.match(s.chunks[1]!, /OTP-C +F001T +1\/7 passed 1 pending +logged on at the primary site/);
  });

  it('a terminal that reports no width (columns 0) is not cut to nothing', () => {
    const chunks: string[] = [];
    const d = new ProgressDisplay({
      isTTY: true,
      columns: 0,
      write: (s: string) => {
        chunks.push(s);
        return true;
      },
    });
    d.render([line('logged on at the primary site', 1)]);
    assert.match(chunks[0]!, /logged on at the primary site/);
  });

  it('elsewhere prints a plain line only when a service line changes', () => {
    const s = sink(false);
    const d = new ProgressDisplay(s.stream);
    d.render([line('connecting', 0)]);
    d.render([line('connecting', 0)]);
    d.render([line('logged on at the primary site', 1)]);
    assert.equal(s.chunks.length, 2);
    assert.ok(s.chunks.every((c) => !c.includes('\x1b[')));
  });
});
