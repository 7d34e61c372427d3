// The readiness check (`failover-drill preflight`): what a subscriber runs against the venue in
// a connectivity-test window before the session. For each identity of subscriber.yaml it checks,
// one row each with a verdict and a reason: the lookup service answers at every configured
// address; TCP reaches every gateway address the lookups named (primary and backup site); the
// trading and drop-copy Comp IDs log on and off at the primary site with their password (binary
// OCG-C; FIX identities get a skipped row); the password expiry the venue
// reports in the Logon reply; lines A and B of every subscribed channel deliver a packet within
// the heartbeat interval on the configured interface; the RTS logs on; the refresh channel
// delivers a complete cycle; and the local clock's offset against the packets' SendTime.
// Every failure is a row (never a throw): an unreachable address, a wrong password, a firm
// outside the window (Session Status 7).
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { createMulticastReceiver, systemClock, type Clock, type MulticastEndpoint, type MulticastReceiver } from '../wire/index.ts';
import { LookupClient, OcgClient, SessionStatus, resolveLookupEndpoint, type GatewayAddress, type OcgClientEvent } from '../ocg/index.ts';
import {
  PacketStreamReader,
  RefreshRecovery,
  decodePacketHeader,
  decodeSequencedPacket,
  encodePacket,
  isHeartbeatPacket,
  type RtsEndpoint,
} from '../omd/index.ts';
import type { EvidenceEvent, Service } from '../evidence/index.ts';
import type { ProbeFeedIdentity, ProbeTradingIdentity, SubscriberProbeConfig } from './config.ts';

export const READINESS_CHECKS = ['lookup', 'tcp', 'logon', 'password-expiry', 'line', 'rts-logon', 'refresh', 'clock-offset'] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];
export type ReadinessVerdict = 'pass' | 'fail' | 'skip';

export interface ReadinessRow {
  service: Service;
  identity: string;
  check: ReadinessCheck;
  /** What was checked: an address, a channel line, a gateway. */
  target: string;
  verdict: ReadinessVerdict;
  reason: string;
}

export interface ReadinessReport {
  session: string;
  firm: string;
  /** ISO time the check started. */
  at: string;
  /** Every row passed or was skipped. */
  passed: boolean;
  rows: ReadinessRow[];
}

export interface PreflightOptions {
  config: SubscriberProbeConfig;
  clock?: Clock;
  /** TCP connect and lookup answer wait. Default 3 s. */
  connectTimeoutMs?: number;
  /** Logon reply wait. Default 10 s. */
  logonTimeoutMs?: number;
  /** The feed's heartbeat interval: a line is alive when a packet arrives within 1.5 of it. Default 2 s (OMD-C 3.4.1). */
  heartbeatIntervalMs?: number;
  /** Wait for a complete refresh cycle. Default 60 s. */
  refreshTimeoutMs?: number;
  /** Largest acceptable |local clock − SendTime|. Default 1 s. */
  maxClockOffsetMs?: number;
  /** Each event as it is made (the desk, a JSON-lines file). */
  onEvidence?: (e: EvidenceEvent) => void;
}

const STATUS_TEXT: Record<number, string> = {
  [SessionStatus.InvalidUsernameOrPassword]: 'invalid username or password',
  [SessionStatus.AccountLocked]: 'account locked',
  [SessionStatus.LogonsNotAllowedAtThisTime]: 'logons not allowed at this time: outside the connectivity-test window',
  [SessionStatus.PasswordExpired]: 'password expired',
  [SessionStatus.PasswordChangeRequired]: 'password change required',
};

function withTimeout<T>(p: Promise<T>, ms: number, clock: Clock, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = clock.setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        t.cancel();
        resolve(v);
      },
      (e: unknown) => {
        t.cancel();
        reject(e as Error);
      },
    );
  });
}

/** TCP connect, then close: null when it connected, else why not. */
function reach(addr: GatewayAddress, localAddress: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host: addr.host, port: addr.port, localAddress });
    const done = (r: string | null) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    s.once('connect', () => done(null));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'connection refused' : e.message));
  });
}

