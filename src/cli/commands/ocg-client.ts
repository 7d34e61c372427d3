// `failover-drill ocg client`: a subscriber's OCG-C client on the command line — lookup, logon,
// orders from a script or typed on stdin, and the failover path of the spec (events printed as
// they happen, so a rehearsal shows what the client saw).
import { readFileSync } from 'node:fs';
import { numberOption, UsageError, type Command } from '../command.ts';
import { runOrderScript, scriptStepRunner } from '../order-script-runner.ts';
import { LowLatencyProfile, relaunchWithFlags } from '../../lowlatency/index.ts';
import {
  FileSessionStore,
  OcgClient,
  formatDecimal,
  parseHostPort,
  parseOrderScript,
  type ExecutionReport,
  type OcgClientEvent,
  type OcgService,
  type OrderScriptStep,
} from '../../ocg/index.ts';

export function formatExecutionReport(er: ExecutionReport): string {
  const parts = [`ER ${er.execType ?? '?'}`, `clOrdId=${er.clientOrderId ?? ''}`];
  if (er.originalClientOrderId) parts.push(`orig=${er.originalClientOrderId}`);
  parts.push(`orderId=${er.orderId ?? ''}`, `status=${er.orderStatus ?? ''}`, `execId=${er.executionId ?? ''}`);
  if (er.executionQuantity !== undefined && er.executionPrice !== undefined)
    parts.push(`exec=${formatDecimal(er.executionQuantity)}@${formatDecimal(er.executionPrice)}`);
  if (er.cumulativeQuantity !== undefined) parts.push(`cum=${formatDecimal(er.cumulativeQuantity)}`);
  if (er.leavesQuantity !== undefined) parts.push(`leaves=${formatDecimal(er.leavesQuantity)}`);
  const code = er.orderRejectCode ?? er.cancelRejectCode ?? er.amendRejectCode;
  if (code !== undefined) parts.push(`rejectCode=${code}`);
  if (er.reason) parts.push(`reason=${JSON.stringify(er.reason)}`);
  return parts.join(' ');
}

