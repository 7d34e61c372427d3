// `failover-drill probe --config subscriber.yaml`: a subscriber's side of a practice session for
// each of its identities (OTP-C / OTP-CSC trading and drop copy through the lookup service, OMD-C /
// OMD-CC feeds), following the rundown by what it observes: live progress (one line per service,
// redrawn in place on a TTY), then the evidence report (JSON) and a human summary; the exit code
// is 1 when a case failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { numberOption, UsageError, type Command } from '../command.ts';
import { deskForwarderOf, subscriberConfigOf } from '../subscriber-options.ts';
import { Probe, ProgressDisplay, formatCaseLog, formatProbeSummary, probeConfigToYaml, writeProbeReport, type ProbeFaults } from '../../probe/index.ts';
import { EvidenceWriter } from '../../evidence/index.ts';

const FAULTS: Record<string, keyof ProbeFaults> = {
  'never-relookup': 'neverRelookup',
  'ignore-dr': 'ignoreDisasterRecovery',
  'reset-sequence': 'resetSequenceOnReconnect',
  'leave-order-resting': 'leaveOrderResting',
};

const command: Command = {
  name: 'probe',
  summary: "Run a subscriber's probe through a practice session: log on, trade, follow the failover, verify",
  details: [
    'For each identity in the config: OCG-C trading and drop copy sessions through the lookup service',
    '(OTP-C, OTP-CSC) and OMD-C / OMD-CC feed handlers with retransmission and refresh. The probe logs on',
    'at the primary, trades resting test orders and cancels them, notices the loss, reconnects to the',
    'backup through the lookup service, recovers sequences and books, trades again, and checks the return',
    'to the primary. It stops when every identity is back at the primary (or failed), after --duration,',
    'or on Ctrl-C, then writes the report. Exit code 1 when a test case failed.',
    '',
    'The config is subscriber.yaml (the venue derives it per subscriber); or give --venue and --firm.',
  ].join('\n'),
  options: {
    config: { type: 'string', value: 'FILE', description: 'subscriber.yaml (the probe config, src/probe/config.ts)' },
    venue: { type: 'string', value: 'FILE', description: 'Derive the probe config from a venue.yaml instead (with --firm)' },
    firm: { type: 'string', value: 'ID', description: 'Subscriber firm id in --venue' },
    report: { type: 'string', value: 'FILE', description: 'Evidence report JSON (default: data/<session>/probe-<firm>.json)' },
    evidence: { type: 'string', value: 'FILE', description: 'Also append the evidence events as JSON lines to FILE' },
    desk: { type: 'string', value: 'URL', description: 'Also stream the evidence to the service desk (POST <URL>/api/evidence)' },
    'desk-user': {
      type: 'string',
      value: 'NAME',
      description: "Post to --desk as this user of the firm (password from FD_DESK_PASSWORD): the evidence counts as the firm's own, self-reported",
    },
    'desk-token': {
      type: 'string',
      value: 'T',
      description: "Post to --desk with the desk's evidence Bearer token instead (the venue's side: the conductor, an embedded drill)",
    },
    json: { type: 'boolean', description: 'Print the report JSON on stdout at the end (progress goes to stderr)' },
    verbose: { type: 'boolean', description: 'Print every case with its steps and their logs at the end' },
    duration: { type: 'string', default: '0', value: 'S', description: 'Stop after S seconds (0: when the rundown is done, or Ctrl-C)' },
    'time-scale': { type: 'string', default: '1', value: 'X', description: 'Multiply every OCG-C protocol wait and timer (0.01 = 100x faster rehearsal)' },
    'recovery-timeout': { type: 'string', default: '120', value: 'S', description: 'Seconds from the loss noticed until the recovery steps fail' },
    fault: { type: 'string', multiple: true, value: 'NAME', description: `Behave as a faulty subscriber: ${Object.keys(FAULTS).join(', ')} (repeatable)` },
    'no-trade': { type: 'boolean', description: 'Do not send test orders (the order cases stay not tested)' },
    'write-config': {
      type: 'string',
      value: 'FILE',
      description: "Write the subscriber's probe config (subscriber.yaml) to FILE and exit (with --venue, --firm)",
    },
  },
  async run(values) {
    const config = subscriberConfigOf(values);
    if (config === 2) return 2;
    if (typeof values['write-config'] === 'string') {
      // What the venue hands each subscriber: its identities, the four lookup endpoints, the feeds, the public key.
      mkdirSync(dirname(resolve(values['write-config'])), { recursive: true });
      writeFileSync(values['write-config'], probeConfigToYaml(config));
      console.log(`probe config of ${config.firm} written to ${values['write-config']}`);
      return 0;
    }
    const faults: ProbeFaults = {};
    for (const f of (values['fault'] as string[] | undefined) ?? []) {
      const k = FAULTS[f];
      if (!k) throw new UsageError(`--fault: expected one of ${Object.keys(FAULTS).join(', ')}, got ${JSON.stringify(f)}`);
      faults[k] = true;
    }
    const durationMs = numberOption(values, 'duration', { min: 0 }) * 1000;
    const timeScale = numberOption(values, 'time-scale', { min: 0.000001 });
    const recoveryTimeoutMs = numberOption(values, 'recovery-timeout', { min: 0.1 }) * 1000;
    const json = values['json'] === true;
    const reportPath = typeof values['report'] === 'string' ? values['report'] : join('data', config.session, `probe-${config.firm}.json`);
    const evidence = typeof values['evidence'] === 'string' ? new EvidenceWriter(values['evidence']) : null;
    const desk = deskForwarderOf(values);

    const out = json ? process.stderr : process.stdout;
    const display = new ProgressDisplay(out);
    const probe = new Probe({
      config,
      faults,
      timeScale,
      recoveryTimeoutMs,
      autoTrade: values['no-trade'] !== true,
      onEvidence: (e) => {
        evidence?.write(e);
        desk?.push(e);
      },
    });
    display.note(
      `probe ${config.firm}: ${config.trading.length} trading identit${config.trading.length === 1 ? 'y' : 'ies'}, ${config.feeds.length} feed(s), session ${config.session}`,
    );
    let stop: () => void = () => {};
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const onSignal = () => stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const redraw = setInterval(() => display.render(probe.progress()), 250);
    try {
      await probe.start();
      const deadline = durationMs > 0 ? Date.now() + durationMs : Infinity;
      let done = false;
      void stopped.then(() => {
        done = true;
      });
      while (!done && Date.now() < deadline && !probe.rundownDone) await new Promise((r) => setTimeout(r, 100));
      if (probe.rundownDone) await new Promise((r) => setTimeout(r, 500)); // let the last evidence land
    } finally {
      clearInterval(redraw);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const report = await probe.finish();
    display.render(probe.progress());
    await evidence?.close();
    if (desk && !(await desk.drain(10_000))) console.error(`desk: ${desk.stats.queued} evidence event(s) not delivered`);
    desk?.close();
    writeProbeReport(reportPath, report);
    if (json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log('');
      console.log(formatProbeSummary(report));
      if (values['verbose'] === true) console.log('\n' + formatCaseLog(report));
      console.log(`\nreport written to ${reportPath}`);
    }
    return report.result === 'failed' ? 1 : 0;
  },
};

export default command;
