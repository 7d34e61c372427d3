// `failover-drill conduct`: plays a rundown against two running sites (their
// control API), collects the venue's evidence under ./data/<session>/ and
// streams it to the desk when one is given.
import type { Command } from '../command.ts';
import { UsageError, numberOption } from '../command.ts';
import { systemClock } from '../../wire/index.ts';
import { SiteControlClient, loadVenueConfig, controlUrlOf } from '../../venue/index.ts';
import { Conductor, EvidenceCollector, SessionEvidence, loadRundown, rundownOnDate, toHongKongIso, RundownError, identitiesOf } from '../../conductor/index.ts';

const command: Command = {
  name: 'conduct',
  summary: 'Play a practice-session rundown against the two sites and collect the evidence',
  details: [
    'Steps run at their Hong Kong time (UTC+8) on the wall clock, or accelerated with --accelerate N',
    "(the session day's first step runs at once, later ones at their rundown distance / N).",
    'Evidence goes to DATA/<session>/evidence.jsonl, and to the desk with --desk and --desk-token.',
    'Exit code 1 when a step failed.',
  ].join('\n'),
  options: {
    rundown: { type: 'string', value: 'FILE', description: 'Rundown YAML (rundowns/ps2.yaml)' },
    sites: { type: 'string', value: 'URL,URL', description: 'Control API URLs of the primary and the backup site (or take them from --venue)' },
    token: { type: 'string', value: 'T', description: 'Site control Bearer token (or from --venue)' },
    venue: { type: 'string', value: 'FILE', description: 'Venue YAML: session id, site URLs, token and subscriber identities' },
    session: { type: 'string', value: 'ID', description: "Practice-session id for the evidence (default: the venue's, else the rundown code)" },
    accelerate: { type: 'string', value: 'N', description: 'Play the rundown N times faster than real time, starting now' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'Play the rundown on this session date instead of its own (Hong Kong)' },
    desk: { type: 'string', value: 'URL', description: 'Desk base URL to stream evidence to (POST /api/evidence)' },
    'desk-token': { type: 'string', value: 'T', description: "The desk's evidence Bearer token" },
    data: { type: 'string', default: './data', value: 'DIR', description: 'Directory for evidence files' },
    poll: { type: 'string', default: '250', value: 'MS', description: 'Evidence poll interval per site' },
    'control-timeout': {
      type: 'string',
      default: '30000',
      value: 'MS',
      description: 'Per-request timeout of the site control API (a cut-off site answers nothing)',
    },
  },
  async run(values) {
    if (typeof values['rundown'] !== 'string') throw new UsageError('--rundown FILE is required');
    let rundown;
    try {
      rundown = await loadRundown(values['rundown']);
    } catch (e) {
      if (e instanceof RundownError) {
        console.error(e.message);
        return 2;
      }
      throw new UsageError(`--rundown: ${(e as Error).message}`);
    }
    if (typeof values['date'] === 'string') {
      try {
        rundown = rundownOnDate(rundown, values['date']);
      } catch (e) {
        throw new UsageError(`--date: ${(e as Error).message}`);
      }
    }
    const venue = typeof values['venue'] === 'string' ? loadVenueConfig(values['venue']) : null;
    let urls: string[];
    if (typeof values['sites'] === 'string')
      urls = values['sites']
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (venue) urls = [controlUrlOf(venue, 'primary'), controlUrlOf(venue, 'backup')];
    else throw new UsageError('--sites URL,URL (primary, backup) or --venue FILE is required');
    if (urls.length !== 2) throw new UsageError(`--sites: expected two URLs (primary,backup), got ${urls.length}`);
    const token = typeof values['token'] === 'string' ? values['token'] : venue?.controlToken;
    if (!token) throw new UsageError('--token T is required (or --venue FILE)');
    const accelerate = values['accelerate'] === undefined ? undefined : numberOption(values, 'accelerate', { min: 0.001, max: 100_000 });
    // On the wall clock, steps already past run at once: a session that is over would run in one burst.
    if (accelerate === undefined && rundown.steps.at(-1)!.atMs < Date.now()) {
      throw new UsageError(
        `the rundown's session (${rundown.date}, last step ${toHongKongIso(rundown.steps.at(-1)!.atMs).slice(0, 16)} Hong Kong) is over: rehearse it now with --accelerate N, or move it with --date YYYY-MM-DD`,
      );
    }
    const desk = values['desk'];
    const deskToken = values['desk-token'];
    if ((desk === undefined) !== (deskToken === undefined)) throw new UsageError('--desk and --desk-token go together');
    const session = typeof values['session'] === 'string' ? values['session'] : (venue?.session ?? rundown.code);
    const pollMs = numberOption(values, 'poll', { min: 10, max: 60_000 });
    const timeoutMs = numberOption(values, 'control-timeout', { min: 100, max: 600_000 });
    const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);

    const sites = {
      primary: new SiteControlClient({ baseUrl: urls[0]!, token, timeoutMs, ...(venue?.tls ? { ca: venue.tls.ca } : {}) }),
      backup: new SiteControlClient({ baseUrl: urls[1]!, token, timeoutMs, ...(venue?.tls ? { ca: venue.tls.ca } : {}) }),
    };
    const evidence = new SessionEvidence({
      dataDir: String(values['data']),
      session,
      clock: systemClock,
      ...(typeof desk === 'string' && typeof deskToken === 'string' ? { desk: { url: desk, token: deskToken } } : {}),
      onError: (m) => log(`desk: ${m}`),
    });
    const collector = new EvidenceCollector({ sites, clock: systemClock, pollMs, onError: (m) => log(m) });
    collector.addSink(evidence.write);
    const conductor = new Conductor({
      rundown,
      sites,
      session,
      clock: systemClock,
      collector,
      log,
      ...(accelerate !== undefined ? { accelerate } : {}),
      ...(venue ? { identities: identitiesOf(venue) } : {}),
    });
    log(
      `${rundown.code} ${rundown.date}: ${rundown.title.en} / ${rundown.title.zh} — ${rundown.steps.length} steps, ${accelerate ? `accelerated x${accelerate}` : 'on the Hong Kong wall clock'}`,
    );
    const stopOnSignal = () => {
      log('interrupted: stopping after the current step');
      conductor.stop();
    };
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    // The scheduler's timers are unref'd; keep the process alive while the rundown plays.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      const report = await conductor.run();
      const closed = await evidence.close();
      const f = report.failover;
      log(
        `done: ${report.runs.length} steps, ${report.failedSteps} failed; evidence ${closed.written} events in ${evidence.path}` +
          (closed.desk
            ? `; desk accepted ${closed.desk.accepted}, duplicates ${closed.desk.duplicates}, rejected ${closed.desk.rejected}${closed.deskDrained ? '' : `, ${closed.desk.queued} NOT delivered`}`
            : ''),
      );
      if (f.primaryLostAt !== null && f.backupActiveAt !== null)
        log(`failover: backup active ${f.backupActiveAt - f.primaryLostAt} ms after the loss (takeover ${f.backupTakeoverMs} ms)`);
      return report.failedSteps > 0 || !closed.deskDrained ? 1 : 0;
    } finally {
      clearInterval(keepAlive);
      process.off('SIGINT', stopOnSignal);
      process.off('SIGTERM', stopOnSignal);
    }
  },
};

export default command;