/** OMD-C 3.5.1 RTS Logon: the Logon Response's Session Status, or why there was none. */
function rtsLogon(ep: RtsEndpoint, username: string, timeoutMs: number): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host: ep.host, port: ep.port });
    const reader = new PacketStreamReader();
    let settled = false;
    const done = (r: { status: number } | { error: string }) => {
      if (settled) return;
      settled = true;
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done({ error: `no Logon Response within ${timeoutMs} ms` }));
    s.once('connect', () => s.write(encodePacket(0, 0n, [{ msgType: 101, username }])));
    s.on('data', (chunk: Buffer) => {
      for (const pkt of reader.push(chunk)) {
        if (isHeartbeatPacket(pkt)) continue;
        const d = decodeSequencedPacket(pkt);
        if ('ok' in d) return done({ error: 'undecodable answer' });
        const m = d.messages[0];
        if (m?.msgType === 102) return done({ status: m.sessionStatus });
      }
    });
    s.once('error', (e: NodeJS.ErrnoException) => done({ error: e.code === 'ECONNREFUSED' ? 'connection refused' : e.message }));
    s.once('close', () => done({ error: 'connection closed before a Logon Response' }));
  });
}

export class Preflight {
  readonly config: SubscriberProbeConfig;
  readonly rows: ReadinessRow[] = [];
  readonly #o: PreflightOptions;
  readonly #clock: Clock;
  readonly #connectMs: number;
  /** Smallest local − SendTime per feed (the least delayed packet), ms. */
  readonly #offsets = new Map<string, number>();

  constructor(opts: PreflightOptions) {
    this.#o = opts;
    this.config = opts.config;
    this.#clock = opts.clock ?? systemClock;
    this.#connectMs = opts.connectTimeoutMs ?? 3_000;
  }

  async run(): Promise<ReadinessReport> {
    const at = new Date(this.#clock.now()).toISOString();
    // Identities one after another: their logons would otherwise compete for the same password checks.
    for (const t of this.config.trading)
      await this.#trading(t).catch((e: unknown) => this.#row(t.service, t.compId, 'logon', '-', 'fail', `check failed: ${(e as Error).message}`));
    await Promise.all(
      this.config.feeds.map((f) =>
        this.#feed(f).catch((e: unknown) => this.#row(f.service, f.rtsUsername, 'line', '-', 'fail', `check failed: ${(e as Error).message}`)),
      ),
    );
    const report: ReadinessReport = {
      session: this.config.session,
      firm: this.config.firm,
      at,
      passed: this.rows.every((r) => r.verdict !== 'fail'),
      rows: this.rows.slice(),
    };
    this.#emit(report);
    return report;
  }

  #row(service: Service, identity: string, check: ReadinessCheck, target: string, verdict: ReadinessVerdict, reason: string): void {
    this.rows.push({ service, identity, check, target, verdict, reason });
  }

  /** One 'readiness' event per identity: its rows and the firm's verdict (the desk keeps the firm's). */
  #emit(report: ReadinessReport): void {
    const emit = this.#o.onEvidence;
    if (!emit) return;
    const run = randomUUID();
    const ids = new Map<string, { service: Service; identity: string }>();
    for (const r of report.rows) ids.set(`${r.service}:${r.identity}`, { service: r.service, identity: r.identity });
    for (const { service, identity } of ids.values()) {
      const rows = report.rows.filter((r) => r.service === service && r.identity === identity);
      emit({
        id: `readiness:${run}:${service}:${identity}`,
        ts: new Date(this.#clock.now()).toISOString(),
        session: report.session,
        site: 'primary',
        service,
        subscriber: report.firm,
        identity,
        kind: 'readiness',
        source: 'probe',
        detail: {
          run,
          passed: rows.every((r) => r.verdict !== 'fail'),
          firmPassed: report.passed,
          startedAt: report.at,
          rows: rows.map(({ check, target, verdict, reason }) => ({ check, target, verdict, reason })),
        },
      });
    }
  }