const command: Command = {
  name: 'ocg client',
  summary: 'Trade through OCG-C as a subscriber: lookup, logon, scripted or typed orders, follow a failover',
  details: [
    'Give the lookup endpoints in the published order (PS-primary, PS-mirror, BS-primary, BS-mirror):',
    '--lookup is repeatable. Script / stdin lines:',
    '  buy 700 100@385.2 [day|ioc|fok]   sell …, short …',
    '  cancel CLORDID | cancel $N        ($N = the N-th order of this run)',
    '  amend CLORDID 200@385.4           sleep SECONDS      logout',
    'Without --script, lines are read from stdin; end of input logs out.',
  ].join('\n'),
  options: {
    lookup: { type: 'string', multiple: true, value: 'HOST:PORT', description: 'Lookup endpoint, repeatable, in the spec order' },
    'comp-id': { type: 'string', value: 'ID', description: 'Comp ID of the session (≤ 11 characters)' },
    password: { type: 'string', value: 'TEXT', description: 'Session password (sent RSA-encrypted)' },
    'public-key': { type: 'string', value: 'FILE', description: "The venue's RSA public key, PEM" },
    'broker-id': { type: 'string', default: '1001', value: 'ID', description: 'Submitting Broker ID of the orders' },
    bcan: { type: 'string', default: 'ABC123.2568', value: 'CE.BCAN', description: 'Submitting BCAN Field of board-lot orders' },
    service: { type: 'string', default: 'OTP-C', value: 'OTP-C|OTP-CSC', description: 'Which trading service' },
    script: { type: 'string', value: 'FILE', description: 'Order script to run (default: read stdin)' },
    'time-scale': { type: 'string', default: '1', value: 'X', description: 'Multiply every protocol wait and timer (0.01 = 100× faster rehearsal)' },
    'first-clordid': { type: 'string', value: 'N', description: 'First Client Order ID (default: 1 + ms since UTC midnight)' },
    'local-address': { type: 'string', value: 'ADDR', description: 'Source address (a registered IP of the Comp ID)' },
    journal: { type: 'string', value: 'DIR', description: 'Keep the session (sequence numbers, sent messages) in DIR across runs (default: memory)' },
    stay: { type: 'boolean', description: 'After the script, keep the session (and follow failovers) until interrupted' },
    json: { type: 'boolean', description: 'Print one JSON object per event and report instead of text' },
    'low-latency': { type: 'boolean', description: 'Busy polling, quiet collections and V8 start-up flags: lower latency, a whole core (docs/performance.md)' },
  },
  async run(values) {
    const lookups = (values['lookup'] as string[] | undefined) ?? [];
    if (lookups.length === 0) throw new UsageError('--lookup: at least one lookup endpoint is needed');
    const endpoints = lookups.map((l) => {
      try {
        return parseHostPort(l);
      } catch (e) {
        throw new UsageError(`--lookup: ${(e as Error).message}`);
      }
    });
    const compId = values['comp-id'];
    if (typeof compId !== 'string' || compId === '' || compId.length > 11) throw new UsageError('--comp-id: 1 to 11 characters');
    if (typeof values['password'] !== 'string') throw new UsageError('--password is required');
    if (typeof values['public-key'] !== 'string') throw new UsageError('--public-key FILE is required');
    let publicKeyPem: string;
    try {
      publicKeyPem = readFileSync(values['public-key'], 'utf8');
    } catch (e) {
      throw new UsageError(`--public-key: ${(e as Error).message}`);
    }
    const service = String(values['service']) as OcgService;
    if (service !== 'OTP-C' && service !== 'OTP-CSC') throw new UsageError(`--service: expected OTP-C or OTP-CSC, got ${service}`);
    const timeScale = numberOption(values, 'time-scale', { min: 0.000001 });
    if (values['low-latency'] === true) {
      const code = relaunchWithFlags(); // V8 takes the profile's flags only at start-up
      if (code !== null) return code;
    }
    let steps: OrderScriptStep[] | null = null;
    if (typeof values['script'] === 'string') {
      try {
        steps = parseOrderScript(readFileSync(values['script'], 'utf8'));
      } catch (e) {
        throw new UsageError(`--script: ${(e as Error).message}`);
      }
    }
    // Sequence numbers survive a restart of the client only when persisted (§3.12: one session a day).
    const store = typeof values['journal'] === 'string' ? new FileSessionStore(values['journal']) : null;
    const json = values['json'] === true;
    const out = (text: string, obj: unknown) =>
      console.log(json ? JSON.stringify(obj, (_k, v: unknown) => (typeof v === 'bigint' ? formatDecimal(v) : v)) : text);

    const client = new OcgClient({
      compId,
      password: values['password'],
      publicKeyPem,
      lookup: endpoints,
      brokerId: String(values['broker-id']),
      bcan: String(values['bcan']),
      service,
      timeScale,
      ...(values['low-latency'] === true ? { hooks: new LowLatencyProfile() } : {}),
      ...(values['first-clordid'] !== undefined
        ? { firstClientOrderId: numberOption(values, 'first-clordid', { integer: true, min: 1, max: 99_999_999 }) }
        : {}),
      ...(typeof values['local-address'] === 'string' ? { localAddress: values['local-address'] } : {}),
      ...(store !== null ? { journal: store.journal(compId) } : {}),
    });
    client.on('event', (e: OcgClientEvent) => out(`${new Date(e.at).toISOString()} ${e.kind} ${JSON.stringify(e.detail)}`, { type: 'event', ...e }));
    client.on('execution-report', (er: ExecutionReport) => out(formatExecutionReport(er), { type: 'execution-report', ...er }));
    client.on('business-reject', (m: { businessRejectCode?: number; reason?: string }) =>
      out(`Business Message Reject ${m.businessRejectCode ?? ''} ${m.reason ?? ''}`, { type: 'business-reject', ...m }),
    );
    client.on('stopped', (s: { reason: string }) => out(`stopped: ${s.reason}`, { type: 'stopped', ...s }));
    const onSignal = () => {
      void client.close('interrupted');
    };
    process.once('SIGINT', onSignal);
    try {
      await client.start();
    } catch (e) {
      console.error(`failover-drill ocg client: ${(e as Error).message}`);
      return 1;
    }

    const runStep = scriptStepRunner(client, out, { newOrder: 'New Order', closedError: 'OcgClientClosedError' });

    await runOrderScript(steps, runStep, out, values['stay'] === true ? () => new Promise<void>((r) => client.once('stopped', () => r())) : null);
    process.removeListener('SIGINT', onSignal);
    await client.close('end of script');
    store?.close();
    return 0;
  },
};

export default command;
