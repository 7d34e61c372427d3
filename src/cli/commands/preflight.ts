// `failover-drill preflight --config subscriber.yaml`: the readiness check a subscriber runs in the
// venue's connectivity-test window before the session (src/probe/preflight.ts): a table of rows,
// each with a verdict and a reason; exit code 1 when a row failed, 2 for a bad config. The
// results go to the desk as evidence ('readiness') with --desk.
import { numberOption, type Command } from '../command.ts';
import { deskForwarderOf, subscriberConfigOf } from '../subscriber-options.ts';
import { Preflight, formatReadinessTable } from '../../probe/index.ts';
import { EvidenceWriter } from '../../evidence/index.ts';

const command: Command = {
  name: 'preflight',
  summary: "Check a subscriber's readiness before the session, in the venue's connectivity-test window",
  details: [
    'For each identity in the config: the lookup service answers at every address; TCP reaches the primary',
    'and backup gateways; the trading and drop copy Comp IDs log on and off with their password (binary',
    'OCG-C); the password expiry the venue reports; lines A and B of every channel deliver packets within',
    'the heartbeat interval on the configured interface; the RTS logs on; the refresh channel delivers a',
    "complete cycle; the local clock's offset against the packets' SendTime. Exit code 1 when a row failed.",
    '',
    'Outside the window the venue refuses the logons (Session Status 7): the logon rows say so.',
  ].join('\n'),
  options: {
    config: { type: 'string', value: 'FILE', description: 'subscriber.yaml (the probe config of src/venue/config.ts)' },
    venue: { type: 'string', value: 'FILE', description: 'Derive the config from a venue.yaml instead (with --firm)' },
    firm: { type: 'string', value: 'ID', description: 'Subscriber firm id in --venue' },
    json: { type: 'boolean', description: 'Print the report as JSON instead of the table' },
    evidence: { type: 'string', value: 'FILE', description: 'Also append the readiness evidence as JSON lines to FILE' },
    desk: { type: 'string', value: 'URL', description: 'Also send the readiness evidence to the service desk (POST <URL>/api/evidence)' },
    'desk-user': { type: 'string', value: 'NAME', description: 'Post to --desk as this user of the firm (password from FD_DESK_PASSWORD)' },
    'desk-token': { type: 'string', value: 'T', description: "Post to --desk with the desk's evidence Bearer token instead" },
    'heartbeat-interval': {
      type: 'string',
      default: '2',
      value: 'S',
      description: 'Heartbeat interval of the feeds in seconds (OMD-C: 2); a line passes with a packet within 1.5 of it',
    },
    'refresh-timeout': { type: 'string', default: '60', value: 'S', description: 'Seconds to wait for a complete refresh cycle' },
    'connect-timeout': { type: 'string', default: '3', value: 'S', description: 'Seconds to wait for a TCP connection or a lookup answer' },
    'max-clock-offset': { type: 'string', default: '1000', value: 'MS', description: 'Largest acceptable offset of the local clock against SendTime' },
  },
  async run(values) {
    const config = subscriberConfigOf(values);
    if (config === 2) return 2;
    const desk = deskForwarderOf(values);
    const evidence = typeof values['evidence'] === 'string' ? new EvidenceWriter(values['evidence']) : null;
    const preflight = new Preflight({
      config,
      heartbeatIntervalMs: numberOption(values, 'heartbeat-interval', { min: 0.001 }) * 1000,
      refreshTimeoutMs: numberOption(values, 'refresh-timeout', { min: 0.001 }) * 1000,
      connectTimeoutMs: numberOption(values, 'connect-timeout', { min: 0.001 }) * 1000,
      maxClockOffsetMs: numberOption(values, 'max-clock-offset', { min: 0 }),
      onEvidence: (e) => {
        evidence?.write(e);
        desk?.push(e);
      },
    });
    if (values['json'] !== true)
      console.error(
        `preflight ${config.firm}: ${config.trading.length} trading identit${config.trading.length === 1 ? 'y' : 'ies'}, ${config.feeds.length} feed(s), session ${config.session}`,
      );
    const report = await preflight.run();
    await evidence?.close();
    if (desk && !(await desk.drain(10_000))) console.error(`desk: ${desk.stats.queued} evidence event(s) not delivered`);
    desk?.close();
    console.log(values['json'] === true ? JSON.stringify(report, null, 2) : formatReadinessTable(report));
    return report.passed ? 0 : 1;
  },
};

export default command;
