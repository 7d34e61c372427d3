// `failover-drill site --role primary|backup --config venue.yaml`: one site of the venue in its own
// process: lookup endpoints, OTP-C / OTP-CSC gateways, OMD-C / OMD-CC publishers, the
// journal to the other site and the site control API. `--role both` runs the embedded default
// (both sites in this process on 127.0.0.2 / 127.0.0.3); `--write-config FILE` writes a venue.yaml
// to start from (with a freshly generated venue key), which both site processes then share.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { stringify } from 'yaml';
import type { Command } from '../command.ts';
import { numberOption, UsageError } from '../command.ts';
import {
  Site,
  defaultVenueConfig,
  DEFAULT_CONTROL_TOKEN,
  newControlToken,
  loadVenueConfig,
  startEmbeddedVenue,
  startSiteControlServer,
  venueConfigToPlain,
  VenueConfigError,
} from '../../venue/index.ts';
import type { SiteRole, VenueConfig } from '../../venue/index.ts';
import { jsonLineLogger } from '../../ocg/index.ts';

const command: Command = {
  name: 'site',
  summary: 'Run a venue site (primary or backup) with its control API, or both sites embedded',
  details: [
    'Each site listens on its own host address (config sites.<role>.host): lookup endpoints, trading',
    'gateways, retransmission servers, the journal port and the control API (Bearer controlToken).',
    'Start the backup first: the primary holds order acknowledgements until its standby has them',
    '(up to timing.standbyWaitMs, then it runs alone). The fault "kill" ends this process with SIGKILL.',
  ].join('\n'),
  options: {
    role: { type: 'string', value: 'ROLE', description: 'primary, backup, or both (embedded, one process)' },
    config: { type: 'string', value: 'FILE', description: 'venue.yaml (required for primary/backup; both: default config when absent)' },
    subscribers: { type: 'string', default: '3', value: 'N', description: 'Subscribers in the default config (--write-config, --role both without --config)' },
    'log-level': { type: 'string', default: 'info', value: 'LEVEL', description: 'JSON log lines on stderr at or above: debug, info, warn, error' },
    standby: { type: 'boolean', description: 'Start as the standby whatever the role (a primary restarted while the backup serves; then POST /failback)' },
    'write-config': { type: 'string', value: 'FILE', description: 'Write the default venue config (with a new key) to FILE and exit' },
  },
  async run(values) {
    const subscribers = numberOption(values, 'subscribers', { min: 1, max: 10_000, integer: true });
    const out = values['write-config'];
    if (typeof out === 'string') {
      // A new control token per written config: it is also the journal link's secret.
      const cfg = defaultVenueConfig({ subscribers, controlToken: newControlToken() });
      cfg.metricsToken = newControlToken(); // Prometheus gets this one: it reads /metrics and nothing else
      writeFileSync(
        out,
        `# failover-drill venue config; both site processes read the same file. Keep it secret: it holds the control token and the venue key.\n${stringify(venueConfigToPlain(cfg))}`,
        { mode: 0o600 },
      );
      console.log(`wrote ${out}`);
      return 0;
    }
    const role = values['role'];
    if (role !== 'primary' && role !== 'backup' && role !== 'both') throw new UsageError('--role: expected primary, backup or both');
    const file = values['config'];
    let cfg: VenueConfig;
    try {
      if (typeof file === 'string') cfg = loadVenueConfig(file);
      else if (role === 'both') cfg = defaultVenueConfig({ subscribers });
      else throw new UsageError('--config is required for --role primary|backup (both processes must share the venue key); see --write-config');
    } catch (e) {
      if (e instanceof VenueConfigError) {
        console.error(e.message);
        return 2;
      }
      throw e;
    }
    if (role !== 'both' && cfg.controlToken === DEFAULT_CONTROL_TOKEN) {
      console.error(
        `${String(file)}: controlToken is the embedded venue's well-known default; a site of its own needs a secret one (write a new config with --write-config, or set controlToken)`,
      );
      return 2;
    }
    const level = values['log-level'];
    if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error')
      throw new UsageError('--log-level: expected debug, info, warn or error');
    const log = jsonLineLogger((l) => process.stderr.write(l), level);
    const sites: Site[] = [];
    const servers: Array<{ url: string; close(): Promise<void> }> = [];
    if (role === 'both') {
      const v = await startEmbeddedVenue(cfg, { log });
      sites.push(v.primary, v.backup);
    } else {
      const site = new Site({
        config: cfg,
        role: role as SiteRole,
        log,
        // A site of its own on its machine: the logon storm of a failover checks passwords on every core.
        passwordWorkers: os.availableParallelism(),
        kill: () => process.kill(process.pid, 'SIGKILL'),
        ...(values['standby'] === true ? { startAs: 'standby' as const } : {}),
      });
      await site.start();
      sites.push(site);
    }
    for (const s of sites) {
      const srv = await startSiteControlServer(s);
      servers.push(srv);
      const st = s.status();
      console.log(`site ${s.role} ${st.state} on ${s.host}: control ${srv.url}, metrics ${srv.url}/metrics, journal port ${cfg.sites[s.role].replication}`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    for (const srv of servers) await srv.close();
    for (const s of sites) await s.stop();
    return 0;
  },
};

export default command;
