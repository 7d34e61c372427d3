// The subscriber probe: verification cases, the Probe runner, its config file, report and progress display.
export * from './cases.ts';
export * from './probe.ts';
export type { IdentityTiming, ProbeFaults, ProbeOptions, ProbeReport, ServiceProgress, ServiceReport } from './types.ts';
export * from './config.ts';
export * from './report.ts';
export * from './progress.ts';
export * from './preflight.ts';
