// Placeholder until the market-data stack lands (issue 2).
import type { Command } from '../command.ts';
const command: Command = {
  name: 'demo',
  summary: 'not yet implemented',
  options: {},
  async run() { console.error('not yet implemented'); return 1; },
};
export default command;
