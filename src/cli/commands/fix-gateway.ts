// `failover-drill fix gateway --config FILE`: one OCG-C FIX gateway (OTP-C over FIXT.1.1) with its
// matching engine, from the config `ocg gateway` reads (CompIDs, passwords, registered source IPs,
// securities). FIX clients connect to fixed addresses (no lookup service: docs/spec-decisions.md
// "## OCG-C FIX" 1), so `lookup` is not used here.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.ts';
import { numberOption, UsageError } from '../command.ts';
import { FileSessionStore, MemorySessionStore, jsonLineLogger, preciseClock, profileFor } from '../../ocg/index.ts';
import type { OcgLogLevel, SessionStore } from '../../ocg/index.ts';
import { FixGateway } from '../../fix/index.ts';
import { MatchingEngine } from '../../venue/index.ts';
import { ensureVenueKey, parseGatewayConfig } from './ocg-gateway.ts';

const EXAMPLE = `port: 28100
keyFile: keys/otp-c.key.pem        # generated on first start; clients need the .pub.pem
journalDir: journal/otp-c-fix      # omit to keep sessions in memory
securities:
  - { securityId: "700", lotSize: 100, referencePrice: 395.8 }
compIds:                           # SenderCompIDs of the clients (1..11 letters/digits)
  - compId: F001X
    firm: BROKER1
    password: Abcd1234             # or passwordHash: scrypt$...
    sourceIps: [127.0.0.1]
    brokerIds: ["1001"]
    cancelOnDisconnect: { enabled: true, delayMs: 10000 }
  - { compId: F001Y, firm: BROKER1, password: Abcd1234, sourceIps: [127.0.0.1], dropCopy: true }`;

const command: Command = {
  name: 'fix gateway',
  summary: 'Run an OCG-C FIX gateway (OTP-C, FIXT.1.1 / FIX 5.0 SP2) with its matching engine',
  details: `TargetCompID of the clients: HKEX. Config file (YAML or JSON), paths relative to it:\n\n${EXAMPLE.split('\n')
    .map((l) => '  ' + l)
    .join('\n')}`,
  options: {
    config: { type: 'string', value: 'FILE', description: 'Gateway config (YAML or JSON)' },
    duration: { type: 'string', default: '0', value: 'S', description: 'Seconds to run; 0 = until interrupted' },
    'log-level': { type: 'string', default: 'info', value: 'LEVEL', description: 'debug, info, warn or error (JSON lines on stderr)' },
  },
  async run(values) {
    if (typeof values['config'] !== 'string') throw new UsageError('--config FILE is required');
    const file = path.resolve(values['config']);
    if (!fs.existsSync(file)) throw new UsageError(`--config: ${file} does not exist`);
    const cfg = parseGatewayConfig(fs.readFileSync(file, 'utf8'), path.dirname(file));
    if (cfg.service !== 'OTP-C') throw new UsageError('config: service: the FIX gateway serves OTP-C only (no China Connect over FIX, README LIMITATIONS)');
    for (const c of cfg.compIds)
      if (!/^[A-Za-z0-9]{1,11}$/.test(c.compId)) throw new UsageError(`config: compId ${JSON.stringify(c.compId)}: 1..11 letters or digits`);
    const duration = numberOption(values, 'duration', { min: 0 });
    const level = String(values['log-level']) as OcgLogLevel;
    if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level: expected debug, info, warn or error, got ${level}`);
    const privateKeyPem = ensureVenueKey(cfg.keyFile, cfg.publicKeyFile);
    const log = jsonLineLogger((l) => process.stderr.write(l), level);
    const store: SessionStore = cfg.journalDir !== undefined ? new FileSessionStore(cfg.journalDir) : new MemorySessionStore();
    const engine = new MatchingEngine({ profile: profileFor('OTP-C'), securities: cfg.securities }, preciseClock);
    const gateway = new FixGateway({
      name: `OTP-C FIX ${cfg.site}`,
      host: cfg.host,
      port: cfg.port,
      privateKeyPem,
      compIds: cfg.compIds,
      router: engine,
      store,
      log,
      clock: preciseClock,
      ...(cfg.passwordToleranceMs !== undefined ? { passwordToleranceMs: cfg.passwordToleranceMs } : {}),
      onEvent: (e) => log.log('info', `evidence.${e.kind}`, { service: e.service, compId: e.compId, firm: e.firm, ...e.detail }),
    });
    const gw = await gateway.start();
    console.log(`fix gateway: OTP-C ${cfg.site} site`);
    console.log(`  gateway     ${gw.host}:${gw.port} (TargetCompID ${gateway.gatewayCompId})`);
    console.log(`  public key  ${cfg.publicKeyFile}`);
    console.log(`  journal     ${cfg.journalDir ?? '(memory)'}`);
    console.log(`  comp IDs    ${cfg.compIds.map((c) => c.compId + (c.dropCopy === true ? ' (drop copy)' : '')).join(', ')}`);
    console.log('  ready');
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
      if (duration > 0) setTimeout(() => resolve('duration'), duration * 1000);
    });
    await gateway.logoutAll(`service shutdown (${signal})`, cfg.logoutWaitMs);
    await gateway.close();
    store.close();
    return 0;
  },
};

export default command;
