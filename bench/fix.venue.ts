// Child process of bench/fix.order.rate.bench.ts and bench/fix.order.rtt.bench.ts: the exchange
// side in its own process: one FixGateway (OTP-C over FIX) routing into a MatchingEngine. Tells the
// parent its port and public key over IPC, then serves until the parent says exit (or disconnects).
import { FixGateway } from '../src/fix/index.ts';
import { OTP_C_PROFILE, generateVenueKeyPair, hashPassword } from '../src/ocg/index.ts';
import { MatchingEngine } from '../src/venue/index.ts';
import { systemClock } from '../src/wire/index.ts';

export const FIX_BENCH_COMP_ID = 'BENCH1';
export const FIX_BENCH_PASSWORD = 'Bench1234';

const keys = generateVenueKeyPair();
const engine = new MatchingEngine({ profile: OTP_C_PROFILE, securities: [{ securityId: '700', lotSize: 100, referencePrice: 385_200 }] }, systemClock);
const gateway = new FixGateway({
  name: 'bench',
  privateKeyPem: keys.privateKeyPem,
  router: engine,
  passwordWorkers: 0,
  compIds: [{ compId: FIX_BENCH_COMP_ID, firm: 'BENCH', sourceIps: ['127.0.0.1'], passwordHash: hashPassword(FIX_BENCH_PASSWORD), throttleMps: 0 }],
});
const gw = await gateway.start();
const stop = async () => {
  await gateway.close();
  process.exit(0);
};
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'exit') void stop();
  if (m.cmd === 'cpu') {
    const u = process.cpuUsage();
    process.send!({ cpu: u.user + u.system });
  }
});
process.on('disconnect', () => void stop());
process.send!({ ready: true, port: gw.port, publicKeyPem: keys.publicKeyPem });
