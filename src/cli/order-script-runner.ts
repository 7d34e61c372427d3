// Running an order script for `ocg client` and `fix client`: the steps of a --script file, or
// lines read from standard input as they come. A bad input line is reported and skipped; a step
// that answers false (logout, the client closed) ends the run.
import { createInterface } from 'node:readline';
import { OrderScriptError, parseOrderScriptLine, type OrderScriptStep } from '../ocg/index.ts';

export async function runOrderScript(
  steps: OrderScriptStep[] | null,
  runStep: (s: OrderScriptStep) => Promise<boolean>,
  out: (text: string, json: Record<string, unknown>) => void,
  /** With --stay: what to wait for after the last step of a script file. */
  stay: (() => Promise<void>) | null,
): Promise<void> {
  if (steps !== null) {
    for (const s of steps) if (!(await runStep(s))) return;
    if (stay) await stay();
    return;
  }
  const rl = createInterface({ input: process.stdin, terminal: false });
  let n = 0;
  try {
    for await (const line of rl) {
      n++;
      let s: OrderScriptStep | null;
      try {
        s = parseOrderScriptLine(line, n);
      } catch (e) {
        out((e as Error).message, { type: 'error', line: n, message: (e as Error).message });
        continue;
      }
      if (s !== null && !(await runStep(s))) break;
    }
  } finally {
    rl.close();
  }
}

/** What a script needs of a trading client (`ocg client` and `fix client` adapt theirs). */
export interface ScriptClient {
  nextClientOrderId(): string;
  newOrder(o: { securityId: string; side: number; quantity: string; price: string; clientOrderId: string; tif?: number }): Promise<unknown>;
  cancel(clientOrderId: string): Promise<unknown>;
  amend(clientOrderId: string, a: { quantity: string; price?: string }): Promise<unknown>;
}

/**
 * The step runner of a script: `$n` names the n-th order of this run; a failed step is reported
 * and the script goes on, unless the client is closed (`closedError`, the error's name).
 */
export function scriptStepRunner(
  client: ScriptClient,
  out: (text: string, json: Record<string, unknown>) => void,
  names: { newOrder: string; closedError: string },
): (s: OrderScriptStep) => Promise<boolean> {
  const orders: string[] = [];
  const resolveId = (id: string): string => {
    if (!id.startsWith('$')) return id;
    const found = orders[Number(id.slice(1)) - 1];
    if (found === undefined) throw new OrderScriptError(`${id}: no such order in this run`);
    return found;
  };
  return async (s) => {
    try {
      switch (s.kind) {
        case 'order': {
          const id = client.nextClientOrderId();
          orders.push(id);
          out(`→ ${names.newOrder} ${id}`, { type: 'sent', kind: 'order', clientOrderId: id });
          await client.newOrder({
            securityId: s.securityId,
            side: s.side,
            quantity: s.quantity,
            price: s.price,
            clientOrderId: id,
            ...(s.tif !== undefined ? { tif: s.tif } : {}),
          });
          return true;
        }
        case 'cancel':
          await client.cancel(resolveId(s.clientOrderId));
          return true;
        case 'amend':
          await client.amend(resolveId(s.clientOrderId), { quantity: s.quantity, ...(s.price !== undefined ? { price: s.price } : {}) });
          return true;
        case 'sleep':
          await new Promise((r) => setTimeout(r, s.seconds * 1000));
          return true;
        case 'logout':
          return false;
      }
    } catch (e) {
      out(`line ${s.line}: ${(e as Error).message}`, { type: 'error', line: s.line, message: (e as Error).message });
      return !(e instanceof Error && e.name === names.closedError);
    }
  };
}
