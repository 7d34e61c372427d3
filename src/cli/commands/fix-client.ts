// `failover-drill fix client`: a subscriber's OCG-C FIX initiator on the command line — the fixed
// addresses of both sites, logon, orders from a script or typed on stdin (the `ocg client`
// script), and the failover to the next address with the numbers continuing (events printed as
// they happen). A drop copy CompID runs with --stay and prints the copies.
import { readFileSync } from 'node:fs';
import { numberOption, UsageError, type Command } from '../command.ts';
import { runOrderScript, scriptStepRunner } from '../order-script-runner.ts';
import { FileSessionStore, parseHostPort, parseOrderScript, type OrderScriptStep } from '../../ocg/index.ts';
import { FixClient, fieldOf, msgTypeOf, type FixClientEvent, type FixGatewayAddress, type FixMessage } from '../../fix/index.ts';

/** One line for a report: MsgType, ExecType and the fields a trader reads. */
export function formatFixReport(m: FixMessage): string {
  const type = msgTypeOf(m);
  const head = type === '8' ? `ER ${fieldOf(m, 150) ?? '?'}` : type === '9' ? 'CxlRej' : `35=${type}`;
  const parts = [head];
  for (const [t, name] of [
    [11, 'clOrdId'],
    [41, 'orig'],
    [37, 'orderId'],
    [39, 'status'],
    [17, 'execId'],
    [32, 'lastQty'],
    [31, 'lastPx'],
    [14, 'cum'],
    [151, 'leaves'],
    [103, 'rejectCode'],
    [102, 'cxlRejReason'],
    [43, 'possDup'],
    [58, 'text'],
  ] as const) {
    const v = fieldOf(m, t);
    if (v !== undefined) parts.push(`${name}=${t === 58 ? JSON.stringify(v) : v}`);
  }
  return parts.join(' ');
}

