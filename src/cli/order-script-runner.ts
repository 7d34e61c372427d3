// Running an order script for `ocg client` and `fix client`: the steps of a --script file, or
// lines read from standard input as they come. A bad input line is reported and skipped; a step
// that answers false (logout, the client closed) ends the run.
import { createInterface } from 'node:readline';
import { parseOrderScriptLine, type OrderScriptStep } from '../ocg/index.ts';

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
