// `failover-drill conduct` against two real sites (in this process, control API over HTTP on
// 127.0.0.2 / 127.0.0.3) with a desk that fails its first requests: the rundown is played, the
// sites end as the rundown says, and the desk ends up with exactly the evidence file's events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { defaultVenueConfig, startEmbeddedVenue, startSiteControlServer } from '../../src/venue/index.ts';
import { readEvidenceFile, type EvidenceEvent } from '../../src/evidence/index.ts';

const RUNDOWN = `rundown: PS7
date: "2023-11-25"
title: { en: CLI rehearsal, zh: 命令列演練 }
steps:
  - { at: "08:30", action: open-primary, text: { en: Open., zh: 開放。 } }
  - { at: "08:35", action: inject-fault, fault: { kind: loss-line-a, ratio: 0.5 }, text: { en: Line A loss., zh: A線路丟包。 } }
  - { at: "08:40", action: isolate-primary, fault: tcp-reset, text: { en: Primary lost., zh: 主數據中心失去連接。 } }
  - { at: "+00:05", action: activate-backup, text: { en: Backup active., zh: 後備數據中心啟動。 } }
  - { at: "08:55", action: fail-back, text: { en: Back to the primary., zh: 返回主數據中心。 } }
  - { at: "09:00", action: clean-up, text: { en: Clean up., zh: 清理。 } }
`;

describe('failover-drill conduct', () => {
  it('plays a rundown against real sites and streams the evidence to a desk that fails at first', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduct-'));
    const cfg = defaultVenueConfig({
      subscribers: 1,
      session: 'PS-CLI',
      basePort: 29_000,
      groupBase: 141,
      timing: { omdHeartbeatMs: 200, refreshIntervalMs: 1_000 },
    });
    const venue = await startEmbeddedVenue(cfg);
    const servers = [await startSiteControlServer(venue.primary), await startSiteControlServer(venue.backup)];
    const stored = new Map<string, EvidenceEvent>();
    let failFirst = 2,
      requests = 0;
    const desk = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        requests++;
        if (req.headers.authorization !== 'Bearer desk-token') return void res.writeHead(401).end('{}');
        if (failFirst-- > 0) return void res.writeHead(503).end('{"error":{"code":"INTERNAL_ERROR"}}');
        let accepted = 0,
          duplicates = 0;
        for (const e of (JSON.parse(body) as { events: EvidenceEvent[] }).events) {
          if (stored.has(e.id)) duplicates++;
          else {
            stored.set(e.id, e);
            accepted++;
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted, duplicates, rejected: [], unknownSessions: [] }));
      });
    });
    await new Promise<void>((r) => desk.listen(0, '127.0.0.1', r));
    try {
      const rundown = join(dir, 'ps7.yaml');
      writeFileSync(rundown, RUNDOWN);
      const code = await main([
        'conduct',
        '--rundown',
        rundown,
        '--sites',
        servers.map((s) => s.url).join(','),
        '--token',
        cfg.controlToken,
        '--accelerate',
        '300',
        '--session',
        'PS-CLI',
        '--data',
        dir,
        '--poll',
        '100',
        '--desk',
        `http://127.0.0.1:${(desk.address() as AddressInfo).port}`,
        '--desk-token',
        'desk-token',
      ]);
      assert.equal(code, 0);
      assert.equal(venue.primary.state, 'active', 'failed back to the primary');
      assert.equal(venue.backup.state, 'standby');
      const { events, errors } = await readEvidenceFile(join(dir, 'PS-CLI', 'evidence.jsonl'));
      assert.deepEqual(errors, []);
      assert.ok(
        events.some((e) => e.source === 'venue' && e.site === 'backup' && e.kind === 'site-activated' && e.detail['conductor'] === undefined),
        "the backup site's own activation evidence",
      );
      assert.ok(
        events.some((e) => e.kind === 'site-lost' && e.detail['conductor'] === true && e.detail['fault'] === 'tcp-reset'),
        "the conductor's loss mark",
      );
      assert.deepEqual([...stored.keys()].sort(), events.map((e) => e.id).sort(), "the desk holds exactly the file's events");
      assert.ok(requests >= 3, 'the failed requests were retried');
      // A rundown error is a usage-level failure that names the line.
      writeFileSync(rundown, RUNDOWN.replace('action: clean-up', 'action: tidy-up'));
      assert.equal(await main(['conduct', '--rundown', rundown, '--sites', 'http://127.0.0.2:1,http://127.0.0.3:1', '--token', 'x']), 2);
    } finally {
      desk.closeAllConnections();
      await new Promise<void>((r) => desk.close(() => r()));
      for (const s of servers) await s.close();
      await venue.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