const command: Command = {
  name: 'fix client',
  summary: 'Trade through the OCG-C FIX gateway as a subscriber: fixed addresses of both sites, follow a failover',
  details: [
    "Give the gateway addresses in order, the primary site's first: --connect is repeatable.",
    'After a loss the client waits, tries the same address, then the next ones, and logs on',
    'with its sequence numbers continuing. Script / stdin lines (as `ocg client`):',
    '  buy 700 100@385.2 [day|ioc|fok]   sell …, short …',
    '  cancel CLORDID | cancel $N        ($N = the N-th order of this run)',
    '  amend CLORDID 200@385.4           sleep SECONDS      logout',
    'Without --script, lines are read from stdin; end of input logs out.',
  ].join('\n'),
  options: {
    connect: { type: 'string', multiple: true, value: 'HOST:PORT', description: 'FIX gateway address, repeatable, primary site first' },
    'comp-id': { type: 'string', value: 'ID', description: 'SenderCompID (1..11 letters or digits)' },
    'target-comp-id': { type: 'string', default: 'HKEX', value: 'ID', description: "TargetCompID (the gateway's)" },
    password: { type: 'string', value: 'TEXT', description: 'Session password (sent RSA-encrypted in EncryptedPassword)' },
    'new-password': { type: 'string', value: 'TEXT', description: 'Change the password at logon (EncryptedNewPassword)' },
    'public-key': { type: 'string', value: 'FILE', description: "The venue's RSA public key, PEM" },
    'broker-id': { type: 'string', default: '1001', value: 'ID', description: 'Submitting Broker ID (PartyID, PartyRole 1)' },
    script: { type: 'string', value: 'FILE', description: 'Order script to run (default: read stdin)' },
    'time-scale': { type: 'string', default: '1', value: 'X', description: 'Multiply every wait and timer (0.01 = 100× faster rehearsal)' },
    'first-clordid': { type: 'string', value: 'N', description: 'First ClOrdID (default: 1 + ms since UTC midnight)' },
    'local-address': { type: 'string', value: 'ADDR', description: 'Source address (a registered IP of the CompID)' },
    journal: { type: 'string', value: 'DIR', description: 'Keep the session (sequence numbers, sent messages) in DIR across runs (default: memory)' },
    stay: { type: 'boolean', description: 'After the script, keep the session (and follow failovers) until interrupted' },
    json: { type: 'boolean', description: 'Print one JSON object per event and report instead of text' },
  },
  async run(values) {
    const connects = (values['connect'] as string[] | undefined) ?? [];
    if (connects.length === 0) throw new UsageError('--connect: at least one gateway address is needed');
    const addresses: FixGatewayAddress[] = connects.map((c, i) => {
      try {
        return { ...parseHostPort(c), site: i === 0 ? 'primary' : 'backup' };
      } catch (e) {
        throw new UsageError(`--connect: ${(e as Error).message}`);
      }
    });
    const compId = values['comp-id'];
    if (typeof compId !== 'string' || !/^[A-Za-z0-9]{1,11}$/.test(compId)) throw new UsageError('--comp-id: 1 to 11 letters or digits');
    if (typeof values['password'] !== 'string') throw new UsageError('--password is required');
    if (typeof values['public-key'] !== 'string') throw new UsageError('--public-key FILE is required');
    let publicKeyPem: string;
    try {
      publicKeyPem = readFileSync(values['public-key'], 'utf8');
    } catch (e) {
      throw new UsageError(`--public-key: ${(e as Error).message}`);
    }
    const timeScale = numberOption(values, 'time-scale', { min: 0.000001 });
    let steps: OrderScriptStep[] | null = null;
    if (typeof values['script'] === 'string') {
      try {
        steps = parseOrderScript(readFileSync(values['script'], 'utf8'));
      } catch (e) {
        throw new UsageError(`--script: ${(e as Error).message}`);
      }
    }
    const store = typeof values['journal'] === 'string' ? new FileSessionStore(values['journal']) : null;
    const json = values['json'] === true;
    const out = (text: string, obj: unknown) => console.log(json ? JSON.stringify(obj) : text);
    const fields = (m: FixMessage) => Object.fromEntries(m.fields.map(([t, v]) => [String(t), v]));

    const client = new FixClient({
      compId,
      targetCompId: String(values['target-comp-id']),
      password: values['password'],
      publicKeyPem,
      addresses,
      brokerId: String(values['broker-id']),
      timeScale,
      ...(typeof values['new-password'] === 'string' ? { newPassword: values['new-password'] } : {}),
      ...(values['first-clordid'] !== undefined
        ? { firstClientOrderId: numberOption(values, 'first-clordid', { integer: true, min: 1, max: 99_999_999 }) }
        : {}),
      ...(typeof values['local-address'] === 'string' ? { localAddress: values['local-address'] } : {}),
      ...(store !== null ? { journal: store.journal(`FIX:${compId}`) } : {}),
    });
    client.on('event', (e: FixClientEvent) => out(`${new Date(e.at).toISOString()} ${e.kind} ${JSON.stringify(e.detail)}`, { type: 'event', ...e }));
    client.on('execution-report', (m: FixMessage) => out(formatFixReport(m), { type: 'execution-report', fields: fields(m) }));
    client.on('order-cancel-reject', (m: FixMessage) => out(formatFixReport(m), { type: 'order-cancel-reject', fields: fields(m) }));
    client.on('business-reject', (m: FixMessage) =>
      out(`BusinessMessageReject ${fieldOf(m, 380) ?? ''} ${fieldOf(m, 58) ?? ''}`, { type: 'business-reject', fields: fields(m) }),
    );
    client.on('reject', (m: FixMessage) => out(`Reject ${fieldOf(m, 373) ?? ''} ${fieldOf(m, 58) ?? ''}`, { type: 'reject', fields: fields(m) }));
    client.on('stopped', (s: { reason: string }) => out(`stopped: ${s.reason}`, { type: 'stopped', ...s }));
    const onSignal = () => {
      void client.close('interrupted');
    };
    process.once('SIGINT', onSignal);
    try {
      await client.start();
    } catch (e) {
      process.removeListener('SIGINT', onSignal);
      console.error(`failover-drill fix client: ${(e as Error).message}`);
      store?.close();
      return 1;
    }

    const runStep = scriptStepRunner(
      {
        nextClientOrderId: () => client.nextClientOrderId(),
        newOrder: (o) => client.newOrder({ ...o, quantity: Number(o.quantity) }),
        cancel: (id) => client.cancel(id),
        amend: (id, a) => client.amend(id, { ...a, quantity: Number(a.quantity) }),
      },
      out,
      { newOrder: 'NewOrderSingle', closedError: 'FixClientClosedError' },
    );

    await runOrderScript(steps, runStep, out, values['stay'] === true ? () => new Promise<void>((r) => client.once('stopped', () => r())) : null);
    process.removeListener('SIGINT', onSignal);
    await client.close('end of script');
    store?.close();
    return 0;
  },
};

export default command;
