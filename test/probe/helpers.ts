// Shared bits of the probe tests: accelerated options against a TwoSiteVenue, waiting, case views.
import type { Probe, ProbeFaults, ProbeOptions } from '../../src/probe/index.ts';
import type { TwoSiteVenue } from './two-site-venue.ts';

/** OCG-C waits 100× shorter (10 s reconnect → 100 ms), heartbeat-driven loss detection in ~1.2 s. */
export function probeOptions(venue: TwoSiteVenue, firm: string, faults: ProbeFaults = {}, extra: Partial<ProbeOptions> = {}): ProbeOptions {
  return {
    config: venue.probeConfig(firm),
    faults,
    timeScale: 0.01,
    ocgTiming: { connectTimeoutMs: 300, lookupTimeoutMs: 300 },
    feed: { arbitrationTimeoutMs: 20, rts: { responseTimeoutMs: 500 } },
    venueDigest: venue.digest,
    recoveryTimeoutMs: 7_000, // margin for a loaded machine; the neverRelookup case fails when it runs out
    verifyTimeoutMs: 3_000,
    ...extra,
  };
}

export { waitFor } from '../helpers/wait.ts';

export function failedCases(p: Probe): string[] {
  return p
    .cases()
    .filter((c) => c.status === 'failed')
    .map((c) => `${c.service} ${c.id}`);
}

/** The cases as a small table, for assertion messages. */
export function caseTable(p: Probe): string {
  return p
    .cases()
    .map((c) => `  ${c.service.padEnd(8)}${c.id.padEnd(30)}${c.status.padEnd(11)}${c.failedStep ? `${c.failedStep}: ` : ''}${c.reason ?? ''}`)
    .join('\n');
}
