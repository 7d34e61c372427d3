// What `probe` and `preflight` read alike from their options: the subscriber's config (its own
// subscriber.yaml, or derived from venue.yaml for one firm) and where to post evidence on the desk.
import { UsageError } from './command.ts';
import { ProbeConfigError, loadProbeConfig, type SubscriberProbeConfig } from '../probe/index.ts';
import { DeskEvidenceForwarder } from '../conductor/index.ts';
import { systemClock } from '../wire/index.ts';
import { loadVenueConfig, probeConfigFor } from '../venue/index.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

/** The subscriber's config, or 2 (the exit status) after printing why a config file is invalid. */
export function subscriberConfigOf(values: Values): SubscriberProbeConfig | 2 {
  try {
    if (typeof values['config'] === 'string') return loadProbeConfig(values['config']);
    if (typeof values['venue'] === 'string') {
      if (typeof values['firm'] !== 'string') throw new UsageError('--venue needs --firm ID');
      return probeConfigFor(loadVenueConfig(values['venue']), values['firm']);
    }
    throw new UsageError('--config FILE (or --venue FILE --firm ID) is required');
  } catch (e) {
    if (e instanceof ProbeConfigError || (e instanceof Error && e.name === 'VenueConfigError')) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/** --desk with --desk-user (password in FD_DESK_PASSWORD) or --desk-token; null without --desk. */
export function deskForwarderOf(values: Values): DeskEvidenceForwarder | null {
  const deskUser = values['desk-user'],
    deskToken = values['desk-token'];
  if (values['desk'] !== undefined && (typeof deskUser === 'string') === (typeof deskToken === 'string'))
    throw new UsageError('--desk needs --desk-user (a user of the firm) or --desk-token');
  const deskPassword = process.env['FD_DESK_PASSWORD'];
  if (typeof deskUser === 'string' && !deskPassword) throw new UsageError('--desk-user: set the password in the environment variable FD_DESK_PASSWORD');
  if (typeof values['desk'] !== 'string') return null;
  return new DeskEvidenceForwarder({
    url: values['desk'],
    clock: systemClock,
    onError: (m: string) => console.error(`desk: ${m}`),
    ...(typeof deskUser === 'string' ? { login: { username: deskUser, password: deskPassword! } } : { token: String(deskToken) }),
  });
}
