// Child process of bench/ocg.order.rate.bench.ts and bench/ocg.order.rtt.bench.ts: the exchange
// side in its own process (its own core): one OcgGateway (OTP-C) routing into a MatchingEngine,
// and one LookupService endpoint naming it. The gateway runs the parent's profile
// (OCG_BENCH_PROFILE; the low-latency one's V8 flags come with the parent's execArgv). Tells the
// parent its lookup port and public key over IPC, then serves until the parent says exit (or disconnects).
import { LookupService } from '../src/ocg/lookup-service.ts';
import { OcgGateway } from '../src/ocg/gateway.ts';
import { generateVenueKeyPair, hashPassword } from '../src/ocg/password.ts';
import { OTP_C_PROFILE } from '../src/ocg/index.ts';
import { LowLatencyProfile } from '../src/lowlatency/index.ts';
import { MatchingEngine } from '../src/venue/index.ts';
import { systemClock } from '../src/wire/index.ts';

export const BENCH_COMP_ID = 'BENCH0001';
export const BENCH_PASSWORD = 'Bench1234';

const keys = generateVenueKeyPair();
const engine = new MatchingEngine(
  {
    profile: OTP_C_PROFILE,
    securities: [{ securityId: '700', lotSize: 100, referencePrice: 385_200 }],
  },
  systemClock,
);
const gateway = new OcgGateway({
  service: 'OTP-C',
  name: 'bench',
  privateKeyPem: keys.privateKeyPem,
  router: engine,
  passwordWorkers: 0,
  ...(process.env['OCG_BENCH_PROFILE'] === 'low-latency' ? { hooks: new LowLatencyProfile() } : {}),
  compIds: [{ compId: BENCH_COMP_ID, firm: 'BENCH', sourceIps: ['127.0.0.1'], passwordHash: hashPassword(BENCH_PASSWORD), throttleMps: 0 }],
});
const gw = await gateway.start();
const lookup = new LookupService({
  name: 'PS-primary',
  site: 'primary',
  clients: (c) => gateway.lookupEntry(c),
  gateways: () => ({ primary: gw, secondary: gw }),
});
const lk = await lookup.open();

const stop = async () => {
  await lookup.close();
  await gateway.close();
  process.exit(0);
};
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'exit') void stop();
  // CPU time of this process so far (µs), for a per-order cost that the shared machine's load does not distort.
  if (m.cmd === 'cpu') {
    const u = process.cpuUsage();
    process.send!({ cpu: u.user + u.system });
  }
});
process.on('disconnect', () => void stop());
process.send!({ ready: true, lookupPort: lk.port, publicKeyPem: keys.publicKeyPem });
