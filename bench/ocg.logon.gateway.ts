// Child process of bench/ocg.logon.storm.bench.ts: the exchange side alone in its process — one
// OcgGateway (OTP-C) with N Comp IDs and its pool of password workers (RSA decrypt + scrypt).
// Gets the private key and N from the parent over IPC, answers with its port, serves until told.
import { OcgGateway, hashPassword } from '../src/ocg/index.ts';
import type { CompIdConfig, ScryptCost } from '../src/ocg/index.ts';
import { MatchingEngine } from '../src/venue/index.ts';
import { OTP_C_PROFILE } from '../src/ocg/index.ts';
import { systemClock } from '../src/wire/index.ts';

interface Setup {
  privateKeyPem: string;
  sessions: number;
  password: string;
  cost: ScryptCost;
  workers?: number;
}

process.once('message', async (setup: Setup) => {
  // One salt/hash per Comp ID, as a real registry would hold (hashing itself is set-up, not measured).
  const comps: CompIdConfig[] = [];
  for (let i = 0; i < setup.sessions; i++) {
    comps.push({
      compId: `ST${String(i).padStart(6, '0')}`,
      firm: 'STORM',
      sourceIps: ['127.0.0.1'],
      passwordHash: hashPassword(setup.password, setup.cost),
      throttleMps: 0,
    });
  }
  const engine = new MatchingEngine({ profile: OTP_C_PROFILE, securities: [{ securityId: '700', lotSize: 100, referencePrice: 385_200 }] }, systemClock);
  const gateway = new OcgGateway({
    service: 'OTP-C',
    name: 'storm',
    privateKeyPem: setup.privateKeyPem,
    router: engine,
    compIds: comps,
    ...(setup.workers !== undefined ? { passwordWorkers: setup.workers } : {}),
  });
  const { port } = await gateway.start();
  process.on('message', async (m: { cmd: string }) => {
    if (m.cmd === 'exit') {
      await gateway.close();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true, port });
});