  async #trading(t: ProbeTradingIdentity): Promise<void> {
    if (t.protocol === 'FIX') {
      // Fixed addresses, no lookup; the standby's FIX gateway does not listen, so only a FIX logon at the primary would tell.
      this.#row(t.service, t.compId, 'logon', `${t.role} ${t.compId}`, 'skip', 'FIX identity: the readiness check logs on over binary OCG-C only');
      return;
    }
    const { localAddress } = this.config;
    const gateways = new Map<string, { addr: GatewayAddress; site: string }>();
    const endpoints = t.lookup.map((e, i) => resolveLookupEndpoint(e, i));
    for (const ep of endpoints) {
      const target = `${ep.name} ${ep.host}:${ep.port}`;
      const client = new LookupClient({
        endpoints: [ep],
        compId: t.compId,
        clock: this.#clock,
        responseTimeoutMs: this.#connectMs,
        retryDelayMs: 0,
        localAddress,
      });
      let failure = '';
      client.on('failed', (f: { reason: string; detail: string; rejectCode?: number }) => {
        failure = `${f.reason}${f.rejectCode !== undefined ? ` (Lookup Reject Code ${f.rejectCode})` : ''}: ${f.detail}`;
      });
      try {
        const a = await client.lookup({ maxAttempts: 1 });
        this.#row(
          t.service,
          t.compId,
          'lookup',
          target,
          'pass',
          `answered: gateways ${a.primary.host}:${a.primary.port} / ${a.secondary.host}:${a.secondary.port}`,
        );
        for (const g of [a.primary, a.secondary]) gateways.set(`${g.host}:${g.port}`, { addr: g, site: ep.site });
      } catch (e) {
        this.#row(t.service, t.compId, 'lookup', target, 'fail', failure || (e as Error).message);
      } finally {
        client.close();
      }
    }
    for (const [key, g] of gateways) {
      const why = await reach(g.addr, localAddress, this.#connectMs);
      this.#row(t.service, t.compId, 'tcp', `${g.site} gateway ${key}`, why === null ? 'pass' : 'fail', why === null ? 'connected' : why);
    }
    if (![...gateways.values()].some((g) => g.site === 'backup')) {
      this.#row(t.service, t.compId, 'tcp', 'backup gateway', 'fail', 'no backup-site lookup endpoint answered: the backup gateway address is unknown');
    }
    await this.#logon(
      t,
      endpoints.filter((e) => e.site === 'primary'),
    );
  }

  /** Log on at the primary site and off again; the Logon reply's Text carries the days the password has left [ours]. */
  async #logon(t: ProbeTradingIdentity, lookup: ReturnType<typeof resolveLookupEndpoint>[]): Promise<void> {
    const target = `${t.role} ${t.compId}`;
    if (lookup.length === 0) {
      this.#row(t.service, t.compId, 'logon', target, 'fail', 'no primary-site lookup endpoint configured');
      return;
    }
    const client = new OcgClient({
      compId: t.compId,
      password: this.config.password,
      publicKeyPem: this.config.publicKeyPem,
      lookup,
      brokerId: this.config.brokerId,
      service: t.service,
      clock: this.#clock,
      localAddress: this.config.localAddress,
      timing: { lookupTimeoutMs: this.#connectMs, lookupRetryMs: 1_000, connectTimeoutMs: this.#connectMs },
    });
    let reply: { status?: number; text?: string } | null = null;
    const outcome = new Promise<string | null>((resolve) => {
      client.on('session-event', (e: { type: string; sessionStatus?: number; text?: string }) => {
        if (e.type === 'logonAccepted')
          reply = { ...(e.sessionStatus !== undefined ? { status: e.sessionStatus } : {}), ...(e.text !== undefined ? { text: e.text } : {}) };
      });
      client.on('event', (e: OcgClientEvent) => {
        if (e.kind === 'logon-accepted') resolve(null);
        else if (e.kind === 'logon-rejected') {
          const st = e.detail['status'] as number | null;
          resolve(
            st === null
              ? `closed without a Logon reply (${String(e.detail['text'])})`
              : `refused with Session Status ${st}${STATUS_TEXT[st] ? ` (${STATUS_TEXT[st]})` : ''}${e.detail['text'] ? `: ${String(e.detail['text'])}` : ''}`,
          );
        } else if (e.kind === 'connect-failed') resolve(`gateway ${String(e.detail['gateway'])} unreachable: ${String(e.detail['reason'])}`);
        else if (e.kind === 'lookup-failed') resolve(`lookup ${String(e.detail['endpointName'])} failed: ${String(e.detail['reason'])}`);
      });
    });
    client.start().catch(() => {
      /* the outcome above says why */
    });
    let refused: string | null;
    try {
      refused = await withTimeout(outcome, this.#o.logonTimeoutMs ?? 10_000, this.#clock, 'logon');
    } catch (e) {
      refused = (e as Error).message;
    }
    const gw = client.gateway;
    await client.close('readiness check done');
    if (refused !== null) {
      this.#row(t.service, t.compId, 'logon', target, 'fail', refused);
      this.#row(t.service, t.compId, 'password-expiry', t.compId, 'skip', 'not logged on');
      return;
    }
    this.#row(t.service, t.compId, 'logon', target, 'pass', `logged on at ${gw ? `${gw.host}:${gw.port}` : 'the primary gateway'} and off again`);
    const r = reply as { status?: number; text?: string } | null;
    const days = r?.text !== undefined && /^\d+$/.test(r.text.trim()) ? Number(r.text.trim()) : null;
    if (r?.status === SessionStatus.SessionPasswordDueToExpire)
      this.#row(
        t.service,
        t.compId,
        'password-expiry',
        t.compId,
        'fail',
        `the venue reports the password due to expire${days !== null ? ` in ${days} day(s)` : ''}: change it before the session`,
      );
    else if (days !== null) this.#row(t.service, t.compId, 'password-expiry', t.compId, days > 0 ? 'pass' : 'fail', `${days} day(s) left (Logon reply Text)`);
    else this.#row(t.service, t.compId, 'password-expiry', t.compId, 'pass', 'not due to expire (Session Status 0; no date given)');
  }

  async #feed(f: ProbeFeedIdentity): Promise<void> {
    const iface = f.feed.interface;
    const interval = this.#o.heartbeatIntervalMs ?? 2_000;
    const lines: Array<{ target: string; endpoint: MulticastEndpoint }> = [];
    for (const ch of f.feed.channels) {
      lines.push({ target: `channel ${ch.channelId} line A ${ch.lineA.group}:${ch.lineA.port}`, endpoint: ch.lineA });
      lines.push({ target: `channel ${ch.channelId} line B ${ch.lineB.group}:${ch.lineB.port}`, endpoint: ch.lineB });
    }
    const key = `${f.service}:${f.rtsUsername}`;
    const sample = (buf: Uint8Array) => {
      const h = decodePacketHeader(buf);
      if (h === null || h.sendTime === 0n) return;
      const off = this.#clock.now() - Number(h.sendTime / 1_000_000n);
      const prev = this.#offsets.get(key);
      if (prev === undefined || Math.abs(off) < Math.abs(prev)) this.#offsets.set(key, off);
    };
    await Promise.all([
      ...lines.map((l) => this.#line(f, l.target, l.endpoint, iface, interval * 1.5, sample)),
      ...f.feed.channels.map((ch) => this.#refresh(f, ch.channelId, ch.refresh, iface)),
      this.#rts(f),
    ]);
    const off = this.#offsets.get(key);
    const max = this.#o.maxClockOffsetMs ?? 1_000;
    if (off === undefined) this.#row(f.service, f.rtsUsername, 'clock-offset', 'SendTime', 'fail', 'no packet with a SendTime received');
    else
      this.#row(
        f.service,
        f.rtsUsername,
        'clock-offset',
        'SendTime',
        Math.abs(off) <= max ? 'pass' : 'fail',
        `local clock ${off >= 0 ? '+' : ''}${Math.round(off)} ms against the venue's SendTime (limit ±${max} ms)`,
      );
  }

  async #line(
    f: ProbeFeedIdentity,
    target: string,
    endpoint: MulticastEndpoint,
    iface: string,
    waitMs: number,
    sample: (b: Uint8Array) => void,
  ): Promise<void> {
    let receiver: MulticastReceiver | null = null;
    const t0 = this.#clock.now();
    const got = new Promise<number>((resolve) => {
      createMulticastReceiver(
        endpoint,
        (buf) => {
          sample(buf);
          resolve(this.#clock.now() - t0);
        },
        iface,
      ).then(
        (r) => {
          receiver = r;
        },
        () => resolve(-1),
      );
    });
    let ms: number;
    try {
      ms = await withTimeout(got, waitMs, this.#clock, 'line');
    } catch {
      ms = -2;
    }
    await (receiver as MulticastReceiver | null)?.close();
    if (ms === -1) this.#row(f.service, f.rtsUsername, 'line', target, 'fail', `cannot join the group on interface ${iface}`);
    else if (ms === -2) this.#row(f.service, f.rtsUsername, 'line', target, 'fail', `no packet within ${waitMs} ms on interface ${iface}`);
    else this.#row(f.service, f.rtsUsername, 'line', target, 'pass', `first packet after ${ms} ms on interface ${iface}`);
  }

  async #refresh(f: ProbeFeedIdentity, channelId: number, endpoint: MulticastEndpoint, iface: string): Promise<void> {
    const target = `channel ${channelId} refresh ${endpoint.group}:${endpoint.port}`;
    let snapshot: { messages: number; lastSeqNum: number; ms: number } | null = null;
    let recovery: RefreshRecovery | null = null;
    const done = new Promise<void>((resolve) => {
      recovery = new RefreshRecovery({
        endpoint,
        iface,
        clock: this.#clock,
        onSnapshot: (s) => {
          snapshot = s;
          resolve();
        },
      });
    });
    const waitMs = this.#o.refreshTimeoutMs ?? 60_000;
    try {
      await (recovery as unknown as RefreshRecovery).start();
      await withTimeout(done, waitMs, this.#clock, 'refresh');
    } catch (e) {
      this.#row(
        f.service,
        f.rtsUsername,
        'refresh',
        target,
        'fail',
        /no answer/.test((e as Error).message) ? `no complete refresh cycle within ${waitMs} ms` : (e as Error).message,
      );
      return;
    } finally {
      await (recovery as unknown as RefreshRecovery).stop();
    }
    const s = snapshot as unknown as { messages: number; lastSeqNum: number; ms: number };
    this.#row(
      f.service,
      f.rtsUsername,
      'refresh',
      target,
      'pass',
      `complete cycle of ${s.messages} message(s) up to SeqNum ${s.lastSeqNum} in ${Math.round(s.ms)} ms`,
    );
  }

  /** RTS logon at the primary site's endpoints; the backup's serve only once it is active [ours]. */
  async #rts(f: ProbeFeedIdentity): Promise<void> {
    for (const ep of f.feed.rts) {
      const target = `${ep.site} RTS ${ep.host}:${ep.port}`;
      if (ep.site !== 'primary') {
        this.#row(f.service, f.rtsUsername, 'rts-logon', target, 'skip', 'the backup site serves retransmission only once it is active');
        continue;
      }
      const r = await rtsLogon(ep, f.rtsUsername, this.#connectMs);
      if ('error' in r) this.#row(f.service, f.rtsUsername, 'rts-logon', target, 'fail', r.error);
      else
        this.#row(
          f.service,
          f.rtsUsername,
          'rts-logon',
          target,
          r.status === 0 ? 'pass' : 'fail',
          r.status === 0
            ? 'Logon Response status 0'
            : `Logon Response status ${r.status}${r.status === 5 ? ' (invalid username)' : r.status === 100 ? ' (already connected)' : ''}`,
        );
    }
  }
}

export function runPreflight(opts: PreflightOptions): Promise<ReadinessReport> {
  return new Preflight(opts).run();
}

/** The report as a table: one line per row, the verdict first, then a one-line result. */
export function formatReadinessTable(r: ReadinessReport): string {
  const head = ['verdict', 'service', 'identity', 'check', 'target', 'reason'];
  const body = r.rows.map((x) => [x.verdict.toUpperCase(), x.service, x.identity, x.check, x.target, x.reason]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const failed = r.rows.filter((x) => x.verdict === 'fail').length;
  return [
    `readiness of ${r.firm} for ${r.session} (${r.at})`,
    line(head),
    ...body.map(line),
    '',
    r.passed ? `READY: ${r.rows.length} check(s), none failed` : `NOT READY: ${failed} of ${r.rows.length} check(s) failed`,
  ].join('\n');
}
