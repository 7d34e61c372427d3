// The order script of `failover-drill ocg client` (and the probe's test orders): one step a line,
//   buy 700 100@385.2        new limit order: side, Security ID, quantity@price
//   sell 5 400@50.1 ioc      optional TIF: day | ioc | fok
//   cancel 10000001          cancel by the Client Order ID of the order
//   amend 10000001 200@385.4 amend quantity (and price) of the order
//   sleep 1                  pause, in wall-clock seconds
//   logout                   log out and stop
// Blank lines and `#` comments are ignored.
import { Side, TimeInForce } from './messages.ts';

export type OrderScriptStep =
  | { kind: 'order'; side: number; securityId: string; quantity: string; price: string; tif?: number; line: number }
  | { kind: 'cancel'; clientOrderId: string; line: number }
  | { kind: 'amend'; clientOrderId: string; quantity: string; price?: string; line: number }
  | { kind: 'sleep'; seconds: number; line: number }
  | { kind: 'logout'; line: number };

export class OrderScriptError extends Error {
  override name = 'OrderScriptError';
}

const SIDES: Record<string, number> = { buy: Side.Buy, sell: Side.Sell, short: Side.SellShort };
const TIFS: Record<string, number> = { day: TimeInForce.Day, ioc: TimeInForce.ImmediateOrCancel, fok: TimeInForce.FillOrKill };
const NUM = /^\d+(\.\d+)?$/;

function qtyAtPrice(text: string | undefined, line: number, priceOptional: boolean): { quantity: string; price?: string } {
  const m = text === undefined ? null : /^(\d+)(?:@(\d+(?:\.\d+)?))?$/.exec(text);
  if (m === null || (!priceOptional && m[2] === undefined)) {
    throw new OrderScriptError(`line ${line}: expected QTY@PRICE${priceOptional ? ' or QTY' : ''}, got ${JSON.stringify(text ?? '')}`);
  }
  return m[2] === undefined ? { quantity: m[1]! } : { quantity: m[1]!, price: m[2] };
}

/** One step, or null for a blank/comment line. Throws OrderScriptError with the line number. */
export function parseOrderScriptLine(text: string, line = 1): OrderScriptStep | null {
  const t = text.replace(/#.*$/, '').trim();
  if (t === '') return null;
  const w = t.split(/\s+/);
  const verb = w[0]!.toLowerCase();
  if (verb in SIDES) {
    if (w.length < 3 || w.length > 4) throw new OrderScriptError(`line ${line}: expected "${verb} SECURITY QTY@PRICE [day|ioc|fok]"`);
    const { quantity, price } = qtyAtPrice(w[2], line, false);
    const step: OrderScriptStep = { kind: 'order', side: SIDES[verb]!, securityId: w[1]!, quantity, price: price!, line };
    if (w[3] !== undefined) {
      const tif = TIFS[w[3].toLowerCase()];
      if (tif === undefined) throw new OrderScriptError(`line ${line}: unknown time in force ${w[3]} (day, ioc or fok)`);
      step.tif = tif;
    }
    return step;
  }
  if (verb === 'cancel') {
    if (w.length !== 2) throw new OrderScriptError(`line ${line}: expected "cancel CLIENT_ORDER_ID"`);
    return { kind: 'cancel', clientOrderId: w[1]!, line };
  }
  if (verb === 'amend') {
    if (w.length !== 3) throw new OrderScriptError(`line ${line}: expected "amend CLIENT_ORDER_ID QTY[@PRICE]"`);
    return { kind: 'amend', clientOrderId: w[1]!, ...qtyAtPrice(w[2], line, true), line };
  }
  if (verb === 'sleep') {
    if (w.length !== 2 || !NUM.test(w[1]!)) throw new OrderScriptError(`line ${line}: expected "sleep SECONDS"`);
    return { kind: 'sleep', seconds: Number(w[1]), line };
  }
  if (verb === 'logout') return { kind: 'logout', line };
  throw new OrderScriptError(`line ${line}: unknown step "${w[0]}" (buy, sell, short, cancel, amend, sleep, logout)`);
}

/** Every step of a script text. Throws OrderScriptError on the first bad line. */
export function parseOrderScript(text: string): OrderScriptStep[] {
  const steps: OrderScriptStep[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const s = parseOrderScriptLine(l, i + 1);
    if (s !== null) steps.push(s);
  });
  return steps;
}
